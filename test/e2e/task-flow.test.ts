import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, as, submitTask, waitForTerminal } from '../helpers/api-client.js';
import {
  PYTHON_BUGGY_REPO,
  PYTHON_FIX_REPLY,
  PYTHON_LINTY_FIX_REPLY,
  PYTHON_LINTY_REPO,
  PYTHON_REPAIR_REPLY,
  PYTHON_WRONG_FIX_REPLY,
  TYPESCRIPT_BUGGY_REPO,
  TYPESCRIPT_FIX_REPLY,
} from './fixtures.js';

import { ALNUM } from '../secrets/corpus.js';
import { suiteRandom } from '../helpers/seeded-random.js';
import { E2E_MODEL_KEY, startE2E, type E2EHarness } from './harness.js';

describe('a task from POST /tasks to a tested fix on a pushed branch', () => {
  const random = suiteRandom();
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E({ max_step_retries: 1, setup_network: true });
  });
  afterAll(() => h?.close());

  it('fixes a Python repo with a failing test and merges it (low risk)', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    h.model.push({ text: PYTHON_FIX_REPLY, usage: { input: 1200, output: 80 } });

    const created = await submitTask(h.server.baseUrl, {
      title: 'Fix add() in calc',
      description: 'add(2, 3) returns -1; it must return 5.',
      repo: repo.origin,
      base_branch: 'main',
      risk_tier: 'low',
      constraints: ['Do not modify public API signatures'],
      acceptance: ['pytest passes'],
    });
    expect(created.status).toBe('queued');
    expect(created.id).toMatch(/^[0-9a-z]{26}$/);

    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.error).toBeNull();
    expect(task.status).toBe('merged');
    expect(task.branch).toMatch(new RegExp(`^autodev/${created.id}-fix-add-in-calc$`));
    // The fix changes a body only: the constraint was checked, and holds.
    expect((await api(h.server.baseUrl, `/api/v1/autodev/tasks/${created.id}`)).body).toMatchObject({
      constraints_checked: [
        {
          text: 'Do not modify public API signatures',
          kind: 'no_public_api_change',
          violated: false,
          details: [],
        },
      ],
    });

    const tools = task.steps.map((s) => s.tool);
    for (const tool of [
      'plan',
      'git_clone',
      'codegen',
      'git_apply',
      'test',
      'git_push',
      'git_pr',
      'pr_merge',
    ]) {
      expect(tools).toContain(tool);
    }
    expect(task.plan?.steps.length).toBeGreaterThan(0);
    const baseline = task.steps.find((s) => s.key === 'prepare.test#1');
    expect(baseline?.output_summary).toMatch(/failed: python \(\.\): 1 passed, 1 failed/);
    const verify = task.steps.find((s) => s.key === 'verify.test#1');
    expect(verify?.output_summary).toMatch(/passed: python \(\.\): 2 passed, 0 failed/);

    // The branch with the fix is on the origin, and the merge fast-forwarded main to it.
    const branchCalc = await repo.readFileAt(task.branch ?? '', 'calc.py');
    expect(branchCalc).toContain('return a + b');
    expect(await repo.branchCommit('main')).toBe(await repo.branchCommit(task.branch ?? ''));
    expect(task.pr).toMatchObject({ status: 'merged', branch: task.branch });

    // The model was called over HTTP with the key from the named variable, and saw the failing test.
    const request = h.model.requests.at(-1);
    expect(request?.headers.authorization).toBe(`Bearer ${E2E_MODEL_KEY}`);
    expect(JSON.stringify(request?.body)).toContain('test_add');

    const events = (await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task.id}/events`)).body as {
      events: { type: string; data: Record<string, unknown> }[];
    };
    const modelCall = events.events.find((e) => e.type === 'model.call');
    expect(modelCall?.data).toMatchObject({ inputTokens: 1200, outputTokens: 80 });
    expect(events.events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['policy.decision', 'pr.opened', 'pr.merged']),
    );

    const list = (await api(h.server.baseUrl, '/api/v1/autodev/tasks')).body as { tasks: { id: string }[] };
    expect(list.tasks[0]?.id).toBe(task.id);
    expect(h.server.output()).not.toContain(E2E_MODEL_KEY);
  });

  it('gives the failing output back to the model and repairs, then leaves medium risk for review', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    h.model.push({ text: PYTHON_WRONG_FIX_REPLY }, { text: PYTHON_REPAIR_REPLY });
    const before = h.model.requests.length;

    const created = await submitTask(h.server.baseUrl, {
      title: 'Fix add() again',
      description: 'add must add.',
      repo: `file://${repo.origin}`,
      risk_tier: 'medium',
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.error).toBeNull();
    expect(task.status).toBe('awaiting_review');
    expect(task.steps.map((s) => s.key)).toEqual(
      expect.arrayContaining(['implement.codegen#1', 'verify.test#1', 'repair.codegen#2', 'repair.test#2']),
    );
    // The repair call carried the failing assertion of the first attempt.
    const repairRequest = h.model.requests[before + 1];
    expect(JSON.stringify(repairRequest?.body)).toMatch(/assert .*6 == 5|test_add/);
    expect(await repo.readFileAt(task.branch ?? '', 'calc.py')).toContain('return a + b');
    // Not merged: main is untouched.
    expect(await repo.readFileAt('main', 'calc.py')).toContain('return a - b');
    expect(task.pr?.status).toBe('open');
  });

  it('streams the audit trail live as server-sent events until the task ends', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    h.model.push({ text: PYTHON_FIX_REPLY, delayMs: 500 });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Watch me',
      description: '',
      repo: repo.origin,
    });

    const response = await fetch(`${h.server.baseUrl}/api/v1/autodev/tasks/${created.id}/events`, {
      headers: { accept: 'text/event-stream', ...as('operator') },
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    // The stream ends by itself when the task reaches its end.
    const text = await response.text();
    const events = text
      .split('\n\n')
      .filter((block) => block.startsWith('id: '))
      .map(
        (block) =>
          JSON.parse(
            block
              .split('\n')
              .find((l) => l.startsWith('data: '))
              ?.slice(6) ?? '{}',
          ) as { id: number; type: string; data: Record<string, unknown> },
      );
    const ids = events.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    expect(events[0]?.type).toBe('task.created');
    expect(events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['step.started', 'model.call', 'pr.opened']),
    );
    expect(events.at(-1)?.data).toMatchObject({ to: 'merged' });
  });

  it('never pushes a change that carries a secret', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    // Random on each run, so no earlier run's store or log can make the checks below pass or fail.
    const leaked = ['ghp', random.from(ALNUM, 36)].join('_');
    h.model.push({
      text: PYTHON_FIX_REPLY.replace('+    return a + b', `+    return a + b  # token ${leaked}`),
    });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Leaky fix',
      description: '',
      repo: repo.origin,
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.status).toBe('failed');
    expect(task.error?.code).toBe('POLICY_DENIED');
    expect(task.error?.message).toMatch(/SECRETS_FOUND.*github-pat in calc\.py:2/);
    expect(task.steps.map((s) => s.tool)).not.toContain('git_push');
    expect(await repo.branchCommit(task.branch ?? '')).toBeUndefined();
    expect(task.pr).toBeNull();
    const events = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task.id}/events`);
    const logs = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task.id}/logs?limit=1000`);
    expect(events.status).toBe(200);
    expect(logs.status).toBe(200);
    // The findings themselves (rule, file, line) are there; the secret is nowhere: not in the task and
    // its step outputs, the events, the command logs, nor the server's own log lines.
    expect(JSON.stringify(task.steps)).toContain('github-pat');
    const everything = JSON.stringify([task, events.body, logs.body]);
    expect(everything).not.toContain(leaked);
    expect(h.server.output()).not.toContain(leaked);
    // A policy denial with its code: in the audit trail and counted under the code.
    const trail = events.body as { events: { type: string; data: Record<string, unknown> }[] };
    const decision = trail.events.find((e) => e.type === 'policy.decision' && 'allow' in e.data);
    expect(decision?.data).toMatchObject({
      allow: false,
      deny: expect.arrayContaining([{ code: 'SECRETS_FOUND', message: 'Secrets detected in changes' }]),
    });
    const metrics = (await api(h.server.baseUrl, '/metrics')).text;
    expect(metrics).toMatch(/^autodev_policy_denials_total\{reason="SECRETS_FOUND"\} [1-9]/m);
    expect(metrics).not.toMatch(/autodev_policy_denials_total\{reason="[^"]* [^"]*"\}/);
  });

  it('leaves a change that adds lint warnings for review, naming them', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    h.model.push({
      text: PYTHON_FIX_REPLY.replace(' def add(a, b):', '+import os\n def add(a, b):').replace(
        '@@ -1,2 +1,2 @@',
        '@@ -1,2 +1,3 @@',
      ),
    });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Sloppy fix',
      description: '',
      repo: repo.origin,
      risk_tier: 'low',
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.error).toBeNull();
    expect(task.status).toBe('awaiting_review');
    const { body } = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task.id}/events`);
    const decision = (body as { events: { type: string; data: Record<string, unknown> }[] }).events.find(
      (e) => e.type === 'policy.decision' && 'allow' in e.data,
    );
    expect(decision?.data).toMatchObject({
      allow: false,
      deny: [
        { code: 'LINT_INTRODUCED', message: expect.stringMatching(/^Lint warnings must be 0 \(found [1-9]/) },
      ],
    });
    expect(JSON.stringify(decision?.data.lint_warnings)).toContain('F401');
    expect(await repo.readFileAt('main', 'calc.py')).toContain('return a - b');
  });

  it('merges a one-line fix in a file whose old lint warnings it leaves alone (low risk)', async () => {
    const repo = await h.newRepo(PYTHON_LINTY_REPO);
    h.model.push({ text: PYTHON_LINTY_FIX_REPLY });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Fix add() beside old warnings',
      description: 'add(2, 3) returns -1; it must return 5.',
      repo: repo.origin,
      risk_tier: 'low',
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.error).toBeNull();
    expect(task.status).toBe('merged');
    expect(task.steps.find((s) => s.key === 'prepare.lint#1')?.output_summary).toMatch(
      /^2 warning\(s\) on the base, the baseline later runs are compared with/,
    );
    expect(task.steps.find((s) => s.key === 'verify.lint#1')?.output_summary).toMatch(
      /^2 warning\(s\): 0 introduced, 2 pre-existing/,
    );
    const { body } = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task.id}/events`);
    const decision = (body as { events: { type: string; data: Record<string, unknown> }[] }).events.find(
      (e) => e.type === 'policy.decision' && 'allow' in e.data,
    );
    expect(decision?.data).toMatchObject({ allow: true, lint_warnings: [], lint_warnings_preexisting: 2 });
    expect(await repo.readFileAt('main', 'calc.py')).toContain('return a + b');
  });

  it('fixes a TypeScript repo (dependencies installed in setup, tests offline)', async () => {
    const repo = await h.newRepo(TYPESCRIPT_BUGGY_REPO);
    h.model.push({ text: TYPESCRIPT_FIX_REPLY });

    const created = await submitTask(h.server.baseUrl, {
      title: 'Greeting needs an exclamation mark',
      description: "greet('Ada') must return 'Hello, Ada!'.",
      repo: repo.origin,
      base_branch: 'main',
      risk_tier: 'low',
      acceptance: ['npm test passes'],
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id, 300_000);
    expect(task.error).toBeNull();
    expect(['merged', 'awaiting_review']).toContain(task.status);
    expect(task.steps.find((s) => s.key === 'setup.setup#1')?.output_summary).toContain('npm ci');
    expect(task.steps.find((s) => s.key === 'verify.test#1')?.output_summary).toMatch(/^passed: node/);
    expect(await repo.readFileAt(task.branch ?? '', 'src/greet.ts')).toContain('Hello, ${name}!');
  });
});
