/**
 * One task end to end through `autodev serve` with the instant scripted model (issue #24 item 6:
 * autodev's own overhead per task), by language, side by side with the same work by hand (clone,
 * tests, apply the fix, tests, commit, push). The git processes the server starts are counted by the
 * corpus bench's wrapper and split by the task's steps, so a change to one step shows in its row.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { api, submitTask, waitForTerminal } from '../test/helpers/api-client.js';
import { startE2E } from '../test/e2e/harness.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from '../test/e2e/fixtures.js';
import { startGitCounter, type GitStart } from './corpus/git-count.js';
import { median } from './corpus/overhead-breakdown.js';
import { replayTimes, type ReplayResult } from './corpus/replay.js';
import { overheadMs } from './corpus/summary.js';
import type { BenchRow } from './types.js';

const run = promisify(execFile);

const NODE_BUGGY_REPO = {
  'package.json': JSON.stringify(
    { name: 'calc', version: '1.0.0', scripts: { test: 'node --test' } },
    null,
    2,
  ),
  'calc.js': 'exports.add = (a, b) => a - b;\n',
  'calc.test.js':
    "const test = require('node:test');\nconst assert = require('node:assert');\nconst { add } = require('./calc.js');\n\ntest('add', () => assert.strictEqual(add(2, 3), 5));\n",
};

const NODE_FIX_REPLY = [
  '```diff',
  '--- a/calc.js',
  '+++ b/calc.js',
  '@@ -1 +1 @@',
  '-exports.add = (a, b) => a - b;',
  '+exports.add = (a, b) => a + b;',
  '```',
  '',
].join('\n');

interface Language {
  name: string;
  files: Record<string, string>;
  reply: string;
  /** The repo's own test command, as a person would type it. */
  test: string[];
}

const LANGUAGES: Language[] = [
  {
    name: 'python',
    files: PYTHON_BUGGY_REPO,
    reply: PYTHON_FIX_REPLY,
    test: ['python3', '-m', 'pytest', '-q'],
  },
  { name: 'node', files: NODE_BUGGY_REPO, reply: NODE_FIX_REPLY, test: ['node', '--test'] },
];

/** The diff inside a reply's ```diff fence: what a person applies by hand. */
function fencedDiff(reply: string): string {
  const start = reply.indexOf('```diff\n') + '```diff\n'.length;
  return reply.slice(start, reply.indexOf('```', start));
}

