import type { Command } from 'commander';
import { loadConfig, readHostEnvironment } from '../config/index.js';
import { reviewActionBody } from '../api/schemas/pr.js';
import { prShowLines } from './pr-show-text.js';
import { PR_STATUSES, type PullRequestStatus } from '../domain/task.js';
import { AutodevError } from '../errors.js';
import type { ReviewAction } from '../orchestrator/review/pr-review-service.js';
import { createRuntime, type Runtime } from '../runtime/create-runtime.js';
import { ANONYMOUS, createIdentityResolver, type Caller } from '../governance/identity.js';

/**
 * Runs `work` on a runtime over the server's data_dir. The store is SQLite in WAL mode, so the CLI
 * reads and writes beside a running server; the runtime is never started (it claims no tasks).
 */
export async function withRuntime(configFile: string | undefined, work: (runtime: Runtime) => Promise<void>) {
  const env = readHostEnvironment();
  const config = loadConfig({ file: configFile, env });
  const runtime = await createRuntime(
    { ...config, log_level: 'warn' },
    { hostEnv: env, logDestination: process.stderr },
  );
  try {
    await work(runtime);
  } finally {
    await runtime.close(0);
  }
}

function parseStatus(value: string): PullRequestStatus {
  const status = PR_STATUSES.find((s) => s === value);
  if (!status) {
    throw new AutodevError(
      'VALIDATION_FAILED',
      `--status ${JSON.stringify(value)}: expected one of ${PR_STATUSES.join(', ')}`,
    );
  }
  return status;
}

/**
 * Who runs the CLI: the `[[autodev.auth.users]]` entry whose token AUTODEV_TOKEN holds (the users'
 * token_env variables must be set, as for the server). Without it the CLI acts unidentified: it may
 * comment (recorded, ignored) and merge or close, but not approve or override.
 */
function cliCaller(runtime: Runtime): Caller {
  const token = readHostEnvironment().AUTODEV_TOKEN;
  if (token === undefined || token === '') return ANONYMOUS;
  const caller = createIdentityResolver(runtime.config.secrets).resolve(token);
  if (caller === undefined || caller.kind === 'anonymous') {
    throw new AutodevError(
      'UNAUTHORIZED',
      'AUTODEV_TOKEN is not the token of any [[autodev.auth.users]] entry (their token_env variables must be set here too) or of AUTODEV_API_TOKENS',
    );
  }
  return caller;
}

const print = (runtime: Runtime, value: unknown) =>
  console.log(runtime.redact(JSON.stringify(value, null, 2)));

export function registerPrCommands(program: Command): void {
  const pr = program
    .command('pr')
    .description('Review the pull requests of the local forge (named by their task id).');

  pr.command('list')
    .description(
      "Print every task's pull requests, newest first (a multi-repo task's consumers' and reverts' with their role and repository).",
    )
    .option('-s, --status <status>', `only those ${PR_STATUSES.join('|')}`, parseStatus)
    .option('--json', 'print JSON')
    .option('-c, --config <file>', 'TOML config file')
    .action(async (options: { status?: PullRequestStatus; json?: boolean; config?: string }) => {
      await withRuntime(options.config, async (runtime) => {
        const prs = (await runtime.store.pullRequests.listAll({ status: options.status, limit: 200 })).map(
          (p) => ({ ...p, role: p.role ?? ('library' as const) }),
        );
        if (options.json) return print(runtime, prs);
        for (const p of prs) {
          // A task's own pull request reads as it always did; another repository's says which it is.
          const where = [...(p.role === 'library' ? [] : [p.role, p.repo]), ...(p.url ? [p.url] : [])];
          console.log(
            runtime.redact(
              `${p.task_id}  ${p.status.padEnd(6)}  ${p.branch} -> ${p.base_branch}  ${p.title}${where.length ? `  ${where.join(' ')}` : ''}`,
            ),
          );
        }
      });
    });

  pr.command('show <id>')
    .description(
      "Print a task's pull requests (a multi-repo task's each with its role, status and approvals) and their reviews.",
    )
    .option('--json', 'print JSON')
    .option('-c, --config <file>', 'TOML config file')
    .action(async (id: string, options: { json?: boolean; config?: string }) => {
      await withRuntime(options.config, async (runtime) => {
        const view = await runtime.reviews.show(id);
        if (options.json) return print(runtime, view);
        console.log(runtime.redact(prShowLines(view).join('\n')));
      });
    });

  const actions = {
    approve: 'Approve a pull request; it merges once its tier has its approvals and policy allows.',
    'request-changes': 'Request changes; the comment starts a review round (a new commit on the branch).',
    comment: 'Comment on a pull request.',
    override: 'Accept what policy denied (high risk needs it); --comment gives the reason.',
    merge: 'Merge a pull request now if its risk tier has its approvals.',
    close: 'Close a pull request unmerged; its task ends closed.',
  } as const;
  for (const [name, description] of Object.entries(actions)) {
    pr.command(`${name} <id>`)
      .description(description)
      .option(
        '--by <reviewer>',
        'kept for compatibility: who acts is the user whose token AUTODEV_TOKEN holds; recorded only beside an unidentified act',
      )
      .option('-m, --comment <text>', 'a comment to record with it')
      .option('-c, --config <file>', 'TOML config file')
      .action(async (id: string, options: { by?: string; comment?: string; config?: string }) => {
        await withRuntime(options.config, async (runtime) => {
          const caller = cliCaller(runtime);
          // The same rules as the API's body: a reviewer name cannot smuggle escapes into the audit trail.
          const parsed = reviewActionBody.safeParse({ by: options.by, comment: options.comment });
          if (!parsed.success) {
            const issue = parsed.error.issues[0];
            throw new AutodevError(
              'VALIDATION_FAILED',
              `--${String(issue?.path[0] ?? 'by')}: ${issue?.message ?? 'invalid'}`,
            );
          }
          const action: ReviewAction = {
            caller,
            ...(parsed.data.by !== undefined ? { claimedBy: parsed.data.by } : {}),
            ...(parsed.data.comment !== undefined ? { comment: parsed.data.comment } : {}),
          };
          const r = runtime.reviews;
          const act = {
            approve: r.approve,
            'request-changes': r.requestChanges,
            comment: r.comment,
            override: r.override,
            merge: r.merge,
            close: r.close,
          }[name as keyof typeof actions];
          print(runtime, await act(id, action));
        });
      });
  }
}
