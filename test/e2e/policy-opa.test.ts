import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, submitTask, waitForTerminal, type TaskJson } from '../helpers/api-client.js';
import { freePort, SHIPPED_POLICIES, startOpaServer, type OpaServer } from '../helpers/opa-server.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from './fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';

interface EventJson {
  type: string;
  data: Record<string, unknown>;
}

const E2E_POLICY = resolve(import.meta.dirname, '../fixtures/policies/e2e.rego');

/** The fix, plus a new migration file: a schema change. */
const FIX_WITH_MIGRATION = [
  'calc.py',
  '<<<<<<< SEARCH',
  'def add(a, b):',
  '    return a - b',
  '=======',
  'def add(a, b):',
  '    return a + b',
  '>>>>>>> REPLACE',
  '',
  'migrations/001_add_users.sql',
  '<<<<<<< SEARCH',
  '=======',
  'CREATE TABLE users (id INTEGER PRIMARY KEY);',
  '>>>>>>> REPLACE',
].join('\n');

async function run(
  h: E2EHarness,
  reply: string,
  task: { title: string; constraints?: string[] },
): Promise<{
  task: TaskJson;
  decision: Record<string, unknown> | undefined;
  repo: { main: string | undefined };
}> {
  const repo = await h.newRepo(PYTHON_BUGGY_REPO);
  h.model.push({ text: reply });
  const created = await submitTask(h.server.baseUrl, {
    title: task.title,
    description: 'add(2, 3) must return 5.',
    repo: repo.origin,
    risk_tier: 'low',
    constraints: task.constraints ?? [],
  });
  const done = await waitForTerminal(h.server.baseUrl, created.id);
  const { body } = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${done.id}/events`);
  const events = (body as { events: EventJson[] }).events;
  return {
    task: done,
    decision: events.find((e) => e.type === 'policy.decision' && 'allow' in e.data)?.data,
    repo: { main: await repo.readFileAt('main', 'calc.py') },
  };
}

describe('policy decided by a real OPA server, through the API', () => {
  let opa: OpaServer;
  let h: E2EHarness;
  beforeAll(async () => {
    opa = await startOpaServer([SHIPPED_POLICIES, E2E_POLICY]);
    h = await startE2E({ opa_url: `"${opa.url}"`, policy_package: '"e2e/merge"' });
  });
  afterAll(async () => {
    await h?.close();
    await opa?.close();
  });

  it('a clean low-risk fix merges on OPA’s allow', async () => {
    const { task, decision } = await run(h, PYTHON_FIX_REPLY, { title: 'Fix add under OPA' });
    expect(task.error).toBeNull();
    expect(task.status).toBe('merged');
    expect(decision).toMatchObject({ allow: true, deny: [], engine: 'opa:e2e/merge' });
    expect(task.steps.map((s) => s.tool)).toContain('policy');
  });

  it('OPA denying blocks delivery, where the local rules would have merged', async () => {
    const { task, decision, repo } = await run(h, PYTHON_FIX_REPLY, {
      title: 'Fix add, OPA says no',
      constraints: ['opa-e2e: deny'],
    });
    expect(task.error).toBeNull();
    expect(task.status).toBe('awaiting_review');
    expect(decision).toMatchObject({
      allow: false,
      engine: 'opa:e2e/merge',
      deny: [{ code: 'CONSTRAINT_VIOLATED', message: 'The e2e policy refuses this task' }],
    });
    expect(decision?.fallback).toBeUndefined();
    expect(task.pr?.status).toBe('open');
    expect(repo.main).toContain('return a - b');
  });

  it('a .sql migration goes to review with DB_SCHEMA_CHANGE', async () => {
    const { task, decision, repo } = await run(h, FIX_WITH_MIGRATION, { title: 'Fix add and migrate' });
    expect(task.error).toBeNull();
    expect(task.status).toBe('awaiting_review');
    expect(decision).toMatchObject({
      allow: false,
      engine: 'opa:e2e/merge',
      deny: [
        {
          code: 'DB_SCHEMA_CHANGE',
          message: 'DB schema changes require DBA approval: migrations/001_add_users.sql',
        },
      ],
    });
    expect(repo.main).toContain('return a - b');
    const metrics = (await api(h.server.baseUrl, '/metrics')).text;
    expect(metrics).toMatch(/^autodev_policy_denials_total\{reason="DB_SCHEMA_CHANGE"\} 1$/m);
  });
});

describe('OPA configured but down: the task waits for review, marked fallback', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E({ opa_url: `"http://127.0.0.1:${await freePort()}"`, opa_timeout_ms: 1000 });
  });
  afterAll(() => h?.close());

  it('a fix the local rules would merge is not merged on a fallback decision', async () => {
    const { task, decision, repo } = await run(h, PYTHON_FIX_REPLY, { title: 'Fix add, OPA down' });
    expect(task.error).toBeNull();
    expect(task.status).toBe('awaiting_review');
    expect(decision).toMatchObject({
      allow: false,
      fallback: true,
      engine: 'local',
      reason: expect.stringMatching(/^OPA at http:\/\/127\.0\.0\.1:\d+ unreachable: ECONNREFUSED$/),
      deny: [{ code: 'POLICY_FALLBACK', message: expect.stringContaining('ECONNREFUSED') }],
    });
    expect(task.pr?.status).toBe('open');
    expect(repo.main).toContain('return a - b');
    const metrics = (await api(h.server.baseUrl, '/metrics')).text;
    expect(metrics).toMatch(/^autodev_policy_denials_total\{reason="POLICY_FALLBACK"\} 1$/m);
  });
});
