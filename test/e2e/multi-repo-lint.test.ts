import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, as, submitTask, waitForTerminal, type TaskJson } from '../helpers/api-client.js';
import { greetingEdit, NPM_LIBRARY_REPO, npmConsumerRepo, repoNameOf } from './multi-repo-fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';

/**
 * The consumer's own file, with a lint finding before any change (an unused require): autodev's
 * default JavaScript linter (the consumer configures none) reports it on the base.
 */
const WELCOME = "'use strict';\n\nconst path = require('path');\n\nmodule.exports = 'hello';\n";

interface EventJson {
  type: string;
  data: Record<string, unknown>;
}

describe("a multi-repo task's consumer judged against its own lint baseline", () => {
  let h: E2EHarness;
  let consumerFiles: Record<string, string | Buffer>;
  beforeAll(async () => {
    [h, consumerFiles] = await Promise.all([
      // Reviewers act as named users (their tokens): a review round's lint is judged too.
      startE2E(
        { max_step_retries: 0, review_poll_secs: 0, 'git.reviewers': '["alice", "bob"]' },
        { auth: true },
      ),
      npmConsumerRepo(),
    ]);
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  /** The library greets "hi"; the model then rewrites the consumer's welcome.js line to `replace`. */
  async function run(replace: string): Promise<{
    task: TaskJson;
    name: string;
    decision: Record<string, unknown> | undefined;
  }> {
    const library = await h.newRepo(NPM_LIBRARY_REPO);
    const consumer = await h.newRepo({ ...consumerFiles, 'welcome.js': WELCOME });
    const name = repoNameOf(consumer.origin, 2);
    h.model.push(
      greetingEdit('hi'),
      {
        toolCalls: [
          {
            name: 'apply_edit',
            arguments: {
              repo: name,
              search_replace: [
                { path: 'welcome.js', search: "module.exports = 'hello';\n", replace: `${replace}\n` },
              ],
            },
          },
        ],
      },
      { text: 'The library and its user greet anew.' },
    );
    const created = await submitTask(h.server.baseUrl, {
      title: 'Greet with hi',
      repos: [
        { repo: library.origin, role: 'library' },
        { repo: consumer.origin, role: 'consumer' },
      ],
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id, 120_000);
    const events = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task.id}/events`);
    const decision = (events.body as { events: EventJson[] }).events.find(
      (e) => e.type === 'policy.decision' && 'allow' in e.data,
    )?.data;
    return { task, name, decision };
  }

  const summary = (task: TaskJson, key: string) => task.steps.find((s) => s.key === key)?.output_summary;

  it("does not blame the change for the consumer's pre-existing warning in a file it edits", async () => {
    const { task, name, decision } = await run("module.exports = 'hi';");
    expect(summary(task, `prepare.lint@${name}#1`)).toMatch(/^1 warning\(s\)/);
    expect(summary(task, `verify.lint@${name}#1`)).toMatch(/^1 warning\(s\): 0 introduced, 1 pre-existing/);
    expect(task.error).toBeNull();
    expect(task.status).toBe('merged');
    expect(decision).toMatchObject({ allow: true });
  });

  it('counts a warning the change brings to the consumer, and policy names the consumer', async () => {
    // The tests pass (nothing requires welcome.js): only the consumer's lint sees the undefined name.
    const { task, name, decision } = await run("module.exports = greeting('hi');");
    expect(summary(task, `verify.lint@${name}#1`)).toMatch(/^2 warning\(s\): 1 introduced, 1 pre-existing/);
    expect(task.status).toBe('awaiting_review');
    expect(decision).toMatchObject({
      allow: false,
      deny: expect.arrayContaining([
        {
          code: expect.any(String),
          message: expect.stringMatching(/^Lint warnings must be 0 in .* \(found 1\)/),
        },
      ]),
    });
  });

  it("judges a review round's change to the consumer against the consumer's own lint baseline too", async () => {
    const { task, name } = await run("module.exports = greeting('hi');");
    expect(task.status).toBe('awaiting_review');
    // The reviewer asks for the undefined name to go; the round's fix leaves only the base's warning.
    h.model.push(
      {
        toolCalls: [
          {
            name: 'apply_edit',
            arguments: {
              repo: name,
              search_replace: [
                {
                  path: 'welcome.js',
                  search: "module.exports = greeting('hi');\n",
                  replace: "module.exports = 'hi';\n",
                },
              ],
            },
          },
        ],
      },
      { text: 'welcome.js exports the word itself.' },
    );
    const asked = await api(h.server.baseUrl, `/api/v1/autodev/prs/${task.id}/request-changes`, {
      method: 'POST',
      body: JSON.stringify({ comment: 'welcome.js uses greeting, which it never defines.' }),
      headers: as('alice'),
    });
    expect(asked.status, asked.text).toBe(200);
    const answered = await waitForTerminal(h.server.baseUrl, task.id, 120_000);
    expect(answered.error).toBeNull();
    expect(summary(answered, `review.lint@${name}#1`)).toMatch(
      /^1 warning\(s\): 0 introduced, 1 pre-existing/,
    );
  }, 240_000);
});
