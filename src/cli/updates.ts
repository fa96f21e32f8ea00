import type { Command } from 'commander';
import { client, withApiOptions, type ApiOptions } from './task-api.js';

interface Update {
  ecosystem: string;
  name: string;
  from: string;
  to: string;
  type: string;
}
interface Group {
  key: string;
  task_id: string;
  status: string;
  updates: Update[];
}
interface Skipped extends Omit<Update, 'type'> {
  reason: string;
}

const printJson = (value: unknown) => console.log(JSON.stringify(value, null, 2));
const updateText = (u: Update) => `${u.name} ${u.from} -> ${u.to} (${u.type})`;
const groupLine = (label: string, g: Group) =>
  `${label.padEnd(8)} ${g.task_id}  ${g.status.padEnd(15)}  ${g.key}: ${g.updates.map(updateText).join(', ')}`;
const skippedLine = (s: Skipped) => `skipped  ${s.name} ${s.from} -> ${s.to}: ${s.reason}`;

/** `autodev updates scan|list`: dependency updates over the running server's HTTP API. */
export function registerUpdatesCommands(program: Command): void {
  const updates = program
    .command('updates')
    .description('Dependency updates: scan a repository now, list its state (over the HTTP API).');

  withApiOptions(
    updates
      .command('scan <repo>')
      .description('Scan a repository now (POST /api/v1/autodev/updates); prints the tasks it created.')
      .option('--base-branch <branch>', 'the branch to update (default: main)'),
  ).action(async (repo: string, options: ApiOptions & { baseBranch?: string }) => {
    const body = { repo, ...(options.baseBranch === undefined ? {} : { base_branch: options.baseBranch }) };
    const result = (await client(options).request('POST', '/api/v1/autodev/updates', body)) as {
      created: Group[];
      open: Group[];
      held: string[];
      skipped: Skipped[];
    };
    if (options.json) return printJson(result);
    for (const g of result.created) console.log(groupLine('created', g));
    for (const g of result.open) console.log(groupLine('open', g));
    for (const key of result.held) console.log(`held     ${key}: max_open_prs reached`);
    for (const s of result.skipped) console.log(skippedLine(s));
    if (result.created.length + result.open.length + result.held.length + result.skipped.length === 0) {
      console.log('up to date');
    }
  });

  withApiOptions(
    updates
      .command('list <repo>')
      .description("A repository's update groups and its last scan (GET /api/v1/autodev/updates)."),
  ).action(async (repo: string, options: ApiOptions) => {
    const state = (await client(options).request(
      'GET',
      `/api/v1/autodev/updates?repo=${encodeURIComponent(repo)}`,
    )) as {
      repo: string;
      last_scan: {
        scanned_at: string;
        skipped: Skipped[];
        error: { code: string; message: string } | null;
      } | null;
      groups: Group[];
    };
    if (options.json) return printJson(state);
    const scan = state.last_scan;
    console.log(
      `${state.repo}: last scan ${scan ? `${scan.scanned_at}${scan.error ? ` failed: ${scan.error.code}: ${scan.error.message}` : ''}` : 'never'}`,
    );
    for (const g of state.groups) console.log(groupLine('group', g));
    for (const s of scan?.skipped ?? []) console.log(skippedLine(s));
  });
}
