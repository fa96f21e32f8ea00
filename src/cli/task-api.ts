import { type Command, Option } from 'commander';
import { apiClientSettings, readHostEnvironment, RISK_TIERS } from '../config/index.js';
import { TASK_STATUSES } from '../domain/task.js';
import { createApiClient, type ApiClient } from './api-client.js';
import { watchTask } from './task-watch.js';

export interface ApiOptions {
  url?: string;
  json?: boolean;
}

interface TaskSummary {
  id: string;
  status: string;
  risk_tier: string;
  repo: string;
  title: string;
  branch: string | null;
  error: { code: string; message: string } | null;
}

interface TaskDetail extends TaskSummary {
  base_branch: string;
  repos: { repo: string; base_branch: string; role: string }[];
  cost: { usd: number };
  steps: { key: string; tool: string; status: string; attempts: number }[];
  pr: { branch: string; status: string; url?: string | null } | null;
  pull_requests: { repo: string; role: string; branch: string; status: string; url?: string | null }[];
}

async function watch(id: string, options: ApiOptions): Promise<void> {
  const settings = apiClientSettings(options.url, readHostEnvironment());
  const ended = await watchTask(id, settings, createApiClient(settings), (line) => console.log(line));
  if (ended.status === 'failed') process.exitCode = 1;
}

export function client(options: ApiOptions): ApiClient {
  return createApiClient(apiClientSettings(options.url, readHostEnvironment()));
}

/** `--url` and `--json` on every API command; the token comes from AUTODEV_TOKEN. */
export function withApiOptions(command: Command): Command {
  return command
    .option('--url <url>', 'the autodev server (default: AUTODEV_URL, else http://127.0.0.1:8080)')
    .option('--json', 'print the API answer as JSON');
}

const printJson = (value: unknown) => console.log(JSON.stringify(value, null, 2));

function summaryLine(task: TaskSummary): string {
  const error = task.error ? `  ${task.error.code}` : '';
  return `${task.id}  ${task.status.padEnd(15)}  ${task.risk_tier.padEnd(6)}  ${task.repo}  ${task.title}${error}`;
}

function detailLines(task: TaskDetail): string[] {
  const repos =
    task.repos.length > 1
      ? ['repos:', ...task.repos.map((r) => `  ${r.role.padEnd(8)} ${r.repo} (${r.base_branch})`)]
      : [`repo:    ${task.repo} (${task.base_branch})`];
  // A multi-repo task has a pull request per changed repository: each with its role and status.
  const prs =
    task.repos.length > 1
      ? task.pull_requests.length === 0
        ? ['prs:     -']
        : [
            'prs:',
            ...task.pull_requests.map(
              (p) => `  ${p.role.padEnd(8)} ${p.status.padEnd(6)} ${p.repo}  ${p.url ?? p.branch}`,
            ),
          ]
      : [`pr:      ${task.pr ? `${task.pr.status} ${task.pr.url ?? task.pr.branch}` : '-'}`];
  return [
    `id:      ${task.id}`,
    `title:   ${task.title}`,
    `status:  ${task.status}`,
    ...repos,
    `risk:    ${task.risk_tier}`,
    `branch:  ${task.branch ?? '-'}`,
    ...prs,
    `cost:    $${task.cost.usd.toFixed(4)}`,
    `error:   ${task.error ? `${task.error.code}: ${task.error.message}` : '-'}`,
    'steps:',
    ...task.steps.map(
      (s) => `  ${s.key.padEnd(24)} ${s.tool.padEnd(14)} ${s.status} (attempts ${s.attempts})`,
    ),
  ];
}

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * `repo#branch` → a `repos` entry. The last "#" splits: autodev's branch names hold no "#", and a
 * repository address has no use for a fragment.
 */
function repoEntry(value: string, role: 'library' | 'consumer') {
  const hash = value.lastIndexOf('#');
  if (hash < 0) return { repo: value, role };
  return { repo: value.slice(0, hash), base_branch: value.slice(hash + 1), role };
}

