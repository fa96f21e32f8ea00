import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, waitForTerminal, type TaskJson } from '../helpers/api-client.js';
import { startLocalGoProxy, type LocalGoProxy } from '../helpers/go-module-proxy.js';
import { startLocalNpmRegistry, type LocalNpmRegistry } from '../helpers/verdaccio.js';
import { createSeededRandom } from '../helpers/seeded-random.js';
import { startE2E, type E2EHarness } from './harness.js';

const exec = promisify(execFile);
const DAY_MS = 86_400_000;

interface Group {
  key: string;
  task_id: string;
  updates: { name: string; from: string; to: string; type: string; toRange: string; ageDays: number }[];
}
interface ScanResult {
  created: Group[];
  skipped: { ecosystem: string; name: string; from: string; to: string; reason: string }[];
  error?: { code: string; message: string };
}

/**
 * Dependency updates of a Go module (issue #22) against a Go module proxy served as static files on
 * loopback, filled at test time. The server's go is configured for it the way a private proxy's user
 * configures go: GOPROXY names it, GOSUMDB=off (its modules are in no public checksum database).
 */
describe('Go dependency updates through the API, against a local module proxy', () => {
  let h: E2EHarness;
  let proxy: LocalGoProxy;
  let registry: LocalNpmRegistry;
  const random = createSeededRandom(Number(process.env['AUTODEV_TEST_SEED'] ?? Date.now() % 1_000_000));
  // An upper-case letter in the path: the proxy protocol's case encoding is on the way.
  const mathx = `example.test/Tiny/mathx${random.from('abcdefghijklmnopqrstuvwxyz', 6)}`;
  const goEnv = (proxyUrl: string) => ({ GOPROXY: proxyUrl, GOSUMDB: 'off' });
  const pad = `tiny-pad-${random.from('abcdefghijklmnopqrstuvwxyz', 6)}`;
  const mathxFiles = (body: string) => ({ 'mathx.go': `package mathx\n\n${body}\n` });

  beforeAll(async () => {
    console.log(`dependency-updates-go seed ${String(random.seed)}`);
    proxy = await startLocalGoProxy();
    // Published ten days ago: older than the default minimum_release_age, so the age comes from .info.
    await proxy.publish(
      mathx,
      'v1.0.0',
      mathxFiles('func Add(a, b int) int { return a + b }'),
      new Date(Date.now() - 10 * DAY_MS),
    );
    registry = await startLocalNpmRegistry();
    await registry.publish(pad, '1.0.0', { 'index.js': 'module.exports = (s) => ` ${s}`;\n' });
    h = await startE2E(
      { setup_network: true, setup_network_allow: `["${proxy.hostPort}", "${registry.hostPort}"]` },
      { extraEnv: goEnv(proxy.url) },
    );
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await proxy?.close();
    await registry?.close();
  });

  /** A module requiring mathx at `version`, its go.sum written by go itself against the proxy. */
  async function goRepo(version: string, extra: Record<string, string>) {
    const work = await mkdtemp(join(tmpdir(), 'autodev-go-sum-'));
    const goMod = `module example.test/app\n\ngo 1.21\n\nrequire ${mathx} ${version} // the sums\n`;
    const files: Record<string, string> = {
      'go.mod': goMod,
      'calc.go': `package calc\n\nimport "${mathx}"\n\n// Total adds xs.\nfunc Total(xs []int) int {\n\tt := 0\n\tfor _, x := range xs {\n\t\tt = mathx.Add(t, x)\n\t}\n\treturn t\n}\n`,
      'calc_test.go': `package calc\n\nimport "testing"\n\nfunc TestTotal(t *testing.T) {\n\tif Total([]int{2, 3}) != 5 {\n\t\tt.Fatal("total")\n\t}\n}\n`,
      ...extra,
    };
    try {
      for (const [name, text] of Object.entries(files)) {
        await mkdir(dirname(join(work, name)), { recursive: true });
        await writeFile(join(work, name), text);
      }
      await exec('go', ['mod', 'tidy'], {
        cwd: work,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: work,
          GOMODCACHE: join(work, '.modcache'),
          GOFLAGS: '-mod=mod',
          GOTOOLCHAIN: 'local',
          ...goEnv(proxy.url.replace('127.1', '127.0.0.1')),
        },
      });
      const goSum = await readFile(join(work, 'go.sum'), 'utf8');
      const tidied = await readFile(join(work, 'go.mod'), 'utf8');
      return await h.newRepo({ ...files, 'go.mod': tidied, 'go.sum': goSum });
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  }

  async function scan(repo: string): Promise<{ status: number; body: ScanResult }> {
    const { status, body } = await api(h.server.baseUrl, '/api/v1/autodev/updates', {
      method: 'POST',
      body: JSON.stringify({ repo, base_branch: 'main' }),
    });
    return { status, body: body as ScanResult };
  }

  let patchRepo: Awaited<ReturnType<typeof goRepo>>;
  it('a version younger than minimum_release_age (its .info Time) is skipped and named; nothing is opened', async () => {
    const young = await goRepo('v1.0.0', { '.autodev.toml': '[updates]\nminimum_release_age = 5\n' });
    patchRepo = await goRepo('v1.0.0', {
      '.autodev.toml': '[updates]\nminimum_release_age = 2\nrisk = { patch = "low" }\n',
    });
    await proxy.publish(
      mathx,
      'v1.0.1',
      {
        ...mathxFiles('func Add(a, b int) int { return b + a }'),
        'CHANGELOG.md':
          '# Changes\n\n## v1.0.1\n\n- Add adds <b>the other way</b> round\n\n## v1.0.0\n\n- first\n',
      },
      new Date(Date.now() - 3 * DAY_MS),
    );
    await proxy.publish(
      mathx,
      'v1.0.2',
      mathxFiles('func Add(a, b int) int { return a + b + 0 }'),
      new Date(),
    );
    const { status, body } = await scan(young.origin);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.created).toEqual([]);
    expect(body.skipped).toEqual([
      { ecosystem: 'go', name: mathx, from: 'v1.0.0', to: 'v1.0.2', reason: 'too_young' },
    ]);
  });

  it('a patch update is opened, tested and merged at low; go.mod changes only in its version, go.sum gains it', async () => {
    const before = await patchRepo.readFileAt('main', 'go.mod');
    const { status, body } = await scan(patchRepo.origin);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.created).toHaveLength(1);
    const group = body.created[0] as Group;
    // v1.0.2 is too young: the older patch, three days old by its .info, is proposed instead.
    expect(group.updates).toMatchObject([
      { name: mathx, from: 'v1.0.0', to: 'v1.0.1', type: 'patch', toRange: 'v1.0.1', ageDays: 3 },
    ]);
    expect(body.skipped.map((s) => `${s.to}:${s.reason}`)).toEqual(['v1.0.2:too_young']);
    const task = await waitForTerminal(h.server.baseUrl, group.task_id, 240_000);
    expect(task.error).toBeNull();
    expect((task as TaskJson & { risk_tier: string }).risk_tier).toBe('low');
    expect(task.status).toBe('merged');
    expect(task.steps.map((s) => s.tool)).toContain('dependency_update');
    expect(task.steps.map((s) => s.tool)).not.toContain('codegen');
    // The tests after the change ran offline on the new version, which the lock step fetched.
    const tests = task.steps.filter((s) => s.tool === 'test');
    expect(tests.at(-1)?.phase).not.toBe('prepare');
    expect(tests.at(-1)?.output_summary).toMatch(/^passed: go \(\.\): 1 passed, 0 failed/);
    expect(await patchRepo.readFileAt('main', 'go.mod')).toBe(
      before?.replace(`${mathx} v1.0.0 // the sums`, `${mathx} v1.0.1 // the sums`),
    );
    const goSum = (await patchRepo.readFileAt('main', 'go.sum')) ?? '';
    expect(goSum).toMatch(new RegExp(`^${mathx.replace(/\./g, '\\.')} v1\\.0\\.1 h1:`, 'm'));
    // The pull request body quotes the changelog at the module zip's root, sanitised.
    const trail = (await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task.id}/events`)).body as {
      events: { type: string; data: Record<string, unknown> }[];
    };
    const prBody = String(trail.events.find((e) => e.type === 'pr.opened')?.data.body);
    expect(prBody).toContain(
      `\`${mathx}\` v1.0.0 → v1.0.1, from the package's changelog (the publisher's words, quoted):\n\n> ## v1.0.1\n>\n> - Add adds &lt;b>the other way&lt;/b> round`,
    );
    expect(prBody).not.toContain('- first');
  }, 300_000);

  it('a group rule across ecosystems makes one task: go.mod and package.json each edited and locked by their own tool', async () => {
    const manifest = `${JSON.stringify({ name: 'app', version: '1.0.0', private: true, scripts: { test: 'node --test test/' }, dependencies: { [pad]: '^1.0.0' } }, null, 2)}\n`;
    const work = await mkdtemp(join(tmpdir(), 'autodev-npm-lock-'));
    await writeFile(join(work, 'package.json'), manifest);
    await writeFile(join(work, '.npmrc'), `registry=${registry.url}\n`);
    await exec('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: work,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work },
    });
    const lock = await readFile(join(work, 'package-lock.json'), 'utf8');
    await rm(work, { recursive: true, force: true });
    const repo = await goRepo('v1.0.0', {
      'package.json': manifest,
      'package-lock.json': lock,
      '.npmrc': `registry=${registry.url}\n`,
      'test/ok.test.js': "require('node:test')('ok', () => {});\n",
      '.autodev.toml':
        '[updates]\nminimum_release_age = 0\nrisk = { patch = "low" }\n[[updates.group]]\nname = "patches"\nupdate_types = ["patch"]\n',
    });
    await registry.publish(pad, '1.0.1', { 'index.js': 'module.exports = (s) => ` ${s}`;\n' });
    const { body } = await scan(repo.origin);
    expect(body.created.map((g) => g.key)).toEqual(['patches']);
    const group = body.created[0] as Group;
    expect(group.updates.map((u) => `${u.name}@${u.to}`)).toEqual([`${mathx}@v1.0.2`, `${pad}@1.0.1`]);
    const task = await waitForTerminal(h.server.baseUrl, group.task_id, 240_000);
    expect(task.error).toBeNull();
    expect(task.status).toBe('merged');
    expect(await repo.readFileAt('main', 'go.mod')).toContain(`${mathx} v1.0.2 // the sums`);
    expect(await repo.readFileAt('main', 'package.json')).toContain(`"${pad}": "^1.0.1"`);
    const npmLock = JSON.parse((await repo.readFileAt('main', 'package-lock.json')) ?? '{}') as {
      packages: Record<string, { version?: string }>;
    };
    expect(npmLock.packages[`node_modules/${pad}`]?.version).toBe('1.0.1');
    expect(await repo.readFileAt('main', 'go.sum')).toContain(`${mathx} v1.0.2 h1:`);
  }, 300_000);

  it('a module proxy that is down fails the scan with a clear go error, and no task is made', async () => {
    const count = async () =>
      ((await api(h.server.baseUrl, '/api/v1/autodev/tasks?limit=200')).body as { tasks: TaskJson[] }).tasks
        .length;
    const tasksBefore = await count();
    await proxy.stop();
    try {
      const { status, body } = await scan(patchRepo.origin);
      expect(status).toBe(502);
      expect(body.error?.code).toBe('UPDATE_REGISTRY_UNREACHABLE');
      expect(body.error?.message).toBe(
        `go module proxy ${proxy.url} could not be read for ${mathx}: ECONNREFUSED`,
      );
      expect(await count()).toBe(tasksBefore);
    } finally {
      await proxy.start();
    }
  });
});