/** The same work by hand: clone, tests (failing), the fix, tests (passing), commit, push a branch. */
async function byHand(language: Language, origin: string, i: number): Promise<number> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'autodev-task-e2e-hand-'));
  const dir = path.join(scratch, 'repo');
  const started = performance.now();
  try {
    await run('git', ['clone', '-q', origin, dir]);
    const [cmd = '', ...args] = language.test;
    await run(cmd, args, { cwd: dir }).catch(() => undefined); // fails: the bug
    await writeFile(path.join(scratch, 'fix.diff'), fencedDiff(language.reply));
    // As autodev's last try applies it: the fixture's hunk has less context after the change than before.
    await run('git', ['apply', '--recount', '--unidiff-zero', path.join(scratch, 'fix.diff')], { cwd: dir });
    await run(cmd, args, { cwd: dir });
    await run(
      'git',
      ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.test', 'commit', '-qam', 'fix'],
      {
        cwd: dir,
      },
    );
    await run('git', ['push', '-q', 'origin', `HEAD:refs/heads/by-hand-${i}`], { cwd: dir });
    return performance.now() - started;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * Waits until the task's workspace is released (its `workspace.removed` event): the release runs
 * after the task is reported terminal, and its git processes belong to this task, not to the next
 * one measured. Polled (a bench, not a test).
 */
async function released(baseUrl: string, taskId: string): Promise<void> {
  for (let waited = 0; ; waited += 20) {
    const { body } = await api(baseUrl, `/api/v1/autodev/tasks/${taskId}/events`);
    const events = (body as { events: { type: string }[] }).events;
    if (events.some((e) => e.type === 'workspace.removed')) return;
    if (waited > 60_000) throw new Error(`the workspace of ${taskId} was not released within 60 s`);
    await sleep(20);
  }
}

/** git processes per step: each start is given to the step whose span holds it, else to "(between steps)". */
function gitByStep(result: ReplayResult, starts: GitStart[]): Map<string, number> {
  const counts = new Map<string, number>();
  const names = new Map<string, string[]>();
  for (const start of starts) {
    // Step times are whole ms: a process started in the step's last ms still counts as the step's.
    const step = result.steps.find((s) => start.atMs >= s.startedAt && start.atMs < s.finishedAt + 1);
    const key = step?.tool ?? (start.atMs >= result.finishedAt ? '(release)' : '(between steps)');
    counts.set(key, (counts.get(key) ?? 0) + 1);
    names.set(key, [...(names.get(key) ?? []), start.name]);
  }
  if (process.env['AUTODEV_BENCH_GIT_TRACE'] === '1') {
    for (const [key, list] of names) console.error(`  ${key}: ${list.join(' ')}`);
  }
  return counts;
}

function formatCounts(counts: Map<string, number>): string {
  return [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
}

interface TaskMeasure {
  overhead: number;
  wall: number;
  gits: number;
  byStep: Map<string, number>;
  subcommands: string;
}

export async function benchTaskEndToEnd(runs: number): Promise<BenchRow[]> {
  const counter = await startGitCounter();
  // The wrapper first on the server's PATH; auth off (no setup network): the fixtures need no install.
  const h = await startE2E(
    { max_step_retries: 1 },
    { extraEnv: { PATH: `${counter.binDir}:${process.env.PATH ?? '/usr/bin:/bin'}` } },
  );
  const rows: BenchRow[] = [];
  try {
    // One task first, not measured: the server's first task pays for its start-up (sweep, caches).
    const warm = await h.newRepo(NODE_BUGGY_REPO);
    h.model.push({ text: NODE_FIX_REPLY });
    const warmTask = await submitTask(h.server.baseUrl, task(warm.origin));
    await waitForTerminal(h.server.baseUrl, warmTask.id);
    await released(h.server.baseUrl, warmTask.id);
    /** One task on `origin`: its overhead, wall time and the git processes the server started for it. */
    const measure = async (language: Language, origin: string): Promise<TaskMeasure> => {
      const from = await counter.count();
      h.model.push({ text: language.reply });
      const created = await submitTask(h.server.baseUrl, task(origin));
      const done = await waitForTerminal(h.server.baseUrl, created.id);
      await released(h.server.baseUrl, created.id);
      if (done.status !== 'merged') {
        throw new Error(`${language.name}: task ended ${done.status}: ${JSON.stringify(done.error)}`);
      }
      const result = replayTimes(
        (await api(h.server.baseUrl, `/api/v1/autodev/tasks/${created.id}`)).body,
        done,
        1,
      );
      const starts = await counter.started(from);
      return {
        overhead: overheadMs(result),
        wall: result.wallMs,
        gits: starts.length,
        byStep: gitByStep(result, starts),
        subcommands: await counter.subcommands(from),
      };
    };
    for (const language of LANGUAGES) {
      const cold: TaskMeasure[] = [];
      const warm: TaskMeasure[] = [];
      const hands: number[] = [];
      for (let i = 0; i < runs; i += 1) {
        const repo = await h.newRepo(language.files);
        cold.push(await measure(language, repo.origin));
        // The bug again on the same repository: its mirror and the spare worktree the first task left
        // are warm, as for every task of a repository after its first on a running server.
        await repo.commit('main', language.files, 'the bug again');
        warm.push(await measure(language, repo.origin));
        // A repo of its own: the task merged its fix into the first one's main.
        hands.push(await byHand(language, (await h.newRepo(language.files)).origin, i));
      }
      const hand = median(hands);
      for (const [label, measures] of [
        ['first task of a repository', cold],
        ['next task of the same repository', warm],
      ] as const) {
        const overhead = Math.round(median(measures.map((m) => m.overhead)));
        const gits = median(measures.map((m) => m.gits));
        const last = measures[measures.length - 1];
        const byStep = last === undefined ? '' : formatCounts(last.byStep);
        console.error(
          `task-e2e ${language.name}, ${label}: overhead ${overhead} ms, ${gits} git processes ` +
            `(by step: ${byStep}; by subcommand: ${last?.subcommands ?? ''})`,
        );
        const wall = median(measures.map((m) => m.wall));
        rows.push({
          name: `one task end to end, ${language.name}, ${label} (instant scripted model)`,
          baseline: 'the same work by hand: clone, tests, apply the fix, tests, commit, push',
          value: Math.round(wall),
          baselineValue: Math.round(hand),
          unit: 'ms',
          ratio: Number((wall / hand).toFixed(2)),
          runs,
          notes: `overhead (task minus its repo commands) ${overhead} ms; ${gits} git processes per task (${byStep})`,
        });
      }
    }
  } finally {
    await h.close();
    await counter.close();
  }
  return rows;
}

function task(origin: string): Record<string, unknown> {
  return {
    title: 'Fix add() in calc',
    description: 'add(2, 3) returns -1; it must return 5.',
    repo: origin,
    base_branch: 'main',
    risk_tier: 'low',
  };
}
