import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, submitTask, waitForTerminal, type TaskJson } from '../helpers/api-client.js';
import { startE2E, type E2EHarness } from './harness.js';

/**
 * A plain JavaScript package that configures no linter (no ESLint config, no tsconfig, no
 * .autodev.toml): the kind that used to end every task with LINT_UNAVAILABLE. It has one warning
 * before any change (an unused require), so the baseline has something to excuse.
 */
const JS_NO_LINTER_REPO = {
  'package.json': JSON.stringify(
    { name: 'sum', version: '1.0.0', scripts: { test: 'node --test' } },
    null,
    2,
  ),
  'lib/sum.js':
    "'use strict';\n\nconst path = require('path');\n\nfunction sum(a, b) {\n  return a - b;\n}\n\nmodule.exports = { sum };\n",
  'test/sum.test.js':
    "const { test } = require('node:test');\nconst assert = require('node:assert');\nconst { sum } = require('../lib/sum.js');\n\ntest('adds', () => {\n  assert.strictEqual(sum(2, 3), 5);\n});\n",
};

function fix(replacement: string): string {
  return ['lib/sum.js', '<<<<<<< SEARCH', '  return a - b;', '=======', replacement, '>>>>>>> REPLACE'].join(
    '\n',
  );
}

interface EventJson {
  type: string;
  data: Record<string, unknown>;
}

async function run(
  h: E2EHarness,
  reply: string,
  title: string,
): Promise<{ task: TaskJson; decision: Record<string, unknown> | undefined; main: string | undefined }> {
  const repo = await h.newRepo(JS_NO_LINTER_REPO);
  h.model.push({ text: reply });
  const created = await submitTask(h.server.baseUrl, {
    title,
    description: 'sum(2, 3) must return 5.',
    repo: repo.origin,
    risk_tier: 'low',
  });
  const task = await waitForTerminal(h.server.baseUrl, created.id);
  const { body } = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task.id}/events`);
  const decision = (body as { events: EventJson[] }).events.find(
    (e) => e.type === 'policy.decision' && 'allow' in e.data,
  )?.data;
  return { task, decision, main: await repo.readFileAt('main', 'lib/sum.js') };
}

describe('a JavaScript repo without any linter configuration, linted by autodev’s defaults', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E({ max_step_retries: 1 });
  });
  afterAll(() => h?.close());

  it('a clean fix merges at low risk; the old unused require is pre-existing, not the change’s', async () => {
    const { task, decision, main } = await run(h, fix('  return a + b;'), 'Fix sum');
    expect(task.error).toBeNull();
    expect(task.status).toBe('merged');
    expect(task.steps.find((s) => s.key === 'verify.lint#1')?.output_summary).toMatch(
      /^1 warning\(s\): 0 introduced, 1 pre-existing/,
    );
    expect(decision).toMatchObject({ allow: true, lint_warnings: [], lint_warnings_preexisting: 1 });
    expect(decision?.lint_unavailable ?? []).toEqual([]);
    expect(main).toContain('return a + b;');
  });

  it('a fix that introduces an undefined name is not merged, and the denial names the lint finding', async () => {
    // The tests pass (the branch calling the undefined function is never reached): only lint sees it.
    const reply = fix('  if (a === undefined) return fallback(b);\n  return a + b;');
    const { task, decision, main } = await run(h, reply, 'Fix sum, sloppily');
    expect(task.error).toBeNull();
    expect(task.status).toBe('awaiting_review');
    expect(decision).toMatchObject({
      allow: false,
      deny: [
        { code: 'LINT_INTRODUCED', message: expect.stringMatching(/^Lint warnings must be 0 \(found 1/) },
      ],
    });
    expect(decision?.lint_warnings).toEqual([
      expect.objectContaining({
        file: 'lib/sum.js',
        rule: 'no-undef',
        message: "'fallback' is not defined.",
      }),
    ]);
    expect(main).toContain('return a - b;');
  });
});
