/**
 * The server's memory as an operator sees it (issue #24 item 7): the built `autodev serve`
 * (dist/, plain node, no tsx) in its own process, its RSS read from /proc. Idle: after start-up and
 * a warm-up of requests. Peak: the process's high-water mark (VmHWM) after 300 task submissions and
 * 3,000 GET /tasks, 32 in flight, while a slow scripted model keeps max_parallel_tasks tasks running.
 * Targets: idle ≤ 128 MiB, peak ≤ 256 MiB. `npm run build` first: the bench measures dist/.
 *
 * Then a second server does COMPLETED_TASKS whole tasks (a Python fix: edit, tests, lint, secrets
 * scan, policy, push, merge), which load what idle start-up does not (tree-sitter grammars, the
 * ESLint worker, statements of every step), and its idle RSS afterwards is set beside its own idle
 * RSS before them; a bare Node HTTP server on the same node binary is the floor any server pays.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from '../test/e2e/fixtures.js';
import { createFixtureRepo, type FixtureRepo } from '../test/fixtures/repo.js';
import { startScriptedModelServer } from '../test/helpers/scripted-model-server.js';
import { TERMINAL_STATUSES, type TaskStatus } from '../src/domain/task.js';
import { startLoadDriver } from './lib/load-driver.js';
import type { BenchRow } from './types.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = path.join(REPO_ROOT, 'dist', 'cli', 'main.js');
const IDLE_TARGET_MIB = 128;
const PEAK_TARGET_MIB = 256;
const SUBMISSIONS = 300;
const LIST_REQUESTS = 3_000;
const WARMUP_REQUESTS = 300;
const CONCURRENCY = 32;
const MODEL_DELAY_MS = 1_000;
const BUDGET_MS = 120_000;
const SETTLE_MS = 2_000;
// AUTODEV_MEMORY_TASKS=N runs N tasks instead: whether the idle RSS after them levels off or keeps growing.
const COMPLETED_TASKS = Number(process.env['AUTODEV_MEMORY_TASKS'] ?? '10');
const TASKS_BUDGET_MS = 600_000;

const PYTHON_REPO = {
  'calc.py': 'def add(a, b):\n    return a - b\n',
  'test_calc.py': 'from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n',
};

/**
 * The node flags the built CLI's `#!/usr/bin/env -S node FLAGS` line gives it (the young generation's
 * size): the bench measures the server as `autodev serve` and `npm start` run it.
 */
async function nodeFlagsOf(main: string): Promise<string[]> {
  const first = (await readFile(main, 'utf8')).split('\n', 1)[0] ?? '';
  const flags = /^#!\/usr\/bin\/env -S node((?: --[\w-]+=\w+)*)$/.exec(first)?.[1] ?? '';
  return flags.split(' ').filter((f) => f !== '');
}

/** VmRSS and VmHWM of a process, in MiB. */
async function memoryOf(pid: number): Promise<{ rss: number; hwm: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rss: kib('VmRSS') / 1024, hwm: kib('VmHWM') / 1024 };
}

async function startBuiltServer(
  root: string,
  modelUrl: string,
  /** More `[autodev.llm]` lines. */
  llm: readonly string[] = [],
): Promise<{ child: ChildProcess; baseUrl: string }> {
  const config = path.join(root, 'config.toml');
  await writeFile(
    config,
    [
      '[autodev]',
      `data_dir = ${JSON.stringify(path.join(root, 'data'))}`,
      'max_parallel_tasks = 4',
      'max_step_retries = 0',
      'rate_limit_per_minute = 0',
      // info: the "autodev listening" line names the port.
      'log_level = "info"',
      'allowlist_repos = ["**"]',
      '[autodev.llm]',
      `api_url = ${JSON.stringify(modelUrl)}`,
      'api_key_env = "BENCH_MODEL_KEY"',
      'timeout_secs = 30',
      ...llm,
    ].join('\n'),
  );
  const child = spawn(
    process.execPath,
    [...(await nodeFlagsOf(MAIN)), MAIN, 'serve', '--config', config, '--port', '0'],
    {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        LANG: 'C.UTF-8',
        BENCH_MODEL_KEY: 'sk-bench-memory-0123456789',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${output}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /"address":"(http:\/\/[^"]+)"/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${String(code)} before listening:\n${output}`));
    });
  });
  return { child, baseUrl };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(killer);
}

