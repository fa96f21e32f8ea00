import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, submitTask, waitForTerminal } from '../helpers/api-client.js';
import { startFakeGitea, type FakeGitea } from '../helpers/fake-gitea/index.js';
import { greetingEdit, NPM_LIBRARY_REPO, npmConsumerRepo } from './multi-repo-fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';

const TOKEN = 'multi-repo-forge-token-5e2d9c';
const OWNER = 'team';

/**
 * A multi-repo task on a hosted forge (the fake Gitea, its API checked against Gitea's published
 * description): a pull request per changed repository, each body linking the others by their forge
 * URLs, merged on the forge, the library first.
 */
describe('a multi-repo task on a hosted forge', () => {
  let forge: FakeGitea;
  let h: E2EHarness;
  beforeAll(async () => {
    forge = await startFakeGitea({ token: TOKEN });
    h = await startE2E(
      {
        provider: '"gitea"',
        'git.api_url': `"${forge.apiUrl}"`,
        allowlist_repos: '["127.0.0.1*/team/*"]',
        review_poll_secs: 0,
        max_step_retries: 0,
      },
      { extraEnv: { GITEA_TOKEN: TOKEN } },
    );
  }, 300_000);
  afterAll(async () => {
    await h?.close();
    await forge?.close();
  });

  it('opens and merges a pull request in the library, then in its user, each linking the other by URL', async () => {
    await forge.createRepo(OWNER, 'greetlib', NPM_LIBRARY_REPO);
    await forge.createRepo(OWNER, 'greeter', await npmConsumerRepo());
    h.model.push(
      greetingEdit('hi'),
      {
        toolCalls: [
          {
            name: 'apply_edit',
            arguments: {
              repo: 'greeter',
              search_replace: [{ path: 'welcome.js', search: '', replace: "module.exports = 'hi';\n" }],
            },
          },
        ],
      },
      { text: 'The library and its user greet anew.' },
    );
    const created = await submitTask(h.server.baseUrl, {
      title: 'Greet with hi in the library and its user',
      repos: [
        { repo: forge.repoUrl(OWNER, 'greetlib'), role: 'library' },
        { repo: forge.repoUrl(OWNER, 'greeter'), role: 'consumer' },
      ],
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id, 180_000);
    expect(task.error).toBeNull();
    expect(task.status).toBe('merged');
    const [libraryPull, userPull] = [forge.repo(OWNER, 'greetlib'), forge.repo(OWNER, 'greeter')].map(
      (r) => r.pulls,
    );
    expect(libraryPull?.map((p) => p.merged)).toEqual([true]);
    expect(userPull?.map((p) => p.merged)).toEqual([true]);
    const view = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task.id}`);
    const prs = (view.body as { pull_requests: { role: string; url: string | null }[] }).pull_requests;
    expect(prs.map((p) => p.role)).toEqual(['library', 'consumer']);
    const [libraryUrl, userUrl] = prs.map((p) => p.url ?? 'none');
    expect(libraryUrl).toMatch(/\/team\/greetlib\/pulls\/\d+$/);
    expect(userUrl).toMatch(/\/team\/greeter\/pulls\/\d+$/);
    // Each body links the other's pull request: the library's was rewritten once the user's existed.
    expect(userPull?.[0]?.body).toContain(libraryUrl);
    expect(libraryPull?.[0]?.body).toContain(userUrl);
    // The library merged first, then its user.
    const keys = task.steps.map((s) => s.key);
    expect(keys.indexOf('deliver.pr_merge@greeter#1')).toBeGreaterThan(keys.indexOf('deliver.pr_merge#1'));
    expect(forge.violations.splice(0)).toEqual([]);
  }, 240_000);
});
