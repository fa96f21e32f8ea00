import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitTask, waitForTerminal } from '../helpers/api-client.js';
import { PYTHON_BUGGY_REPO } from './fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';

/** A new file of `lines` lines as a unified diff. */
function newFileDiff(path: string, lines: number): string {
  const body = Array.from({ length: lines }, (_, i) => `+x_${i} = ${i}`).join('\n');
  return ['```diff', `--- /dev/null`, `+++ b/${path}`, `@@ -0,0 +1,${lines} @@`, body, '```', ''].join('\n');
}

/** Issue #11 item 9: a change past the configured size never lands, and the error names the key. */
describe('a change larger than the configured limits', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E({ max_step_retries: 0, max_files_changed: 2, max_diff_bytes: 4096 });
  });
  afterAll(() => h?.close());

  const submit = (repo: string) =>
    submitTask(h.server.baseUrl, {
      title: 'Fix add() in calc',
      description: 'add(2, 3) returns -1; it must return 5.',
      repo,
      base_branch: 'main',
      risk_tier: 'low',
    });

  it('fails CHANGE_TOO_LARGE naming max_files_changed, and pushes nothing', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    h.model.push({ text: ['a.py', 'b.py', 'c.py'].map((f) => newFileDiff(f, 1)).join('\n') });
    const task = await waitForTerminal(h.server.baseUrl, (await submit(repo.origin)).id);
    expect(task.status).toBe('failed');
    expect(task.error?.code).toBe('CHANGE_TOO_LARGE');
    expect(task.error?.message).toContain('max_files_changed');
    expect(await repo.branchCommit(task.branch ?? 'autodev/none')).toBeUndefined();
  });

  it('fails CHANGE_TOO_LARGE naming max_diff_bytes, and pushes nothing', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    h.model.push({ text: newFileDiff('big.py', 1000) });
    const task = await waitForTerminal(h.server.baseUrl, (await submit(repo.origin)).id);
    expect(task.status).toBe('failed');
    expect(task.error?.code).toBe('CHANGE_TOO_LARGE');
    expect(task.error?.message).toContain('max_diff_bytes');
    expect(await repo.branchCommit(task.branch ?? 'autodev/none')).toBeUndefined();
  });
});
