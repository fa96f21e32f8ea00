import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixtureRepo, type FixtureRepo } from '../fixtures/repo.js';
import { api, submitTask, waitForTerminal } from '../helpers/api-client.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';

// A model key variable nobody sets: the runtime reads the environment given here, never the test's.
const KEY_ENV = 'AUTODEV_TEST_UNSET_MODEL_KEY';

describe('a task that cannot succeed ends failed with a code and a clear message; the server keeps serving', () => {
  let t: TestRuntime;
  let repo: FixtureRepo;

  beforeAll(async () => {
    repo = await createFixtureRepo({
      files: {
        'README.md': '# fixture\n',
        // A project whose setup and tests pass at once, so the task reaches the model.
        '.autodev.toml': 'language = "python"\n\n[commands]\nsetup = "true"\ntest = "true"\nlint = "true"\n',
      },
    });
    t = await startTestRuntime({ configToml: `[autodev.llm]\napi_key_env = "${KEY_ENV}"\n`, start: true });
  });
  afterAll(async () => {
    await t?.close();
    await repo?.cleanup();
  });

  it('a repo path that does not exist: failed, REPO_UNREACHABLE, naming the repo', async () => {
    const missing = '/nonexistent/autodev-test/repo.git';
    const created = await submitTask(t.baseUrl, { title: 'Fix nothing', repo: missing });
    const task = await waitForTerminal(t.baseUrl, created.id, 60_000);
    expect(task.status).toBe('failed');
    expect(task.error?.code).toBe('REPO_UNREACHABLE');
    expect(task.error?.message).toContain(missing);
    const clone = task.steps.find((s) => s.tool === 'git_clone');
    expect(clone).toMatchObject({ status: 'failed', error: { code: 'REPO_UNREACHABLE' } });
    // Not retried as if it might come back: one failure ends the task.
    expect(task.steps.filter((s) => s.tool === 'codegen')).toEqual([]);
  });

  it('no model API key: failed, MODEL_API_KEY_MISSING, naming the variable', async () => {
    const created = await submitTask(t.baseUrl, { title: 'Improve the readme', repo: repo.origin });
    const task = await waitForTerminal(t.baseUrl, created.id, 120_000);
    expect(task.status).toBe('failed');
    expect(task.error?.code).toBe('MODEL_API_KEY_MISSING');
    expect(task.error?.message).toContain(KEY_ENV);
    // It got as far as the model: the repo was cloned and the baseline ran.
    expect(task.steps.find((s) => s.tool === 'git_clone')?.status).toBe('succeeded');
    // Nothing was pushed to the origin.
    expect(task.branch).toMatch(new RegExp(`^autodev/${created.id}-`));
    expect(await repo.branchCommit(task.branch ?? '')).toBeUndefined();
  });

  it('still answers /healthz, reads and new submissions afterwards', async () => {
    // A run records its task's end first and leaves the engine's running set just after (its
    // workspace released): the count reaches 0 then, not necessarily by the status read above.
    await expect
      .poll(async () => (await api(t.baseUrl, '/healthz')).body, { timeout: 30_000 })
      .toMatchObject({ status: 'ok', running_tasks: 0 });
    const health = await api(t.baseUrl, '/healthz');
    expect(health.status).toBe(200);
    const list = await api(t.baseUrl, '/api/v1/autodev/tasks?status=failed');
    expect(list.status).toBe(200);
    const next = await api(t.baseUrl, '/api/v1/autodev/tasks', {
      method: 'POST',
      body: JSON.stringify({ title: 'After the failures', repo: '/nonexistent/again.git' }),
    });
    expect(next.status).toBe(201);
    expect(t.logs()).not.toContain('"level":50');
  });
});
