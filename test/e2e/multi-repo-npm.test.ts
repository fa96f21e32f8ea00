import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, submitTask, waitForTerminal, type TaskJson } from '../helpers/api-client.js';
import { suiteRandom } from '../helpers/seeded-random.js';
import type { ScriptedReply } from '../helpers/scripted-model-server.js';
import { ALNUM } from '../secrets/corpus.js';
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

  const random = suiteRandom();
  const consumerNameOf = (origin: string) => `${(origin.split('/').pop() ?? '').replace(/\.git$/, '')}-2`;

  async function run(
    word: string,
    consumerEdit?: (name: string) => ScriptedReply,
  ): Promise<{ task: TaskJson; consumerName: string; heads: (string | undefined)[][] }> {
    const library = await h.newRepo(NPM_LIBRARY_REPO);
    const consumer = await h.newRepo(consumerFiles);
    const before = [await library.branchCommit('main'), await consumer.branchCommit('main')];
    h.model.push(
      greetingEdit(word),
      ...(consumerEdit ? [consumerEdit(consumerNameOf(consumer.origin))] : []),
      { text: 'The library greets anew.' },
    );
    const created = await submitTask(h.server.baseUrl, {
      title: `Greet with ${word}`,
      repos: [
        { repo: library.origin, role: 'library' },
        { repo: consumer.origin, role: 'consumer' },
      ],
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id, 120_000);
    const after = [await library.branchCommit('main'), await consumer.branchCommit('main')];
    return { task, consumerName: consumerNameOf(consumer.origin), heads: [before, after] };
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
    // A consumer the task did not change is only built: nothing of its own to check.
    expect(task.steps.map((s) => s.key)).not.toContain(`verify.secrets_scan@${consumerName}#1`);
    expect(step(task, 'decide.policy#1')?.status).toBe('succeeded');
    expect(heads[1]).toEqual(heads[0]);
  });

  it('checks a changed consumer and stops the whole task on a secret in it, naming the consumer', async () => {
    const leaked = ['ghp', random.from(ALNUM, 36)].join('_');
    const { task, consumerName, heads } = await run('hi', (name) => ({
      toolCalls: [
        {
          name: 'apply_edit',
          arguments: {
            repo: name,
            search_replace: [{ path: 'notes.js', search: '', replace: `// deploy token ${leaked}\n` }],
          },
        },
      ],
    }));
    for (const tool of ['lint', 'secrets_scan', 'check_deps', 'check_constraints']) {
      expect(step(task, `verify.${tool}@${consumerName}#1`)?.status).toBe('succeeded');
    }
    expect(task.error?.code).toBe('POLICY_DENIED');
    expect(task.error?.message).toMatch(
      new RegExp(`SECRETS_FOUND.*github-pat in ${consumerName}/notes\\.js:1`),
    );
    expect(task.steps.map((s) => s.tool)).not.toContain('git_push');
    const events = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task.id}/events`);
    const trail = events.body as { events: { type: string; data: Record<string, unknown> }[] };
    const decision = trail.events.find((e) => e.type === 'policy.decision' && 'allow' in e.data);
    // The policy saw the consumer as its own entry and denied naming it.
    expect(decision?.data).toMatchObject({
      allow: false,
      deny: expect.arrayContaining([
        { code: 'SECRETS_FOUND', message: expect.stringMatching(/^Secrets detected in changes to /) },
      ]),
    });
    expect(JSON.stringify([task, events.body])).not.toContain(leaked);
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

  it('runs a library and two users: each built against the change, only the changed one checked', async () => {
    const library = await h.newRepo(NPM_LIBRARY_REPO);
    const users = [await h.newRepo(consumerFiles), await h.newRepo(consumerFiles)];
    const before = await Promise.all([library, ...users].map((r) => r.branchCommit('main')));
    const base = (library.origin.split('/').pop() ?? '').replace(/\.git$/, '');
    const [changed, untouched] = [`${base}-2`, `${base}-3`];
    h.model.push(
      greetingEdit('hi'),
      {
        toolCalls: [
          {
            name: 'apply_edit',
            arguments: {
              repo: changed,
              search_replace: [{ path: 'welcome.js', search: '', replace: "module.exports = 'hi';\n" }],
            },
          },
        ],
      },
      { text: 'The library and its first user greet anew.' },
    );
    const created = await submitTask(h.server.baseUrl, {
      title: 'Greet with hi everywhere',
      repos: [
        { repo: library.origin, role: 'library' },
        ...users.map((u) => ({ repo: u.origin, role: 'consumer' })),
      ],
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id, 120_000);
    for (const name of [changed, untouched]) {
      expect(step(task, `verify.test@${name}#1`)?.output_summary).toMatch(
        /^passed: linked to greetlib \(npm\)/,
      );
    }
    expect(step(task, `implement.git_apply@${changed}#1`)?.status).toBe('succeeded');
    expect(step(task, `verify.secrets_scan@${changed}#1`)?.status).toBe('succeeded');
    const keys = task.steps.map((s) => s.key);
    expect(keys).not.toContain(`implement.git_apply@${untouched}#1`);
    expect(keys).not.toContain(`verify.secrets_scan@${untouched}#1`);
    // In table order: the library's checks, each changed user's, then the library's benchmarks.
    expect(keys.indexOf(`verify.lint@${changed}#1`)).toBeGreaterThan(
      keys.indexOf('verify.check_constraints#1'),
    );
    expect(keys.indexOf('verify.bench#1')).toBeGreaterThan(
      keys.indexOf(`verify.check_constraints@${changed}#1`),
    );
    expect(step(task, 'decide.policy#1')?.output_summary).toMatch(/^allow/);
    expect(task.error?.code).toBe('MULTI_REPO_UNSUPPORTED');
    expect(await Promise.all([library, ...users].map((r) => r.branchCommit('main')))).toEqual(before);
  });
});
