import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitTask, waitForTerminal, type TaskJson } from '../helpers/api-client.js';
import { greetingEdit, NPM_LIBRARY_REPO, npmConsumerRepo } from './multi-repo-fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';

function step(task: TaskJson, key: string): TaskJson['steps'][number] | undefined {
  return task.steps.find((s) => s.key === key);
}

describe('a multi-repo npm task: the consumer tested against the changed library', () => {
  let h: E2EHarness;
  let consumerFiles: Record<string, string | Buffer>;
  beforeAll(async () => {
    [h, consumerFiles] = await Promise.all([startE2E({ max_step_retries: 0 }), npmConsumerRepo()]);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  async function run(
    word: string,
  ): Promise<{ task: TaskJson; consumerName: string; heads: (string | undefined)[][] }> {
    const library = await h.newRepo(NPM_LIBRARY_REPO);
    const consumer = await h.newRepo(consumerFiles);
    const before = [await library.branchCommit('main'), await consumer.branchCommit('main')];
    h.model.push(greetingEdit(word), { text: 'The library greets anew.' });
    const created = await submitTask(h.server.baseUrl, {
      title: `Greet with ${word}`,
      repos: [
        { repo: library.origin, role: 'library' },
        { repo: consumer.origin, role: 'consumer' },
      ],
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id, 120_000);
    const after = [await library.branchCommit('main'), await consumer.branchCommit('main')];
    const base = (consumer.origin.split('/').pop() ?? '').replace(/\.git$/, '');
    return { task, consumerName: `${base}-2`, heads: [before, after] };
  }

  it('passes the consumer built against the changed library, whose published version fails it', async () => {
    const { task, consumerName, heads } = await run('hi');
    // The consumer's test expects "hi": against the published library (its baseline) it fails.
    expect(step(task, `prepare.test@${consumerName}#1`)?.output_summary).toMatch(/^failed/);
    const linked = step(task, `verify.test@${consumerName}#1`);
    expect(linked?.status).toBe('succeeded');
    expect(linked?.output_summary).toMatch(/^passed: linked to greetlib \(npm\)/);
    expect(linked?.output_summary).toContain('against the baseline: pass');
    expect(task.error?.code).toBe('MULTI_REPO_UNSUPPORTED');
    expect(heads[1]).toEqual(heads[0]);
  });

  it('fails the task when the consumer fails against the changed library, naming it', async () => {
    const { task, consumerName, heads } = await run('hey');
    expect(step(task, `verify.test@${consumerName}#1`)?.output_summary).toMatch(
      /^failed: linked to greetlib/,
    );
    expect(task.error?.code).toBe('TESTS_STILL_FAILING');
    expect(task.error?.message).toContain(`${consumerName}: `);
    expect(heads[1]).toEqual(heads[0]);
  });
});
