import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, submitTask, waitForTerminal } from '../helpers/api-client.js';
import { startE2E, type E2EHarness } from './harness.js';
import { repoNameOf } from './multi-repo-fixtures.js';

/** A repository whose commands need no toolchain: the run's shape is what is under test here. */
function shellRepo(file: string, content: string): Record<string, string> {
  return {
    [file]: content,
    '.autodev.toml': `language = "python"\n\n[commands]\nsetup = "true"\ntest = "grep -q new ${file}"\nlint = "true"\n`,
  };
}

interface RequestBody {
  messages: { role: string; content: unknown }[];
  tools?: { function: { name: string; parameters: { properties?: Record<string, unknown> } } }[];
}

describe('a multi-repo task run', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E({ max_step_retries: 0 });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('prepares a workspace per repository and applies the model edits to the repository each names', async () => {
    const library = await h.newRepo(shellRepo('lib.txt', 'old library\n'));
    const consumer = await h.newRepo(shellRepo('app.txt', 'old app\n'));
    const heads = [await library.branchCommit('main'), await consumer.branchCommit('main')];
    // The fixtures' origins share their last segment: each is named by it and its place in the task.
    expect(library.origin.split('/').pop()).toBe(consumer.origin.split('/').pop());
    const base = repoNameOf(library.origin);
    const [libraryName, consumerName] = [`${base}-1`, `${base}-2`];
    const before = h.model.requests.length;
    h.model.push(
      {
        toolCalls: [
          { name: 'read_file', arguments: { path: 'app.txt', repo: 'nowhere' } },
          {
            name: 'apply_edit',
            arguments: {
              search_replace: [{ path: 'lib.txt', search: 'old library\n', replace: 'new library\n' }],
            },
          },
          {
            name: 'apply_edit',
            arguments: {
              repo: consumerName,
              search_replace: [{ path: 'app.txt', search: 'old app\n', replace: 'new app\n' }],
            },
          },
        ],
      },
      { text: 'Both repositories are changed.' },
    );
    const created = await submitTask(h.server.baseUrl, {
      title: 'Rename in the library and its user',
      repos: [
        { repo: library.origin, role: 'library' },
        { repo: consumer.origin, role: 'consumer' },
      ],
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id, 60_000);
    // The consumer does not depend on the library: it cannot be built against it, which says so.
    expect(task.error?.code).toBe('LINK_FAILED');
    const keys = task.steps.map((s) => `${s.key}:${s.status}`);
    for (const key of [
      'prepare.git_clone#1',
      `prepare.git_clone@${consumerName}#1`,
      `prepare.file_list@${consumerName}#1`,
      `setup.setup@${consumerName}#1`,
      `prepare.test@${consumerName}#1`,
      'implement.codegen#1',
      'implement.git_apply#1',
      `implement.git_apply@${consumerName}#1`,
    ]) {
      expect(keys).toContain(`${key}:succeeded`);
    }
    // Each baseline ran in its own worktree: the library's grep fails on its file, so does the consumer's.
    const consumerApply = task.steps.find((s) => s.key === `implement.git_apply@${consumerName}#1`);
    expect(consumerApply?.output_summary).toMatch(/1 file\(s\)/);
    const codegen = task.steps.find((s) => s.key === 'implement.codegen#1');
    expect(codegen?.output_summary).toMatch(/^2 file\(s\) changed/);

    const [first, second] = h.model.requests.slice(before).map((r) => r.body as RequestBody);
    // The model is shown the repositories and the `repo` parameter on its tools.
    const readFile = first?.tools?.find((t) => t.function.name === 'read_file');
    expect(readFile?.function.parameters.properties?.repo).toMatchObject({
      enum: [libraryName, consumerName],
    });
    expect(JSON.stringify(first?.messages)).toContain(`${consumerName} (consumer)`);
    // An unknown repository is the model's to correct, named in the error it reads.
    expect(JSON.stringify(second?.messages)).toContain(
      'repo: \\"nowhere\\" is not a repository of this task',
    );
    // Nothing was pushed: both origins are as they were.
    expect([await library.branchCommit('main'), await consumer.branchCommit('main')]).toEqual(heads);
    const events = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${created.id}/events`);
    expect(JSON.stringify(events.body)).not.toContain('pr.opened');
  });
});
