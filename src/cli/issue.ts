import type { Command } from 'commander';
import { apiClientSettings, readHostEnvironment } from '../config/index.js';
import { createApiClient, type ApiClient } from './api-client.js';

interface ApiOptions {
  url?: string;
  json?: boolean;
}

interface IssueJson {
  id: number;
  state: string;
  labels: string[];
  author: string;
  title: string;
}

interface TriggerJson {
  outcome: string;
  task_id: string | null;
  reason: string | null;
}

function client(options: ApiOptions): ApiClient {
  return createApiClient(apiClientSettings(options.url, readHostEnvironment()));
}

function withApiOptions(command: Command): Command {
  return command
    .option('--url <url>', 'the autodev server (default: AUTODEV_URL, else http://127.0.0.1:8080)')
    .option('--json', 'print the API answer as JSON');
}

const printJson = (value: unknown) => console.log(JSON.stringify(value, null, 2));
const collect = (value: string, previous: string[]) => [...previous, value];

function triggerLine(trigger: TriggerJson): string {
  const task = trigger.task_id ? ` task ${trigger.task_id}` : '';
  const reason = trigger.reason ? ` (${trigger.reason})` : '';
  return `trigger: ${trigger.outcome}${task}${reason}`;
}

/**
 * `autodev issue create|list|comment`: the local forge's issues on a running server, over HTTP. The
 * author is the user AUTODEV_TOKEN names; `--author` is kept only beside an unidentified caller.
 */
export function registerIssueCommands(program: Command): void {
  const issue = program
    .command('issue')
    .description(
      'Issues of the local forge: labelled `autodev`, or a `/autodev ...` comment, they become tasks.',
    );

  withApiOptions(
    issue
      .command('create')
      .description('Open an issue (POST /api/v1/autodev/issues); prints it and what its trigger did.')
      .requiredOption('--repo <repo>', 'the local repository (path or file:// URL)')
      .requiredOption('--title <text>', 'one line')
      .option('--body <text>', 'what is wrong or wanted', '')
      .option('--label <label>', 'a label (autodev, risk:low|medium|high); repeat for more', collect, [])
      .option('--author <name>', 'recorded (as unverified) when AUTODEV_TOKEN names no user')
      .option('--base-branch <branch>', 'the branch a task starts from (default main)'),
  ).action(
    async (
      options: ApiOptions & {
        repo: string;
        title: string;
        body: string;
        label: string[];
        author?: string;
        baseBranch?: string;
      },
    ) => {
      const answer = (await client(options).request('POST', '/api/v1/autodev/issues', {
        repo: options.repo,
        title: options.title,
        body: options.body,
        labels: options.label,
        ...(options.author ? { author: options.author } : {}),
        ...(options.baseBranch ? { base_branch: options.baseBranch } : {}),
      })) as { issue: IssueJson; trigger: TriggerJson };
      if (options.json) return printJson(answer);
      console.log(`issue #${answer.issue.id}  ${answer.issue.title}`);
      console.log(triggerLine(answer.trigger));
    },
  );

  withApiOptions(
    issue
      .command('list')
      .description("Print a repository's issues, newest first (GET /api/v1/autodev/issues?repo=).")
      .requiredOption('--repo <repo>', 'the local repository (path or file:// URL)'),
  ).action(async (options: ApiOptions & { repo: string }) => {
    const answer = (await client(options).request(
      'GET',
      `/api/v1/autodev/issues?repo=${encodeURIComponent(options.repo)}`,
    )) as { issues: IssueJson[] };
    if (options.json) return printJson(answer);
    for (const i of answer.issues) {
      console.log(`#${i.id}  ${i.state.padEnd(6)}  [${i.labels.join(',')}]  ${i.author}  ${i.title}`);
    }
  });

  withApiOptions(
    issue
      .command('comment <id>')
      .description('Comment on an issue (`/autodev <instruction>`, `/autodev cancel|retry|revert` act).')
      .requiredOption('-m, --body <text>', 'the comment')
      .option('--author <name>', 'recorded (as unverified) when AUTODEV_TOKEN names no user'),
  ).action(async (id: string, options: ApiOptions & { body: string; author?: string }) => {
    const answer = (await client(options).request(
      'POST',
      `/api/v1/autodev/issues/${encodeURIComponent(id)}/comments`,
      { body: options.body, ...(options.author ? { author: options.author } : {}) },
    )) as { comment: { id: number }; trigger: TriggerJson };
    if (options.json) return printJson(answer);
    console.log(`comment ${answer.comment.id} on issue #${id}`);
    console.log(triggerLine(answer.trigger));
  });
}
