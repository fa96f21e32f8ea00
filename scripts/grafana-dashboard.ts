/**
 * The Grafana dashboard as code: `npm run grafana:dashboard` writes deploy/grafana/autodev.json from
 * this file, and test/grafana-dashboard.test.ts fails when the committed JSON differs from what this
 * builds. Every query reads only metrics autodev emits (src/metrics/registry.ts).
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  DashboardBuilder,
  DashboardCursorSync,
  DatasourceVariableBuilder,
  RowBuilder,
  type Dashboard,
  type Panel,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { ReduceDataOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';
import { format } from 'prettier';

export const DASHBOARD_FILE = resolve(import.meta.dirname, '../deploy/grafana/autodev.json');

/** Panels read the Prometheus picked in the dashboard's `datasource` variable (set on import). */
const DATASOURCE = { type: 'prometheus', uid: '${datasource}' };

/** One query of a panel: PromQL and the legend its series get. */
interface Query {
  expr: string;
  legend: string;
}

/** Panel and row ids, in order: Grafana links and embeds panels by id, so they stay stable. */
let nextId = 1;
const id = () => nextId++;

function row(title: string): RowBuilder {
  return new RowBuilder(title).id(id());
}

function target(query: Query, refId: string): DataqueryBuilder {
  return new DataqueryBuilder()
    .datasource(DATASOURCE)
    .expr(query.expr)
    .legendFormat(query.legend)
    .refId(refId);
}

function timeseries(
  title: string,
  description: string,
  unit: string,
  queries: Query[],
  width = 12,
): cog.Builder<Panel> {
  const panel = new TimeseriesBuilder()
    .id(id())
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .min(0)
    .height(8)
    .span(width);
  queries.forEach((query, index) => panel.withTarget(target(query, String.fromCharCode(65 + index))));
  return panel;
}

function stat(title: string, description: string, unit: string, query: Query): cog.Builder<Panel> {
  return new StatBuilder()
    .id(id())
    .title(title)
    .description(description)
    .datasource(DATASOURCE)
    .unit(unit)
    .height(4)
    .span(6)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']))
    .withTarget(target(query, 'A'));
}

/** The autodev dashboard: tasks, steps, pull requests, policy, model spend and the queue. */
export function buildDashboard(): Dashboard {
  nextId = 1;
  return new DashboardBuilder('autodev')
    .uid('autodev-overview')
    .description('Tasks, steps, pull requests, policy decisions, model spend and the queue of autodev.')
    .tags(['autodev', 'generated'])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('browser')
    .withVariable(new DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus'))

    .withRow(row('Queue'))
    .withPanel(
      stat('Queue depth', 'Tasks queued, waiting for a worker.', 'short', {
        expr: 'sum(autodev_queue_depth)',
        legend: 'queued',
      }),
    )
    .withPanel(
      stat('Tasks running', 'Tasks the autodev processes run now.', 'short', {
        expr: 'sum(autodev_tasks_running)',
        legend: 'running',
      }),
    )
    .withPanel(
      stat('Success rate (24h)', 'Delivered tasks over finished tasks in the last day.', 'percentunit', {
        expr: 'sum(increase(autodev_tasks_success_total[24h])) / clamp_min(sum(increase(autodev_tasks_success_total[24h])) + sum(increase(autodev_tasks_failed_total[24h])), 1)',
        legend: 'success rate',
      }),
    )
    .withPanel(
      stat('Model cost (24h)', 'List-price US dollars of model calls in the last day.', 'currencyUSD', {
        expr: 'sum(increase(autodev_model_cost_usd_total[24h]))',
        legend: 'USD',
      }),
    )
    .withPanel(
      timeseries(
        'Queue depth and running tasks',
        'A queue that grows while nothing runs is the AutodevQueueStuck alert.',
        'short',
        [
          { expr: 'sum(autodev_queue_depth)', legend: 'queued' },
          { expr: 'sum(autodev_tasks_running)', legend: 'running' },
        ],
        24,
      ),
    )

    .withRow(row('Tasks'))
    .withPanel(
      timeseries('Task rate and outcomes', 'Tasks submitted, delivered and failed per minute.', 'short', [
        { expr: 'sum(rate(autodev_tasks_total[$__rate_interval])) * 60', legend: 'submitted' },
        { expr: 'sum(rate(autodev_tasks_success_total[$__rate_interval])) * 60', legend: 'delivered' },
        { expr: 'sum(rate(autodev_tasks_failed_total[$__rate_interval])) * 60', legend: 'failed' },
      ]),
    )
    .withPanel(
      timeseries(
        'Task duration percentiles',
        'From a task starting to its terminal state.',
        's',
        ['0.5', '0.9', '0.99'].map((q) => ({
          expr: `histogram_quantile(${q}, sum by (le) (rate(autodev_task_duration_seconds_bucket[$__rate_interval])))`,
          legend: `p${Number(q) * 100}`,
        })),
      ),
    )
    .withPanel(
      timeseries('Step duration by tool (p90)', 'The 90th percentile of each tool’s step duration.', 's', [
        {
          expr: 'histogram_quantile(0.9, sum by (tool, le) (rate(autodev_step_duration_seconds_bucket[$__rate_interval])))',
          legend: '{{tool}}',
        },
      ]),
    )
    .withPanel(
      timeseries('Steps by outcome', 'Steps run per minute, by outcome.', 'short', [
        { expr: 'sum by (status) (rate(autodev_steps_total[$__rate_interval])) * 60', legend: '{{status}}' },
      ]),
    )

    .withRow(row('Pull requests and policy'))
    .withPanel(
      timeseries(
        'Pull requests opened, merges and reverts',
        'Per hour; a revert counts once it merges.',
        'short',
        [
          { expr: 'sum(increase(autodev_prs_opened_total[1h]))', legend: 'opened' },
          { expr: 'sum(increase(autodev_merges_total[1h]))', legend: 'merged' },
          { expr: 'sum(increase(autodev_reverts_total[1h]))', legend: 'reverted' },
        ],
      ),
    )
    .withPanel(
      timeseries(
        'Policy denials by code',
        'Per hour, by denial code; POLICY_FALLBACK means OPA did not answer.',
        'short',
        [{ expr: 'sum by (reason) (increase(autodev_policy_denials_total[1h]))', legend: '{{reason}}' }],
      ),
    )

    .withRow(row('Model'))
    .withPanel(
      timeseries('Model tokens', 'Tokens per minute, by direction.', 'short', [
        {
          expr: 'sum by (direction) (rate(autodev_model_tokens_total[$__rate_interval])) * 60',
          legend: '{{direction}}',
        },
      ]),
    )
    .withPanel(
      timeseries('Model cost per hour', 'List-price US dollars of model calls per hour.', 'currencyUSD', [
        { expr: 'sum(increase(autodev_model_cost_usd_total[1h]))', legend: 'USD per hour' },
      ]),
    )
    .withPanel(
      timeseries(
        'Model errors by code',
        'Failed model calls per minute, by error code.',
        'short',
        [
          {
            expr: 'sum by (code) (rate(autodev_model_errors_total[$__rate_interval])) * 60',
            legend: '{{code}}',
          },
        ],
        24,
      ),
    )
    .build();
}

/** The file's text: prettier's JSON, so `npm run lint` and the equality test agree. */
export async function dashboardJson(): Promise<string> {
  return format(JSON.stringify(buildDashboard()), { parser: 'json', printWidth: 110 });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await writeFile(DASHBOARD_FILE, await dashboardJson());
  console.log(`wrote ${DASHBOARD_FILE}`);
}
