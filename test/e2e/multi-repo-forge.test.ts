import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, submitTask, waitForTerminal } from '../helpers/api-client.js';
import {
  startGiteaUnderTest,
  startGithubUnderTest,
  startGitlabUnderTest,
  type ForgeFactory,
  type ForgeUnderTest,
} from './forge-adapters.js';
import { greetingEdit, NPM_LIBRARY_REPO, npmConsumerRepo } from './multi-repo-fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';

const TOKEN = 'multi-repo-forge-token-5e2d9c';

const FORGES: [string, ForgeFactory][] = [
  ['Gitea', startGiteaUnderTest],
  ['GitHub', startGithubUnderTest],
  ['GitLab', startGitlabUnderTest],
];

/**
 * A multi-repo task on each hosted forge (the fakes' APIs checked against the forges' published
 * descriptions): a pull request per changed repository, each body linking the others by their forge
 * URLs, merged on the forge, the library first. The user's repository holds a nested path (its
 * vendored tarball of the library), so each fake seeds a real tree with folders.
 */
for (const [name, startForge] of FORGES) {
  describe(`a multi-repo task on ${name}`, () => {
    let forge: ForgeUnderTest;
    let h: E2EHarness;
    beforeAll(async () => {
      // No webhook is delivered here: nobody reviews, the task merges by policy.
      forge = await startForge({
        token: TOKEN,
        webhook: { url: 'http://127.0.0.1:9/unset', secret: 'unset' },
      });
      h = await startE2E(
        {
          provider: `"${forge.provider}"`,
          'git.api_url': `"${forge.apiUrl}"`,
          allowlist_repos: '["127.0.0.1*/team/*"]',
          review_poll_secs: 0,
          max_step_retries: 0,
        },
        { extraEnv: { [forge.tokenEnv]: TOKEN } },
      );
    }, 300_000);
    afterAll(async () => {
      await h?.close();
      await forge?.close();
    });

    it('opens and merges a pull request in the library, then in its user, each linking the other by URL', async () => {
      const libraryRepo = await forge.createRepo('greetlib', NPM_LIBRARY_REPO);
      const userRepo = await forge.createRepo('greeter', await npmConsumerRepo());
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
          { repo: libraryRepo, role: 'library' },
          { repo: userRepo, role: 'consumer' },
        ],
      });
      const task = await waitForTerminal(h.server.baseUrl, created.id, 180_000);
      expect(task.error).toBeNull();
      expect(task.status).toBe('merged');
      const [libraryPulls, userPulls] = [forge.pulls('greetlib'), forge.pulls('greeter')];
      expect(libraryPulls.map((p) => p.state)).toEqual(['merged']);
      expect(userPulls.map((p) => p.state)).toEqual(['merged']);
      const view = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task.id}`);
      const prs = (view.body as { pull_requests: { role: string; url: string | null }[] }).pull_requests;
      expect(prs.map((p) => p.role)).toEqual(['library', 'consumer']);
      const [libraryUrl = 'none', userUrl = 'none'] = prs.map((p) => p.url ?? 'none');
      expect(libraryUrl).toMatch(new RegExp(`/team/greetlib/.*\\b${libraryPulls[0]?.number}$`));
      expect(userUrl).toMatch(new RegExp(`/team/greeter/.*\\b${userPulls[0]?.number}$`));
      // Each body links the other's pull request: the library's was rewritten once the user's existed.
      expect(userPulls[0]?.body).toContain(libraryUrl);
      expect(libraryPulls[0]?.body).toContain(userUrl);
      // The user's change reached its forge's main; the library merged first, then its user.
      expect(await forge.fileAt('greeter', 'main', 'welcome.js')).toBe("module.exports = 'hi';");
      const keys = task.steps.map((s) => s.key);
      expect(keys.indexOf('deliver.pr_merge@greeter#1')).toBeGreaterThan(keys.indexOf('deliver.pr_merge#1'));
      expect(forge.violations().splice(0)).toEqual([]);
    }, 240_000);
  });
}
