import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { toTaskView } from '../api/task-view.js';
import { loadConfig, readHostEnvironment } from '../config/index.js';
import { isTerminal, type ConversationTurn, type Step, type Task } from '../domain/task.js';
import { AutodevError } from '../errors.js';
import { createRedactor } from '../secrets/redact.js';
import { openStore } from '../store/index.js';
import { createRuntime } from '../runtime/create-runtime.js';
import { withRuntime } from './pr.js';
import { registerTaskApiCommands } from './task-api.js';

export function registerTaskCommands(program: Command): void {
  const task = program
    .command('task')
    .description(
      'Tasks: submit, list, show, cancel (over the HTTP API of a running server); revert, replay (on its data_dir).',
    );
  registerTaskApiCommands(task);

  task
    .command('revert <id>')
    .description(
      "Open a pull request reverting a merged task's merge; a second call prints the same revert task.",
    )
    .option('-c, --config <file>', 'TOML config file')
    .action(async (id: string, options: { config?: string }) => {
      // The revert task is queued in the store; the running server's scheduler picks it up.
      await withRuntime(options.config, async (runtime) => {
        const { task: revert, created } = await runtime.tasks.revert(id);
        const view = { ...toTaskView(revert, [], []), created };
        console.log(runtime.redact(JSON.stringify(view, null, 2)));
      });
    });

  task
    .command('replay <id>')
    .description(
      'Re-run a task from the model replies recorded in its conversation, with no model call: the same edits, or the turn where a request differs (REPLAY_DIVERGED).',
    )
    .option('-c, --config <file>', 'TOML config file (the server whose data_dir holds the task)')
    .action(async (id: string, options: { config?: string }) => {
      const report = await replayTask(id, options.config);
      console.log(JSON.stringify(report, null, 2));
      if (!report.same_edits) process.exitCode = 1;
    });
}

export interface ReplayReport {
  replay_of: string;
  task_id: string;
  status: string;
  error: { code: string; message: string } | null;
  /** Per codegen round: whether the replay changed the same files the same way. */
  rounds: { key: string; same: boolean; files: string[] }[];
  same_edits: boolean;
}

/**
 * Reads the task and its recorded turns from the server's store, then runs a copy of the task in a
 * scratch data_dir (so no other queued task is claimed) with provider = "replay". The copy is high
 * risk: it is delivered for review like any task (a branch and a pull request), never merged.
 */
async function replayTask(id: string, configFile: string | undefined): Promise<ReplayReport> {
  const env = readHostEnvironment();
  const config = loadConfig({ file: configFile, env });
  const redact = createRedactor([
    config.secrets.llmApiKey,
    config.secrets.forgeToken,
    config.secrets.storePassword,
  ]);
  const source = await openStore({ dataDir: config.dataDir, store: config.store, redact });
  let original: Task | undefined;
  let originalSteps: Step[];
  let turns;
  try {
    original = await source.tasks.get(id);
    if (!original) throw new AutodevError('TASK_NOT_FOUND', `no task ${id} in ${source.location}`);
    originalSteps = await source.steps.list(id);
    turns = await source.conversations.list(id);
  } finally {
    await source.close();
  }
  if (turns.length === 0) {
    throw new AutodevError('REPLAY_DIVERGED', `task ${id} recorded no conversation turns: nothing to replay`);
  }

  // The copy's scratch data_dir holds a mirror of the repository and a store of the conversation:
  // it goes when the replay ends, whatever the outcome.
  const dataDir = mkdtempSync(join(tmpdir(), 'autodev-replay-'));
  try {
    return await replayInto(dataDir, config, env, original, originalSteps, turns);
  } finally {
    await rm(dataDir, { recursive: true, force: true, maxRetries: 3 });
  }
}

async function replayInto(
  dataDir: string,
  config: ReturnType<typeof loadConfig>,
  env: ReturnType<typeof readHostEnvironment>,
  original: Task,
  originalSteps: Step[],
  recorded: ConversationTurn[],
): Promise<ReplayReport> {
  const id = original.id;
  const runtime = await createRuntime(
    {
      ...config,
      data_dir: dataDir,
      dataDir,
      // The copy's own SQLite store, never the shared PostgreSQL one: it claims no other task.
      store: { ...config.store, url: undefined },
      log_level: 'warn',
      llm: { ...config.llm, provider: 'replay', replay_task: id },
    },
    { hostEnv: env, logDestination: process.stderr, recordedTurns: () => Promise.resolve(recorded) },
  );
  try {
    const copy = await runtime.tasks.submit({
      title: original.title,
      description: original.description,
      repo: original.repo,
      base_branch: original.base_branch,
      risk_tier: 'high',
      constraints: original.constraints,
      acceptance: original.acceptance,
    });
    // The replay follows the recorded plan: it reaches the model in the first request, whose hash
    // must match the recording.
    if (original.plan) await runtime.store.tasks.update(copy.id, { plan: original.plan });
    await runtime.start();
    let done = copy;
    while (!isTerminal(done.status)) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      done = (await runtime.store.tasks.get(copy.id)) ?? done;
    }
    const rounds = compareRounds(originalSteps, await runtime.store.steps.list(copy.id));
    return {
      replay_of: id,
      task_id: copy.id,
      status: done.status,
      error: done.error,
      rounds,
      same_edits: done.error === null && rounds.length > 0 && rounds.every((round) => round.same),
    };
  } finally {
    await runtime.close(0);
  }
}

/** Each original codegen round against the replay's: the same files with the same diff text. */
function compareRounds(original: Step[], replay: Step[]): ReplayReport['rounds'] {
  const changes = (steps: Step[]) =>
    new Map(
      steps
        .filter((step) => step.tool === 'codegen' && step.status === 'succeeded')
        .map((step) => [step.key, codegenChange(step.output)]),
    );
  const theirs = changes(replay);
  return [...changes(original)].map(([key, change]) => {
    const other = theirs.get(key);
    return { key, files: change.files, same: other !== undefined && other.patch === change.patch };
  });
}

function codegenChange(output: unknown): { patch: string; files: string[] } {
  const record = typeof output === 'object' && output !== null ? output : {};
  const patch = 'patch' in record && typeof record.patch === 'string' ? record.patch : '';
  const files =
    'files' in record && Array.isArray(record.files)
      ? record.files.filter((file): file is string => typeof file === 'string')
      : [];
  return { patch, files };
}
