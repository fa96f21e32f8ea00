import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixtureRepo, git, type FixtureRepo } from '../fixtures/repo.js';
import { submitTask, waitForTerminal } from '../helpers/api-client.js';
import { startGitHttpServer, type GitHttpServer } from '../helpers/git-http-server.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';

const RIGHT_TOKEN = 'gitea-right-token-0123456789abcdef';
const WRONG_TOKEN = 'gitea-wrong-token-0123456789abcdef';

/**
 * A private repo on a forge's git server (real git over smart HTTP, which answers 401 to a wrong
 * token as a forge does), reached with a wrong or missing token: the task ends FORGE_AUTH naming the
 * variable that holds the token, not REPO_UNREACHABLE with git's "could not read Username".
 */
describe('a forge token the git remote refuses', () => {
  let fixture: FixtureRepo;
  let server: GitHttpServer;
  let repoUrl: string;

  beforeAll(async () => {
    fixture = await createFixtureRepo({ files: { 'README.md': '# app\n' } });
    const served = join(dirname(fixture.origin), 'served');
    await mkdir(join(served, 'team'), { recursive: true });
    await git(served, ['clone', '-q', '--bare', fixture.origin, join(served, 'team', 'app.git')]);
    const header = `Basic ${Buffer.from(`autodev:${RIGHT_TOKEN}`).toString('base64')}`;
    server = await startGitHttpServer({ root: served, requireAuthorization: header });
    repoUrl = `${server.url}/team/app.git`;
  });
  afterAll(async () => {
    await server?.close();
    await fixture?.cleanup();
  });

  const runWith = async (env: Record<string, string>): Promise<TestRuntime> =>
    startTestRuntime({
      start: true,
      // The allowlist entry names the git server's port: it must match (it never did before).
      configToml: `[autodev]
provider = "gitea"
allowlist_repos = ["${new URL(server.url).host}/team/*"]
max_step_retries = 0
[autodev.git]
api_url = "${server.url}"
`,
      env,
    });

  it.each([
    ['a wrong token', { GITEA_TOKEN: WRONG_TOKEN }, 'the token in GITEA_TOKEN'],
    ['no token', {}, 'GITEA_TOKEN is not set'],
  ])('with %s the task fails FORGE_AUTH naming GITEA_TOKEN', async (_name, env, expected) => {
    const t = await runWith(env);
    try {
      const task = await submitTask(t.baseUrl, { title: 'Touch the readme', repo: repoUrl });
      const done = await waitForTerminal(t.baseUrl, task.id);
      expect(done.status).toBe('failed');
      expect(done.error?.code).toBe('FORGE_AUTH');
      expect(done.error?.message).toContain(expected);
      expect(done.error?.message).toContain('[autodev.git] gitea_token_env');
      expect(JSON.stringify(done)).not.toContain(WRONG_TOKEN);
      expect(t.logs()).not.toContain(WRONG_TOKEN);
    } finally {
      await t.close();
    }
  });
});
