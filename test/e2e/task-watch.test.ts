import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2E_USERS } from '../helpers/api-client.js';
import { runCli } from '../helpers/cli-process.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from './fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';

describe('autodev task submit --watch / task watch', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E({ max_step_retries: 1 }, { auth: true });
  });
  afterAll(() => h?.close());

  it('follows the events stream: a line per phase and step with elapsed time, then the outcome', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    h.model.push({ text: PYTHON_FIX_REPLY });
    const env = { AUTODEV_URL: h.server.baseUrl, AUTODEV_TOKEN: E2E_USERS.operator.token };
    const submitted = await runCli(
      ['task', 'submit', '--title', 'Fix add', '--repo', repo.origin, '--risk-tier', 'low', '--watch'],
      env,
    );
    expect(submitted.stderr).toBe('');
    expect(submitted.code).toBe(0);
    const lines = submitted.stdout.trim().split('\n');
    expect(lines.some((l) => /^\[\d\d:\d\d\] executing\s+implement\.codegen#1 \(codegen\)$/.test(l))).toBe(
      true,
    );
    const id = /^([0-9a-z]{26}) /.exec(lines[0] ?? '')?.[1] ?? '';
    expect(lines.at(-1)).toMatch(new RegExp(`^${id} merged  pr: `));

    // Watching a task that already ended prints its state and the outcome at once.
    const watched = await runCli(['task', 'watch', id], env);
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(/\] merged/);
    expect(watched.stdout.trim().split('\n').at(-1)).toMatch(new RegExp(`^${id} merged`));
  });
});
