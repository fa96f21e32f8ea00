import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFixtureRepo, git, type FixtureRepo } from '../fixtures/repo.js';
import { runCli } from '../helpers/cli-process.js';
import { startGitHttpServer, type GitHttpServer } from '../helpers/git-http-server.js';
import { freePort } from '../helpers/opa-server.js';
import { startScriptedModelServer, type ScriptedModelServer } from '../helpers/scripted-model-server.js';
import { startServerProcess } from '../helpers/server-process.js';

const MODEL_KEY = 'sk-doctor-model-key-0123456789abcdef';

interface Report {
  status: string;
  checks: { name: string; status: string; message: string }[];
}

describe('autodev doctor', () => {
  let model: ScriptedModelServer;
  let dir: string;
  beforeAll(async () => {
    model = await startScriptedModelServer([], { apiKey: MODEL_KEY });
    dir = await mkdtemp(join(tmpdir(), 'autodev-doctor-'));
  });
  afterAll(async () => {
    await model?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('--json: the model by environment, an unreachable OPA and the empty allowlist are named, exit 0', async () => {
    const opaUrl = `http://127.0.0.1:${await freePort()}`;
    const { code, stdout, stderr } = await runCli(['doctor', '--json'], {
      AUTODEV_DATA_DIR: join(dir, 'data'),
      AUTODEV_LLM_API_URL: model.openaiUrl,
      AUTODEV_LLM_MODEL: 'scripted-model',
      OPENAI_API_KEY: MODEL_KEY,
      OPA_URL: opaUrl,
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Report;
    const byName = new Map(report.checks.map((c) => [c.name, c]));
    expect(byName.get('model.endpoint')).toMatchObject({ status: 'ok' });
    expect(byName.get('model.endpoint')?.message).toContain('scripted-model');
    expect(byName.get('opa')).toMatchObject({ status: 'warn' });
    expect(byName.get('opa')?.message).toContain(opaUrl);
    expect(byName.get('allowlist')).toMatchObject({ status: 'warn' });
    expect(byName.get('allowlist')?.message).toContain('allowlist_repos');
    expect(byName.get('allowlist')?.message).toContain('AUTODEV_ALLOWED_REPOS');
    expect(report.status).toBe('warn');
    expect(stdout).not.toContain(MODEL_KEY);
  });

  describe('on a hosted forge', () => {
    let fixture: FixtureRepo;
    let server: GitHttpServer;
    beforeAll(async () => {
      fixture = await createFixtureRepo({ files: { 'README.md': '# app\n' } });
      const served = join(dirname(fixture.origin), 'served');
      await mkdir(join(served, 'team'), { recursive: true });
      await git(served, ['clone', '-q', '--bare', fixture.origin, join(served, 'team', 'app.git')]);
      const header = `Basic ${Buffer.from('autodev:gitea-right-token-0123456789').toString('base64')}`;
      server = await startGitHttpServer({ root: served, requireAuthorization: header });
    });
    afterAll(async () => {
      await server?.close();
      await fixture?.cleanup();
    });

    it('fails a token the allowlisted repo refuses, naming its variable, and warns of no reviewers; exit 1', async () => {
      const host = new URL(server.url).host;
      const config = join(dir, 'gitea.toml');
      await writeFile(
        config,
        `[autodev]
provider = "gitea"
allowlist_repos = ["${host}/team/app"]
[autodev.git]
api_url = "${server.url}"
[autodev.llm]
api_url = "${model.openaiUrl}"
`,
      );
      const { code, stdout } = await runCli(['doctor', '--config', config], {
        AUTODEV_DATA_DIR: join(dir, 'data'),
        OPENAI_API_KEY: MODEL_KEY,
        GITEA_TOKEN: 'gitea-wrong-token-0123456789',
      });
      expect(code).toBe(1);
      expect(stdout).toMatch(/^fail\s+forge\.repo\s+.*the token in GITEA_TOKEN/m);
      expect(stdout).toContain('[autodev.git] gitea_token_env');
      expect(stdout).toMatch(/^warn\s+forge\.reviewers\s+\[autodev\.git\] reviewers is empty/m);
      expect(stdout).not.toContain('gitea-wrong-token-0123456789');
    });
  });

  it('logs the self-check at start-up, naming the key to set', async () => {
    const server = await startServerProcess({
      config: `[autodev]\ndata_dir = "${join(dir, 'serve-data')}"\n[autodev.llm]\napi_url = "${model.openaiUrl}"\napi_key_env = "DOCTOR_MODEL_KEY"\n`,
      env: { DOCTOR_MODEL_KEY: MODEL_KEY },
    });
    try {
      for (let i = 0; i < 300 && !server.output().includes('self-check done'); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const output = server.output();
      expect(output).toContain('self-check done');
      expect(output).toMatch(/"check":"allowlist".*allowlist_repos or AUTODEV_ALLOWED_REPOS/);
      expect(output).not.toContain(MODEL_KEY);
    } finally {
      await server.stop();
    }
  });
});