/** RSS of a bare `node:http` server on the same node binary after the same warm-up: the floor. */
async function bareNodeServerRss(): Promise<number> {
  const source =
    "const s=require('node:http').createServer((q,r)=>r.end('ok'));" +
    's.listen(0,"127.0.0.1",()=>console.log(s.address().port));';
  const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'], env: {} });
  try {
    const port = await new Promise<string>((resolve, reject) => {
      child.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString('utf8').trim()));
      child.once('exit', (code) => reject(new Error(`bare node server exited with ${String(code)}`)));
    });
    for (let i = 0; i < WARMUP_REQUESTS; i += 1) await (await fetch(`http://127.0.0.1:${port}/`)).text();
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    return (await memoryOf(child.pid ?? 0)).rss;
  } finally {
    await stopServer(child);
  }
}

/** The V8 heap in use and the memory outside it (Buffers, native addons), in MiB, from GET /metrics. */
async function heapOf(baseUrl: string): Promise<{ heapUsed: number; external: number }> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const mib = (name: string): number =>
    Number(new RegExp(`^autodev_process_${name} (\\S+)`, 'm').exec(text)?.[1]) / 2 ** 20;
  return { heapUsed: mib('nodejs_heap_size_used_bytes'), external: mib('nodejs_external_memory_bytes') };
}

/** "a → b MiB" for the notes. */
const change = (a: number, b: number): string => `${a.toFixed(1)} → ${b.toFixed(1)} MiB`;

async function taskStatus(baseUrl: string, id: string): Promise<TaskStatus> {
  const response = await fetch(`${baseUrl}/api/v1/autodev/tasks/${id}`);
  return ((await response.json()) as { status: TaskStatus }).status;
}

/**
 * A fresh server's idle RSS, then COMPLETED_TASKS Python fixes run to their end (one repo each, so
 * every fix applies), then its idle RSS again after the same settling.
 */
