import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitTask, waitForTask, waitForTerminal, type TaskJson } from '../helpers/api-client.js';
import {
  greetingEdit,
  NPM_LIBRARY_REPO,
  npmConsumerRepo,
  repoNameOf,
  welcomeEdit,
} from './multi-repo-fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';

const running = (key: string) => (t: TaskJson) =>
  t.steps.some((s) => s.key === key && s.status === 'running');

describe("durability of a multi-repo round: a consumer's edits survive a kill mid-codegen", () => {
  let h: E2EHarness;
  let consumerFiles: Record<string, string | Buffer>;
  beforeAll(async () => {
    [h, consumerFiles] = await Promise.all([startE2E({ max_step_retries: 0 }), npmConsumerRepo()]);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  it('resumes the round with the consumer edited as the model left it, and delivers it without asking again', async () => {
    const library = await h.newRepo(NPM_LIBRARY_REPO);
    const consumer = await h.newRepo(consumerFiles);
    const name = repoNameOf(consumer.origin, 2);
    const before = h.model.requests.length;
    h.model.push(
      greetingEdit('hi'),
      welcomeEdit(name, '', "module.exports = 'hi';\n"),
      // The third call is in flight when the server is killed: its reply never arrives.
      { text: 'Both greet anew.', delayMs: 60_000 },
      { text: 'Both greet anew.' },
    );
    const created = await submitTask(h.server.baseUrl, {
      title: 'Greet with hi',
      repos: [
        { repo: library.origin, role: 'library' },
        { repo: consumer.origin, role: 'consumer' },
      ],
    });
    // Killed once the model has the third request: both edits were made in the two turns before it.
    await waitForTask(
      h.server.baseUrl,
      created.id,
      (t) => running('implement.codegen#1')(t) && h.model.requests.length >= before + 3,
      120_000,
    );
    await h.restart();

    const task = await waitForTerminal(h.server.baseUrl, created.id, 240_000);
    expect(task.error).toBeNull();
    expect(task.status).toBe('merged');
    // The killed call is paid again; the two turns that edited are not.
    expect(h.model.requests.length - before).toBe(4);
    expect(task.pull_requests.map((pr) => [pr.role, pr.status])).toEqual([
      ['library', 'merged'],
      ['consumer', 'merged'],
    ]);
    expect(task.steps.find((s) => s.key === `implement.git_apply@${name}#1`)?.status).toBe('succeeded');
    expect(await consumer.readFileAt('main', 'welcome.js')).toBe("module.exports = 'hi';\n");
    expect(await library.readFileAt('main', 'index.js')).toContain("'hi '");
  });
});