/** `autodev task submit|list|show|cancel`: the task routes of a running server, over HTTP. */
export function registerTaskApiCommands(task: Command): void {
  withApiOptions(
    task
      .command('submit')
      .description('Submit a task to the running server (POST /api/v1/autodev/tasks); prints it.')
      .requiredOption('--title <text>', 'what to do, one line')
      .option('--repo <repo>', 'an absolute path, file:// URL, https:// or ssh URL (one repository)')
      .option(
        '--library <repo[#branch]>',
        'several repositories: the library, changed first (base branch after "#", default main)',
      )
      .option(
        '--consumer <repo[#branch]>',
        'a repository that uses the library, built against the changed one; repeat for more',
        collect,
        [],
      )
      .option('--description <text>', 'details for the model')
      .option('--base-branch <branch>', 'the branch to change (server default: main)')
      .addOption(new Option('--risk-tier <tier>', 'low|medium|high').choices(RISK_TIERS))
      .option('--constraint <text>', 'a constraint; repeat for more', collect, [])
      .option('--acceptance <text>', 'an acceptance criterion; repeat for more', collect, [])
      .option('--watch', 'follow the task until it ends (as `task watch`)'),
  ).action(
    async (
      options: ApiOptions & {
        title: string;
        repo?: string;
        library?: string;
        consumer: string[];
        description?: string;
        baseBranch?: string;
        riskTier?: string;
        constraint: string[];
        acceptance: string[];
        watch?: boolean;
      },
    ) => {
      // The server checks the combination (repo or repos, one library) and names the field it refuses.
      const repos =
        options.library === undefined && options.consumer.length === 0
          ? undefined
          : [
              ...(options.library === undefined ? [] : [repoEntry(options.library, 'library')]),
              ...options.consumer.map((consumer) => repoEntry(consumer, 'consumer')),
            ];
      const body = {
        title: options.title,
        ...(options.repo === undefined ? {} : { repo: options.repo }),
        ...(repos === undefined ? {} : { repos }),
        ...(options.description === undefined ? {} : { description: options.description }),
        ...(options.baseBranch === undefined ? {} : { base_branch: options.baseBranch }),
        ...(options.riskTier === undefined ? {} : { risk_tier: options.riskTier }),
        constraints: options.constraint,
        acceptance: options.acceptance,
      };
      const created = (await client(options).request('POST', '/api/v1/autodev/tasks', body)) as TaskSummary;
      if (options.json) printJson(created);
      else console.log(summaryLine(created));
      if (options.watch) await watch(created.id, options);
    },
  );

  withApiOptions(
    task
      .command('watch <id>')
      .description(
        'Follow a task: a line per phase and step with the elapsed time, then the outcome and PR.',
      ),
  ).action(async (id: string, options: ApiOptions) => watch(id, options));

  withApiOptions(
    task
      .command('list')
      .description('List tasks, newest first (GET /api/v1/autodev/tasks).')
      .addOption(new Option('--status <status>', 'only tasks in this status').choices(TASK_STATUSES))
      .option('--repo <repo>', 'only tasks of this repository')
      .addOption(new Option('--risk-tier <tier>', 'only tasks of this tier').choices(RISK_TIERS))
      .option('--limit <n>', 'at most this many (1-200, default 50)')
      .option('--cursor <cursor>', 'the next_cursor of the previous page'),
  ).action(
    async (
      options: ApiOptions & {
        status?: string;
        repo?: string;
        riskTier?: string;
        limit?: string;
        cursor?: string;
      },
    ) => {
      const query = new URLSearchParams();
      if (options.status) query.set('status', options.status);
      if (options.repo) query.set('repo', options.repo);
      if (options.riskTier) query.set('risk_tier', options.riskTier);
      if (options.limit) query.set('limit', options.limit);
      if (options.cursor) query.set('cursor', options.cursor);
      const suffix = query.size > 0 ? `?${query.toString()}` : '';
      const page = (await client(options).request('GET', `/api/v1/autodev/tasks${suffix}`)) as {
        tasks: TaskSummary[];
        next_cursor: string | null;
      };
      if (options.json) return printJson(page);
      for (const t of page.tasks) console.log(summaryLine(t));
      if (page.next_cursor) console.log(`more: --cursor ${page.next_cursor}`);
    },
  );

  withApiOptions(
    task.command('show <id>').description('Print a task with its steps, pull request and error.'),
  ).action(async (id: string, options: ApiOptions) => {
    const detail = (await client(options).request(
      'GET',
      `/api/v1/autodev/tasks/${encodeURIComponent(id)}`,
    )) as TaskDetail;
    if (options.json) printJson(detail);
    else console.log(detailLines(detail).join('\n'));
  });

  withApiOptions(
    task
      .command('cancel <id>')
      .description('Cancel a task: a queued one ends at once, a running one within seconds.'),
  ).action(async (id: string, options: ApiOptions) => {
    const detail = (await client(options).request(
      'POST',
      `/api/v1/autodev/tasks/${encodeURIComponent(id)}/cancel`,
    )) as TaskSummary;
    if (options.json) printJson(detail);
    else console.log(summaryLine(detail));
  });
}
