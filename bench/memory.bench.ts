/**
 * The server's memory as an operator sees it (issue #24 item 7): the built `autodev serve`
 * (dist/, plain node, no tsx) in its own process, its RSS read from /proc. Idle: after start-up and
 * a warm-up of requests. Peak: the process's high-water mark (VmHWM) after 300 task submissions and
 * 3,000 GET /tasks, 32 in flight, while a slow scripted model keeps max_parallel_tasks tasks running.
 * Targets: idle ≤ 128 MiB, peak ≤ 256 MiB. `npm run build` first: the bench measures dist/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFixtureRepo } from '../test/fixtures/repo.js';
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

const PYTHON_REPO = {
  'calc.py': 'def add(a, b):\n    return a - b\n',
  'test_calc.py': 'from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n',
};

/** VmRSS and VmHWM of a process, in MiB. */
async function memoryOf(pid: number): Promise<{ rss: number; hwm: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rss: kib('VmRSS') / 1024, hwm: kib('VmHWM') / 1024 };
}

async function startBuiltServer(
  root: string,
  modelUrl: string,
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
    ].join('\n'),
  );
  const child = spawn(process.execPath, [MAIN, 'serve', '--config', config, '--port', '0'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      LANG: 'C.UTF-8',
      BENCH_MODEL_KEY: 'sk-bench-memory-0123456789',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
    return [
      {
        name: 'server RSS idle (dist, after start and warm-up)',
        baseline: `target ${IDLE_TARGET_MIB} MiB`,
        value: idle.rss,
        baselineValue: IDLE_TARGET_MIB,
        unit: 'MiB',
        ratio: idle.rss / IDLE_TARGET_MIB,
        runs: 1,
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
    ];
  } finally {
    if (server && server.child.exitCode === null) {
      const exited = new Promise((resolve) => server?.child.once('exit', resolve));
      server.child.kill('SIGTERM');
      const killer = setTimeout(() => server?.child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    await driver.stop().catch(() => 0);
    await repo.cleanup();
    await rm(root, { recursive: true, force: true });
  }
}
