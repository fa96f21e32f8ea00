import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixtureRepo, type FixtureRepo } from '../fixtures/repo.js';
import { api, submitTask, waitForTask, waitForTerminal } from '../helpers/api-client.js';
import { startScriptedModelServer, type ScriptedModelServer } from '../helpers/scripted-model-server.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from './fixtures.js';

describe('the queue: max_parallel_tasks, task deadline, workspace clean-up', () => {
  let model: ScriptedModelServer;
  let server: ServerProcess;
  let dataDir: string;
  const repos: FixtureRepo[] = [];

  beforeAll(async () => {
    model = await startScriptedModelServer();
    dataDir = mkdtempSync(join(tmpdir(), 'autodev-queue-'));
    server = await startServerProcess({
      config: `
[autodev]
data_dir = "${dataDir}"
max_parallel_tasks = 1
max_step_retries = 0
task_timeout_secs = 8

[autodev.llm]
api_url = "${model.openaiUrl}"
api_key_env = "E2E_MODEL_KEY"
`,
      env: { E2E_MODEL_KEY: 'sk-queue-test-key-0123456789' },
    });
  });

  afterAll(async () => {
    await server?.stop();
    await model?.close();
    await Promise.all(repos.map((r) => r.cleanup()));
  });

  const newRepo = async () => {
    const repo = await createFixtureRepo({ files: PYTHON_BUGGY_REPO });
    repos.push(repo);
    return repo;
  };

  it('runs one task at a time with max_parallel_tasks = 1, and removes each workspace when it ends', async () => {
    model.push({ text: PYTHON_FIX_REPLY, delayMs: 1500 }, { text: PYTHON_FIX_REPLY });
    const first = await submitTask(server.baseUrl, {
      title: 'First',
      description: '',
      repo: (await newRepo()).origin,
    });
    const second = await submitTask(server.baseUrl, {
      title: 'Second',
      description: '',
      repo: (await newRepo()).origin,
    });

    await waitForTask(server.baseUrl, first.id, (t) => t.steps.some((s) => s.tool === 'codegen'));
    const { body } = await api(server.baseUrl, `/api/v1/autodev/tasks/${second.id}`);
    expect((body as { status: string }).status).toBe('queued');

    const a = await waitForTerminal(server.baseUrl, first.id);
    const b = await waitForTerminal(server.baseUrl, second.id);
    expect([a.status, b.status]).toEqual(['merged', 'merged']);
    const bStarted = b.steps[0]?.started_at ?? '';
    const aFinished = a.steps.at(-1)?.finished_at ?? '';
    expect(bStarted >= aFinished).toBe(true);
    // Ended tasks leave neither a worktree nor a sandbox HOME behind.
    expect(existsSync(join(dataDir, 'workspaces', first.id))).toBe(false);
    expect(existsSync(join(dataDir, 'homes', first.id))).toBe(false);
  });

  it('fails a task that passes its deadline with TASK_TIMEOUT, and keeps its workspace for debugging', async () => {
    model.push({ text: PYTHON_FIX_REPLY, delayMs: 60_000 });
    const created = await submitTask(server.baseUrl, {
      title: 'Too slow',
      description: '',
      repo: (await newRepo()).origin,
    });
    const task = await waitForTerminal(server.baseUrl, created.id, 30_000);
    expect(task.status).toBe('failed');
    expect(task.error?.code).toBe('TASK_TIMEOUT');
    expect(task.error?.message).toContain('8s');
    expect(existsSync(join(dataDir, 'workspaces', created.id))).toBe(true);
    const health = await api(server.baseUrl, '/healthz');
    expect(health.status).toBe(200);
  });
});
