/**
 * What one request of a store-bound read route costs the server, apart from queueing: each route
 * answered one at a time through `app.inject` (no network), best of 9 batches of 60, median of 3
 * runs, on SQLite and on PostgreSQL (a throwaway local cluster). 5,000 tasks, 1 % of them in one
 * repository and the rest in another, each with a denied policy decision among four events: the
 * history GET /tasks?repo= (a rare repository) and GET /overview (the denial count) once scanned
 * whole on every request. Each task has its pull request, and every CONSUMER_EVERY-th is a
 * multi-repo task with a consumer's beside it: GET /prs walks both tables (migrations 011 and 016).
 * The baseline is GET /healthz of the same server, which reads no store.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../src/api/server.js';
import { loadConfig } from '../src/config/load.js';
import { createRuntime, type Runtime } from '../src/runtime/create-runtime.js';
import { startPostgresCluster } from '../test/helpers/postgres-cluster.js';
import type { BenchRow } from './types.js';

const TASKS = 5_000;
/** Every this many tasks one goes to the rare repository. */
const RARE_EVERY = 100;
/** Every this many tasks one has a consumer's pull request beside its own (a multi-repo task). */
const CONSUMER_EVERY = 10;
const BATCHES = 9;
const BATCH_SIZE = 60;
const RUNS = 3;
const API = '/api/v1/autodev';
const COMMON = 'https://example.com/org/common';
const RARE = 'https://example.com/org/rare';

interface Server {
  runtime: Runtime;
  app: FastifyInstance;
}

async function startServer(root: string, storeUrl?: string): Promise<Server> {
  const file = path.join(root, 'config.toml');
  await writeFile(
    file,
    [
      '[autodev]',
      `data_dir = ${JSON.stringify(path.join(root, 'data'))}`,
      'rate_limit_per_minute = 0',
      'log_level = "warn"',
      ...(storeUrl === undefined ? [] : ['[autodev.store]', `url = ${JSON.stringify(storeUrl)}`]),
    ].join('\n'),
  );
  // An explicit environment: the bench's own variables must not leak into the server.
  const hostEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root, LANG: 'C.UTF-8' };
  const config = loadConfig({ file, env: hostEnv, cwd: root });
  // The scheduler is not started: the tasks stay as seeded.
  const runtime = await createRuntime(config, { hostEnv, logDestination: { write: () => undefined } });
  return { runtime, app: await buildServer(runtime) };
}

/** Tasks written through the store the server reads, with the audit trail of a run policy denied. */
async function seed(runtime: Runtime): Promise<void> {
  const { store } = runtime;
  for (let i = 0; i < TASKS; i += 1) {
    const repo = i % RARE_EVERY === 0 ? RARE : COMMON;
    const task = await store.tasks.create({
      title: `Fix add() #${i}`,
      description: 'Fix add().',
      repo,
      repo_normalized: repo.replace('https://', ''),
      base_branch: 'main',
      risk_tier: 'low',
      constraints: [],
      acceptance: [],
    });
    await store.events.append(task.id, 'task.created', {});
    await store.events.append(task.id, 'task.status_changed', { from: 'queued', to: 'planning' });
    await store.events.append(task.id, 'policy.decision', {
      outcome: 'deny',
      deny: [{ code: 'TESTS_FAILED', message: '1 failed' }],
    });
    await store.events.append(task.id, 'task.status_changed', { from: 'verifying', to: 'failed' });
    const pr = {
      task_id: task.id,
      forge: 'local',
      repo,
      branch: `autodev/${task.id}`,
      base_branch: 'main',
      number: null,
      url: null,
      title: `Fix add() #${i}`,
      head_commit: 'f'.repeat(40),
    };
    await store.pullRequests.insertOnce(pr);
    if (i % 2 === 0) await store.pullRequests.markMerged(task.id, 'e'.repeat(40));
    if (i % CONSUMER_EVERY === 0) {
      await store.pullRequests.insertRepoOnce({ ...pr, repo: `${repo}-user`, role: 'consumer', ordinal: 1 });
    }
  }
}

/** Microseconds one request of `url` costs: the median over RUNS of the best batch mean. */
async function costUs(app: FastifyInstance, url: string): Promise<number> {
  const runs: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    let best = Infinity;
    for (let batch = 0; batch < BATCHES; batch += 1) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < BATCH_SIZE; i += 1) {
        const response = await app.inject({ method: 'GET', url });
        if (response.statusCode !== 200) throw new Error(`${url} answered ${response.statusCode}`);
      }
      best = Math.min(best, Number(process.hrtime.bigint() - start) / BATCH_SIZE / 1_000);
    }
    runs.push(best);
  }
  runs.sort((a, b) => a - b);
  return runs[Math.floor(runs.length / 2)] ?? 0;
}

async function measure(store: string, storeUrl?: string): Promise<BenchRow[]> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'autodev-bench-route-cost-'));
  let server: Server | undefined;
  try {
    server = await startServer(root, storeUrl);
    await seed(server.runtime);
    const routes = [
      [
        `GET /tasks?repo= (${TASKS / RARE_EVERY} of ${TASKS} tasks)`,
        `${API}/tasks?repo=${encodeURIComponent(RARE)}`,
      ],
      [
        `GET /tasks?repo= (the other ${TASKS - TASKS / RARE_EVERY})`,
        `${API}/tasks?repo=${encodeURIComponent(COMMON)}`,
      ],
      ['GET /tasks (limit 50)', `${API}/tasks`],
      [
        `GET /prs (limit 50; ${TASKS} tasks' and ${TASKS / CONSUMER_EVERY} consumers' pull requests)`,
        `${API}/prs`,
      ],
      ['GET /prs?status=open (limit 50)', `${API}/prs?status=open`],
      [`GET /overview (${TASKS} denied decisions)`, `${API}/overview`],
    ] as const;
    const floor = await costUs(server.app, '/healthz');
    const rows: BenchRow[] = [];
    for (const [label, url] of routes) {
      const value = await costUs(server.app, url);
      rows.push({
        name: `${store}: ${label} cost per request`,
        baseline: 'GET /healthz cost per request',
        value: value / 1_000,
        baselineValue: floor / 1_000,
        unit: 'ms',
        ratio: value / floor,
        runs: RUNS,
        notes: `${value.toFixed(0)} µs (healthz ${floor.toFixed(0)} µs); app.inject, best of ${BATCHES} batches of ${BATCH_SIZE}, median of ${RUNS}; load average ${os.loadavg()[0]?.toFixed(1) ?? '?'}`,
      });
    }
    return rows;
  } finally {
    await server?.app.close();
    await server?.runtime.close(1_000);
    await rm(root, { recursive: true, force: true });
  }
}

export async function bench(): Promise<BenchRow[]> {
  const sqlite = await measure('sqlite');
  const cluster = await startPostgresCluster();
  try {
    return [...sqlite, ...(await measure('postgres', await cluster.createDatabase()))];
  } finally {
    await cluster.destroy();
  }
}
