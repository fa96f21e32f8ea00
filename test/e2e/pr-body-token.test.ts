import { basename, dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALNUM } from '../secrets/corpus.js';
import { suiteRandom } from '../helpers/seeded-random.js';
import { api, submitTask, waitForTerminal } from '../helpers/api-client.js';
import { startGitHttpServer, type GitHttpServer } from '../helpers/git-http-server.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from './fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';

// Random on each run (seed printed on failure), so no earlier run's store or log can make the checks pass.
const TOKEN = ['ghp', suiteRandom().from(ALNUM, 36)].join('_');

describe('a forge token configured while the task pushes over http', () => {
  let h: E2EHarness;
  let forgeGit: GitHttpServer | undefined;
  beforeAll(async () => {
    h = await startE2E({}, { extraEnv: { GITHUB_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await forgeGit?.close();
    await h?.close();
  });

  it('never puts the token in a URL, log, event, pull request body or answer', async () => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    // The fixture's bare repo served over smart HTTP on loopback, as a hosted forge's git would be.
    forgeGit = await startGitHttpServer({ root: dirname(dirname(repo.origin)) });
    const url = `${forgeGit.url}/${basename(dirname(repo.origin))}/origin.git`;
    h.model.push({ text: PYTHON_FIX_REPLY });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Fix add over http',
      description: 'add must add.',
      repo: url,
      risk_tier: 'low',
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.error).toBeNull();
    expect(task.status).toBe('merged');
    // The push and the merge went over http to the served repo.
    expect(await repo.readFileAt('main', 'calc.py')).toContain('return a + b');
    expect(forgeGit.authorizations.length).toBeGreaterThan(0);
    // The local forge has no credentials of its own (gitAuth undefined): the GitHub token is not
    // its to send, so no request carried it, in a header or in the URL.
    expect(forgeGit.authorizations.filter((a) => a !== undefined)).toEqual([]);
    expect(JSON.stringify(task)).not.toContain(TOKEN);

    const answers = await Promise.all(
      [
        `/api/v1/autodev/tasks/${task.id}`,
        `/api/v1/autodev/tasks/${task.id}/events`,
        `/api/v1/autodev/tasks/${task.id}/logs?limit=1000`,
        '/api/v1/autodev/tasks',
        `/api/v1/autodev/prs/${task.id}`,
        '/metrics',
      ].map((path) => api(h.server.baseUrl, path)),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.text).not.toContain(TOKEN);
      expect(answer.text).not.toContain(encodeURIComponent(TOKEN));
    }
    expect(answers[1]?.text).toContain('pr.opened');
    expect(h.server.output()).not.toContain(TOKEN);
  });
});
