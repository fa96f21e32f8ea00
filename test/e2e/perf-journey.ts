import { api, submitTask, waitForTerminal, type TaskJson } from '../helpers/api-client.js';
import type { E2EHarness } from './harness.js';

// A task runs the benchmark 2 × (1 + bench_rounds) times besides its tests: minutes on a loaded machine.
export const PERF_TASK_MS = 400_000;

interface EventJson {
  type: string;
  data: Record<string, unknown>;
}

export interface BenchTaskRun {
  task: TaskJson;
  /** The policy's decision on the change (its `deny` carries PERF_REGRESSION). */
  decision: Record<string, unknown> | undefined;
  prBody: string;
  /** The summary line of the bench step. */
  benchSummary: string | undefined;
}

/** One SEARCH/REPLACE block on `file`: the model's reply. */
export function editReply(file: string, search: string, replace: string): string {
  return [file, '<<<<<<< SEARCH', search, '=======', replace, '>>>>>>> REPLACE'].join('\n');
}

/**
 * A task on a fresh repo holding `files` whose change is the model's `reply`, through the API to its
 * end; logs the time the bench step added (never asserted: speed lives in npm run bench).
 */
export async function runBenchTask(
  h: E2EHarness,
  files: Record<string, string>,
  reply: string,
  title: string,
): Promise<BenchTaskRun> {
  const repo = await h.newRepo(files);
  h.model.push({ text: reply });
  const submitted = Date.now();
  const created = await submitTask(h.server.baseUrl, {
    title,
    description: 'Tidy up the sum of squares.',
    repo: repo.origin,
    risk_tier: 'low',
  });
  const task = await waitForTerminal(h.server.baseUrl, created.id, PERF_TASK_MS - 20_000);
  const bench = task.steps.find((s) => s.key.startsWith('verify.bench'));
  const took = bench?.finished_at ? Date.parse(bench.finished_at) - Date.parse(bench.started_at) : NaN;
  const total = Date.now() - submitted;
  console.log(`perf check: ${title}: bench step ${took} ms of a ${total} ms task`);
  const { body } = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task.id}/events`);
  const events = (body as { events: EventJson[] }).events;
  const decision = events.find((e) => e.type === 'policy.decision' && 'allow' in e.data)?.data;
  const prBody = String(events.find((e) => e.type === 'pr.opened')?.data.body);
  return { task, decision, prBody, benchSummary: bench?.output_summary ?? undefined };
}
