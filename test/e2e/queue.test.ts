import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, submitTask, waitForTask, waitForTerminal } from '../helpers/api-client.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from './fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';

describe('the queue: max_parallel_tasks and workspace clean-up', () => {
  let h: E2EHarness;
  // No short deadline here: on a busy machine two whole tasks may take longer than the deadline test's.
  beforeAll(async () => {
    h = await startE2E({ max_parallel_tasks: 1, max_step_retries: 0 });
  });
  afterAll(() => h?.close());

  it('runs one task at a time with max_parallel_tasks = 1, and removes each workspace when it ends', async () => {
    h.model.push({ text: PYTHON_FIX_REPLY, delayMs: 1500 }, { text: PYTHON_FIX_REPLY });
    const first = await submitTask(h.server.baseUrl, {
      title: 'First',
      description: '',
      repo: (await h.newRepo(PYTHON_BUGGY_REPO)).origin,
    });
    const second = await submitTask(h.server.baseUrl, {
      title: 'Second',
      description: '',
      repo: (await h.newRepo(PYTHON_BUGGY_REPO)).origin,
    });

    await waitForTask(h.server.baseUrl, first.id, (t) => t.steps.some((s) => s.tool === 'codegen'));
    const { body } = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${second.id}`);
    expect((body as { status: string }).status).toBe('queued');

    const a = await waitForTerminal(h.server.baseUrl, first.id);
    const b = await waitForTerminal(h.server.baseUrl, second.id);
    expect([a.status, b.status]).toEqual(['merged', 'merged']);
    const bStarted = b.steps[0]?.started_at ?? '';
    const aFinished = a.steps.at(-1)?.finished_at ?? '';
    expect(bStarted >= aFinished).toBe(true);
    // Ended tasks leave neither a workspace nor a sandbox HOME behind: no record, and the folder,
    // when kept, is its repository's spare (named in spares/), which no task owns.
    expect(existsSync(join(h.dataDir, 'workspace-meta', `${first.id}.json`))).toBe(false);
    const folder = join(h.dataDir, 'workspaces', first.id);
    const spares = await Promise.all(
      (await readdir(join(h.dataDir, 'spares'))).map((name) =>
        readFile(join(h.dataDir, 'spares', name), 'utf8'),
      ),
    );
    expect(existsSync(folder) ? spares.map((s) => s.trim()) : [folder]).toContain(folder);
    expect(existsSync(join(h.dataDir, 'homes', first.id))).toBe(false);
    expect(existsSync(join(h.dataDir, 'homes', `${first.id}.steps`))).toBe(false);
  });
});

describe('the queue: task deadline', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E({ max_parallel_tasks: 1, max_step_retries: 0, task_timeout_secs: 8 });
  });
  afterAll(() => h?.close());

  it('fails a task that passes its deadline with TASK_TIMEOUT, and keeps its workspace for debugging', async () => {
    h.model.push({ text: PYTHON_FIX_REPLY, delayMs: 60_000 });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Too slow',
      description: '',
      repo: (await h.newRepo(PYTHON_BUGGY_REPO)).origin,
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id, 30_000);
    expect(task.status).toBe('failed');
    expect(task.error?.code).toBe('TASK_TIMEOUT');
    expect(task.error?.message).toContain('8s');
    expect(existsSync(join(h.dataDir, 'workspaces', created.id))).toBe(true);
    const health = await api(h.server.baseUrl, '/healthz');
    expect(health.status).toBe(200);
  });
});
