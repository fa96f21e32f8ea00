import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, submitTask, waitForTask, waitForTerminal, type TaskJson } from '../helpers/api-client.js';
import { runCli } from '../helpers/cli-process.js';
import { startTemporalDevServer, type TemporalDevServer } from '../helpers/temporal-server.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from './fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';

const running = (key: string) => (t: TaskJson) =>
  t.steps.some((s) => s.key === key && s.status === 'running');

async function closedPort(): Promise<number> {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 1));
    });
  });
}

function configFile(toml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'autodev-engine-cfg-')), 'config.toml');
  writeFileSync(file, toml);
  return file;
}

describe('the temporal engine: start-up checks', () => {
  it('serve and worker say Temporal is unreachable, at which address, and exit non-zero', async () => {
    const address = `127.0.0.1:${await closedPort()}`;
    const dataDir = mkdtempSync(join(tmpdir(), 'autodev-engine-data-'));
    const file = configFile(
      `[autodev]\ndata_dir = "${dataDir}"\n\n[autodev.engine]\nkind = "temporal"\naddress = "${address}"\n`,
    );
    for (const args of [
      ['serve', '--config', file, '--port', '0'],
      ['worker', '--config', file],
    ]) {
      const result = await runCli(args);
      expect(result.code, args[0]).not.toBe(0);
      expect(result.stderr).toContain('ENGINE_UNREACHABLE');
      expect(result.stderr).toContain(`Temporal is unreachable at ${address}`);
    }
  }, 60_000);

  it('refuses a bad engine setting by its key, and a worker without the temporal engine', async () => {
    const bad = configFile('[autodev.engine]\nkind = "celery"\n');
    const refused = await runCli(['worker', '--config', bad]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/CONFIG_INVALID.*autodev\.engine\.kind/s);

    const embedded = configFile('[autodev]\ndata_dir = "/tmp/autodev-unused"\n');
    const worker = await runCli(['worker', '--config', embedded]);
    expect(worker.code).not.toBe(0);
    expect(worker.stderr).toContain('[autodev.engine] kind: autodev worker needs "temporal"');

    const env = await runCli(['worker', '--config', embedded], { AUTODEV_TEMPORAL_ADDRESS: 'http://x:1/' });
    expect(env.stderr).toContain('AUTODEV_TEMPORAL_ADDRESS="http://x:1/": expected host:port');
  }, 60_000);
});

describe('the temporal engine: a worker killed mid-command', () => {
  let h: E2EHarness;
  let temporal: TemporalDevServer;
  beforeAll(async () => {
    temporal = await startTemporalDevServer();
    h = await startE2E({ max_step_retries: 1 }, { temporal: { address: temporal.address } });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await temporal?.close();
  }, 120_000);

  it('resumes on the new worker from the checkpoints: one workflow, one model call, one commit, merged', async () => {
    const repo = await h.newRepo({
      ...PYTHON_BUGGY_REPO,
      'test_calc.py': `import time\n\ntime.sleep(3)\n\n${PYTHON_BUGGY_REPO['test_calc.py']}`,
    });
    h.model.push({ text: PYTHON_FIX_REPLY });
    const calls = h.model.requests.length;
    const created = await submitTask(h.server.baseUrl, {
      title: 'Fix add() while workers die',
      description: 'add(2, 3) must be 5.',
      repo: repo.origin,
      risk_tier: 'low',
    });
    await waitForTask(h.server.baseUrl, created.id, running('verify.test#1'));
    // kill -9 of the API and its worker mid-command; the new process starts the same task's
    // workflow again (signal-with-start on the task id), which must not make a second one.
    await h.restart();
    const task = await waitForTerminal(h.server.baseUrl, created.id, 150_000);
    expect(task.error).toBeNull();
    expect(task.status).toBe('merged');
    expect(h.model.requests.length - calls).toBe(1);
    expect(task.steps.filter((s) => s.tool === 'codegen')).toHaveLength(1);
    const events = (await api(h.server.baseUrl, `/api/v1/autodev/tasks/${created.id}/events`)).body as {
      events: { type: string; data: Record<string, unknown> }[];
    };
    const reused = events.events.filter((e) => e.type === 'step.reused').map((e) => e.data.key);
    expect(reused).toEqual(expect.arrayContaining(['plan.plan#1', 'implement.codegen#1']));
    expect(events.events.filter((e) => e.type === 'pr.merged')).toHaveLength(1);

    const connection = await Connection.connect({ address: temporal.address });
    try {
      const client = new Client({ connection });
      const runs = [];
      for await (const run of client.workflow.list({ query: `WorkflowId = '${created.id}'` })) runs.push(run);
      expect(runs).toHaveLength(1);
      expect(await client.workflow.getHandle(created.id).result()).toBe('merged');
    } finally {
      await connection.close();
    }
  }, 200_000);
});
