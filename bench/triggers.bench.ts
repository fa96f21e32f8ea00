/**
 * What a trigger adds to a task before it runs (issue #23, part 1): an issue labelled `autodev`
 * opened on the local forge, and a `/autodev <instruction>` comment on an open issue, each becoming
 * a queued task with its status comment, against the same task submitted with POST /tasks. Each
 * request through `app.inject` (no network), the scheduler not started (nothing runs), median of
 * RUNS requests after WARMUP. The run itself is the same task whichever way it arrived; while it
 * runs, a triggered task's status comment is edited once per status (a row on the local forge, one
 * API call on a hosted one), beside the run and not in its way.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../src/api/server.js';
import { loadConfig } from '../src/config/load.js';
import { createRuntime, type Runtime } from '../src/runtime/create-runtime.js';
import type { BenchRow } from './types.js';

const exec = promisify(execFile);
const RUNS = 60;
const WARMUP = 10;
const API = '/api/v1/autodev';

async function startServer(
  root: string,
  repoGlob: string,
): Promise<{ runtime: Runtime; app: FastifyInstance }> {
  const file = path.join(root, 'config.toml');
  await writeFile(
    file,
    [
      '[autodev]',
      `data_dir = ${JSON.stringify(path.join(root, 'data'))}`,
      'rate_limit_per_minute = 0',
      'log_level = "warn"',
      `allowlist_repos = [${JSON.stringify(repoGlob)}]`,
      '[autodev.triggers]',
      'enabled = true',
      // The most allowed: every trigger of the bench (140) is a task of its own.
      'max_open_tasks = 1000',
    ].join('\n'),
  );
  const hostEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root, LANG: 'C.UTF-8' };
  const config = loadConfig({ file, env: hostEnv, cwd: root });
  const runtime = await createRuntime(config, { hostEnv, logDestination: { write: () => undefined } });
  return { runtime, app: await buildServer(runtime) };
}

/** Milliseconds of each request `send` makes (after the warm-up), their median. */
async function medianMs(send: (i: number) => Promise<void>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < WARMUP + RUNS; i += 1) {
    const start = performance.now();
    await send(i);
    if (i >= WARMUP) times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? Number.NaN;
}

function expectStatus(response: { statusCode: number; body: string }, status: number, what: string): void {
  if (response.statusCode !== status) {
    throw new Error(
      `${what}: expected ${String(status)}, got ${String(response.statusCode)}: ${response.body}`,
    );
  }
}

export async function bench(): Promise<BenchRow[]> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'autodev-bench-triggers-'));
  try {
    const repo = path.join(root, 'repos', 'app');
    await mkdir(repo, { recursive: true });
    await exec('git', ['init', '-q', '-b', 'main', repo]);
    await exec('git', [
      '-C',
      repo,
      '-c',
      'user.name=b',
      '-c',
      'user.email=b@b',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'init',
    ]);
    const { runtime, app } = await startServer(root, path.join(root, 'repos', '*'));
    try {
      const submit = await medianMs(async (i) => {
        const response = await app.inject({
          method: 'POST',
          url: `${API}/tasks`,
          payload: { title: `Fix add() #${String(i)}`, description: 'add(2, 3) must be 5.', repo },
        });
        expectStatus(response, 201, 'POST /tasks');
      });
      const labelled = await medianMs(async (i) => {
        const response = await app.inject({
          method: 'POST',
          url: `${API}/issues`,
          payload: {
            repo,
            title: `Fix add() #${String(i)}`,
            body: 'add(2, 3) must be 5.',
            labels: ['autodev'],
          },
        });
        expectStatus(response, 201, 'POST /issues');
        const trigger = (response.json() as { trigger: { outcome: string } | null }).trigger;
        if (trigger?.outcome !== 'created') throw new Error(`labelled issue: ${JSON.stringify(trigger)}`);
      });
      // Issues opened without the label, each then commented on: the comment is the trigger.
      const issueIds: number[] = [];
      for (let i = 0; i < WARMUP + RUNS; i += 1) {
        const response = await app.inject({
          method: 'POST',
          url: `${API}/issues`,
          payload: { repo, title: `Fix sub() #${String(i)}`, body: 'sub(3, 2) must be 1.' },
        });
        expectStatus(response, 201, 'POST /issues (unlabelled)');
        issueIds.push((response.json() as { issue: { id: number } }).issue.id);
      }
      const commented = await medianMs(async (i) => {
        const response = await app.inject({
          method: 'POST',
          url: `${API}/issues/${String(issueIds[i])}/comments`,
          payload: { body: '/autodev fix it, keeping the signature' },
        });
        expectStatus(response, 201, 'POST /issues/{id}/comments');
        const trigger = (response.json() as { trigger: { outcome: string } | null }).trigger;
        if (trigger?.outcome !== 'created') throw new Error(`comment: ${JSON.stringify(trigger)}`);
      });
      const load = os.loadavg()[0]?.toFixed(1) ?? '?';
      const row = (name: string, value: number, notes: string): BenchRow => ({
        name,
        baseline: 'POST /tasks, the same task',
        value,
        baselineValue: submit,
        unit: 'ms',
        ratio: value / submit,
        runs: RUNS,
        notes: `${notes}; app.inject, median of ${String(RUNS)} after ${String(WARMUP)}; SQLite; load average ${load}`,
      });
      return [
        row(
          'labelled issue → queued task',
          labelled,
          'issue stored, trigger checked, task created, status comment posted',
        ),
        row(
          '/autodev comment → queued task',
          commented,
          'comment stored, trigger checked, task created, status comment posted',
        ),
      ];
    } finally {
      await app.close();
      await runtime.close();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