async function afterCompletedTasks(): Promise<{
  before: number;
  after: number;
  hwm: number;
  outcomes: string;
  heap: string;
}> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'autodev-bench-memory-tasks-'));
  const model = await startScriptedModelServer(
    Array.from({ length: COMPLETED_TASKS }, () => ({ text: PYTHON_FIX_REPLY })),
  );
  const repos: FixtureRepo[] = [];
  let server: { child: ChildProcess; baseUrl: string } | undefined;
  try {
    for (let i = 0; i < COMPLETED_TASKS; i += 1)
      repos.push(await createFixtureRepo({ files: PYTHON_BUGGY_REPO }));
    // The script holds one fix per task: no planning call takes one first.
    server = await startBuiltServer(root, model.openaiUrl, ['planning = false']);
    const { baseUrl } = server;
    const pid = server.child.pid ?? 0;
    for (let i = 0; i < WARMUP_REQUESTS; i += 1) await (await fetch(`${baseUrl}/healthz`)).text();
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const before = (await memoryOf(pid)).rss;
    const heapBefore = await heapOf(baseUrl);
    const ids: string[] = [];
    for (const repo of repos) {
      const response = await fetch(`${baseUrl}/api/v1/autodev/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          title: 'Fix add() in calc',
          description: 'add(2, 3) returns -1; it must return 5.',
          repo: repo.origin,
          base_branch: 'main',
          risk_tier: 'low',
        }),
      });
      if (response.status !== 201) throw new Error(`POST /tasks answered ${response.status}`);
      ids.push(((await response.json()) as { id: string }).id);
    }
    const deadline = performance.now() + TASKS_BUDGET_MS;
    const ended = new Map<string, TaskStatus>();
    while (ended.size < ids.length) {
      if (performance.now() > deadline)
        throw new Error(`${ids.length - ended.size} tasks did not end in time`);
      for (const id of ids.filter((x) => !ended.has(x))) {
        const status = await taskStatus(baseUrl, id);
        if (TERMINAL_STATUSES.has(status)) ended.set(id, status);
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const end = await memoryOf(pid);
    const heapAfter = await heapOf(baseUrl);
    const counts = new Map<string, number>();
    for (const status of ended.values()) counts.set(status, (counts.get(status) ?? 0) + 1);
    const outcomes = [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
    const heap = `V8 heap used ${change(heapBefore.heapUsed, heapAfter.heapUsed)}, external ${change(heapBefore.external, heapAfter.external)}`;
    return { before, after: end.rss, hwm: end.hwm, outcomes, heap };
  } finally {
    if (server) await stopServer(server.child);
    await model.close();
    await Promise.all(repos.map((r) => r.cleanup()));
    await rm(root, { recursive: true, force: true });
  }
}

export async function bench(): Promise<BenchRow[]> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first`);
  const root = await mkdtemp(path.join(os.tmpdir(), 'autodev-bench-memory-'));
  const repo = await createFixtureRepo({ files: PYTHON_REPO });
  const driver = startLoadDriver();
  let server: { child: ChildProcess; baseUrl: string } | undefined;
  try {
    const modelUrl = await driver.startModel({ replies: SUBMISSIONS, delayMs: MODEL_DELAY_MS });
    server = await startBuiltServer(root, modelUrl);
    const pid = server.child.pid ?? 0;
    const deadline = performance.now() + BUDGET_MS;
    const run = (request: Parameters<typeof driver.run>[0]['request'], count: number) =>
      driver.run({
        baseUrl: server?.baseUrl ?? '',
        request,
        count,
        concurrency: CONCURRENCY,
        deadlineMs: Math.max(1, deadline - performance.now()),
      });
    const list = { kind: 'get', path: '/api/v1/autodev/tasks' } as const;
    // The start-up self-check and the first requests' JIT done; then the process is left alone a moment.
    await run({ kind: 'get', path: '/healthz' }, WARMUP_REQUESTS);
    await run(list, WARMUP_REQUESTS);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const idle = await memoryOf(pid);

    let sampledPeak = idle.rss;
    const sampler = setInterval(() => {
      void memoryOf(pid).then(
        (m) => (sampledPeak = Math.max(sampledPeak, m.rss)),
        () => undefined,
      );
    }, 100);
    const submitted = await run(
      {
        kind: 'submit',
        path: '/api/v1/autodev/tasks',
        task: { title: 'Memory bench task', description: 'Fix add().', repo: repo.origin },
      },
      SUBMISSIONS,
    );
    const listed = await run(list, LIST_REQUESTS);
    clearInterval(sampler);
    const end = await memoryOf(pid);
    const notes = [
      `${submitted.statuses['201'] ?? 0} submissions accepted, ${listed.statuses['200'] ?? 0} lists answered`,
      `RSS sampled peak ${sampledPeak.toFixed(1)} MiB, at end ${end.rss.toFixed(1)} MiB`,
    ].join('; ');
    await stopServer(server.child);
    const bare = await bareNodeServerRss();
    const tasks = await afterCompletedTasks();
    return [
      {
        name: 'server RSS idle (dist, after start and warm-up)',
        baseline: `target ${IDLE_TARGET_MIB} MiB`,
        value: idle.rss,
        baselineValue: IDLE_TARGET_MIB,
        unit: 'MiB',
        ratio: idle.rss / IDLE_TARGET_MIB,
        runs: 1,
        notes: `a bare node:http server after ${WARMUP_REQUESTS} requests: ${bare.toFixed(1)} MiB`,
      },
      {
        name: 'server RSS peak (VmHWM) under API load, tasks running',
        baseline: `target ${PEAK_TARGET_MIB} MiB`,
        value: end.hwm,
        baselineValue: PEAK_TARGET_MIB,
        unit: 'MiB',
        ratio: end.hwm / PEAK_TARGET_MIB,
        runs: 1,
        notes,
      },
      {
        name: `server RSS idle after ${COMPLETED_TASKS} completed tasks (Python fix to merge)`,
        baseline: 'the same server idle before them',
        value: tasks.after,
        baselineValue: tasks.before,
        unit: 'MiB',
        ratio: tasks.after / tasks.before,
        runs: 1,
        notes: `${tasks.outcomes}; ${tasks.heap}; VmHWM ${tasks.hwm.toFixed(1)} MiB (target ${PEAK_TARGET_MIB}); idle target ${IDLE_TARGET_MIB} MiB`,
      },
    ];
  } finally {
    if (server) await stopServer(server.child);
    await driver.stop().catch(() => 0);
    await repo.cleanup();
    await rm(root, { recursive: true, force: true });
  }
}
