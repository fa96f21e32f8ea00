import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, E2E_USERS, waitForTerminal, type TaskJson } from '../helpers/api-client.js';
import { runCli } from '../helpers/cli-process.js';
import { createSeededRandom } from '../helpers/seeded-random.js';
import { startLocalNpmRegistry, type LocalNpmRegistry } from '../helpers/verdaccio.js';
import { createFixtureRepo } from '../fixtures/repo.js';
import { startE2E, type E2EHarness } from './harness.js';

const exec = promisify(execFile);

interface Group {
  key: string;
  task_id: string;
  status: string;
  updates: { name: string; from: string; to: string; type: string; toRange: string }[];
}
interface ScanResult {
  created: Group[];
  open: Group[];
  superseded: Group[];
  found: { name: string; to: string; type: string }[];
  skipped: { name: string; to: string; reason: string }[];
}

/**
 * Dependency updates (issue #22) against a real npm registry: Verdaccio 6.8 on loopback, started
 * here, with packages published at test time. The repositories' .npmrc points at it; autodev
 * reaches it because setup_network_allow names its address (the sandbox's proxy lets nothing else
 * through). The scripted model stands in only for the repair of a major update.
 */
describe('dependency updates through the API, against a local npm registry', () => {
  let h: E2EHarness;
  let registry: LocalNpmRegistry;
  // Package names vary per run (seeded; the seed is printed) so nothing could come from a cache.
  const random = createSeededRandom(Number(process.env['AUTODEV_TEST_SEED'] ?? Date.now() % 1_000_000));
  const suffix = random.from('abcdefghijklmnopqrstuvwxyz', 6);
  const math = `tiny-math-${suffix}`;
  const pad = `tiny-pad-${suffix}`;
  const trim = `tiny-trim-${suffix}`;

  beforeAll(async () => {
    console.log(`dependency-updates seed ${String(random.seed)}`);
    registry = await startLocalNpmRegistry();
    await registry.publish(math, '1.0.0', { 'index.js': 'exports.add = (a, b) => a + b;\n' });
    await registry.publish(pad, '1.2.0', { 'index.js': 'module.exports = (s) => ` ${s}`;\n' });
    await registry.publish(trim, '3.1.0', { 'index.js': 'module.exports = (s) => s.trim();\n' });
    h = await startE2E({
      setup_network: true,
      setup_network_allow: `["${registry.hostPort}"]`,
    });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await registry?.close();
  });

  /** A repository depending on `deps`, locked against the registry as it is now. */
  async function npmRepo(deps: Record<string, string>, files: Record<string, string>) {
    const work = await mkdtemp(join(tmpdir(), 'autodev-npm-lock-'));
    const manifest = `${JSON.stringify(
      {
        name: 'calc-app',
        version: '1.0.0',
        private: true,
        scripts: { test: 'node --test test/' },
        dependencies: deps,
      },
      null,
      2,
    )}\n`;
    await writeFile(join(work, 'package.json'), manifest);
    await writeFile(join(work, '.npmrc'), `registry=${registry.url}\n`);
    await exec('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'], {
      cwd: work,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work },
    });
    const lock = await readFile(join(work, 'package-lock.json'), 'utf8');
    await rm(work, { recursive: true, force: true });
    return h.newRepo({
      'package.json': manifest,
      'package-lock.json': lock,
      '.npmrc': `registry=${registry.url}\n`,
      ...files,
    });
  }

  async function scan(
    repo: string,
  ): Promise<{ status: number; body: ScanResult & { error?: { code: string; message: string } } }> {
    const { status, body } = await api(h.server.baseUrl, '/api/v1/autodev/updates', {
      method: 'POST',
      body: JSON.stringify({ repo, base_branch: 'main' }),
    });
    return { status, body: body as ScanResult & { error?: { code: string; message: string } } };
  }

  const MATH_TEST = {
    'test/calc.test.js': `const test = require('node:test');\nconst assert = require('node:assert');\nconst { total } = require('../calc.js');\ntest('total adds', () => assert.strictEqual(total([2, 3]), 5));\n`,
    'calc.js': `const math = require('${math}');\nexports.total = (xs) => xs.reduce((a, b) => math.add(a, b), 0);\n`,
  };

  let patchRepo: Awaited<ReturnType<typeof npmRepo>>;
  it('a too-young version is skipped and named; nothing is opened', async () => {
    // Both repositories are locked to 1.0.0 before 1.0.1 exists.
    const youngRepo = await npmRepo(
      { [math]: '^1.0.0' },
      { ...MATH_TEST, '.autodev.toml': '[updates]\nminimum_release_age = 2\n' },
    );
    patchRepo = await npmRepo(
      { [math]: '^1.0.0' },
      { ...MATH_TEST, '.autodev.toml': '[updates]\nminimum_release_age = 0\nrisk = { patch = "low" }\n' },
    );
    await registry.publish(math, '1.0.1', {
      'index.js': 'exports.add = (a, b) => a + b; // faster\n',
      'index.d.ts': 'export declare function add(a: number, b: number): number;\n',
    });
    const { status, body } = await scan(youngRepo.origin);
    expect(status).toBe(200);
    expect(body.created).toEqual([]);
    expect(body.skipped).toEqual([
      { ecosystem: 'npm', name: math, from: '1.0.0', to: '1.0.1', reason: 'too_young' },
    ]);
  });

  it('a patch update is opened, tested and merged at low; only the version texts and the lock change', async () => {
    const before = await patchRepo.readFileAt('main', 'package.json');
    const { status, body } = await scan(patchRepo.origin);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.created).toHaveLength(1);
    const group = body.created[0] as Group;
    expect(group.updates).toMatchObject([
      { name: math, from: '1.0.0', to: '1.0.1', type: 'patch', toRange: '^1.0.1' },
    ]);
    const task = await waitForTerminal(h.server.baseUrl, group.task_id, 240_000);
    expect(task.error).toBeNull();
    expect((task as TaskJson & { risk_tier: string }).risk_tier).toBe('low');
    expect(task.status).toBe('merged');
    // 1.0.1 carries no changelog: the description (and so the PR body) says so.
    expect((task as TaskJson & { description: string }).description).toContain(
      `\`${math}\` 1.0.0 → 1.0.1: no release notes found`,
    );
    expect(task.steps.map((s) => s.tool)).toContain('dependency_update');
    expect(task.steps.map((s) => s.tool)).not.toContain('codegen');
    expect(task.steps.find((s) => s.tool === 'check_deps')?.output_summary).toMatch(
      /^dependency update: [1-9]\d* intended change\(s\); nothing else$/,
    );
    const after = await patchRepo.readFileAt('main', 'package.json');
    expect(after).toBe(before?.replace(`"${math}": "^1.0.0"`, `"${math}": "^1.0.1"`));
    const lock = JSON.parse((await patchRepo.readFileAt('main', 'package-lock.json')) ?? '{}') as {
      packages: Record<string, { version?: string }>;
    };
    expect(lock.packages[`node_modules/${math}`]?.version).toBe('1.0.1');
  }, 300_000);

  const SUM_REPAIR = [
    'Version 2 renamed add to sum:',
    '',
    '```diff',
    '--- a/calc.js',
    '+++ b/calc.js',
    '@@ -1,2 +1,2 @@',
    ` const math = require('${math}');`,
    '-exports.total = (xs) => xs.reduce((a, b) => math.add(a, b), 0);',
    '+exports.total = (xs) => xs.reduce((a, b) => math.sum(a, b), 0);',
    '```',
    '',
  ].join('\n');

  it('a major update that breaks a call site is repaired by the model and held for review at high; a rescan opens nothing', async () => {
    // The changelog the package carries: the PR body and the repair round get the 2.0.0 section only,
    // sanitised (no mention pings @alice, no HTML).
    await registry.publish(math, '2.0.0', {
      'index.js': 'exports.sum = (a, b) => a + b;\n',
      'index.d.ts': 'export declare function sum(a: number, b: number): number;\n',
      'CHANGELOG.md': [
        '# Changelog',
        '',
        '## 2.0.0 (2026-01-02)',
        '',
        '- BREAKING: `add` is renamed `sum`, thanks @alice <script>x</script>',
        '',
        '## 1.0.1',
        '',
        '- faster add',
        '',
      ].join('\n'),
    });
    const modelRequestsBefore = h.model.requests.length;
    h.model.push({
      text: [
        'Version 2 renamed add to sum:',
        '',
        '```diff',
        '--- a/calc.js',
        '+++ b/calc.js',
        '@@ -1,2 +1,2 @@',
        ` const math = require('${math}');`,
        '-exports.total = (xs) => xs.reduce((a, b) => math.add(a, b), 0);',
        '+exports.total = (xs) => xs.reduce((a, b) => math.sum(a, b), 0);',
        '```',
        '',
      ].join('\n'),
    });
    const { body } = await scan(patchRepo.origin);
    expect(body.created).toHaveLength(1);
    const group = body.created[0] as Group;
    expect(group.updates).toMatchObject([
      { name: math, from: '1.0.1', to: '2.0.0', type: 'major', toRange: '^2.0.0' },
    ]);
    const task = await waitForTerminal(h.server.baseUrl, group.task_id, 240_000);
    expect(task.error).toBeNull();
    expect((task as TaskJson & { risk_tier: string }).risk_tier).toBe('high');
    expect(task.status).toBe('awaiting_review');
    const tools = task.steps.map((s) => `${s.phase}:${s.tool}`);
    expect(tools).toContain('implement:dependency_update');
    expect(tools).toContain('repair:codegen');
    // The pull request body: the table of updates, and the steps that ran (mechanical, then the model's).
    const trail = (await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task.id}/events`)).body as {
      events: { type: string; data: Record<string, unknown> }[];
    };
    const prBody = String(trail.events.find((e) => e.type === 'pr.opened')?.data.body);
    expect(prBody).toContain(
      `| \`${math}\` | \`^1.0.1\` → \`^2.0.0\` | 1.0.1 → 2.0.0 | major | 0 d | prod |`,
    );
    expect(prBody).toMatch(/\*\*implement\*\* `dependency_update`[\s\S]*\*\*repair\*\* `codegen`/);
    expect(prBody).toContain(
      `\`${math}\` 1.0.1 → 2.0.0, from the package's changelog (the publisher's words, quoted):\n\n> ## 2.0.0 (2026-01-02)\n>\n> - BREAKING: \`add\` is renamed \`sum\`, thanks @\u200balice &lt;script>x&lt;/script>`,
    );
    expect(prBody).not.toContain('faster add');
    // The public API of the two versions' types entries: add went, sum came.
    const apiDiff = prBody.slice(prBody.indexOf('### Public API changes'));
    expect(apiDiff).toContain(`\`${math}\` 1.0.1 → 2.0.0, exports removed (-)`);
    expect(apiDiff).toMatch(/^- index\.d\.ts: .*\badd\(a: number, b: number\)/m);
    expect(apiDiff).toMatch(/^\+ index\.d\.ts: .*\bsum\(a: number, b: number\)/m);
    // The repair round's request carries the same excerpt and API diff.
    const repairRequests = JSON.stringify(h.model.requests.slice(modelRequestsBefore).map((r) => r.body));
    expect(repairRequests).toContain('is renamed');
    expect(repairRequests).toMatch(/\+ index\.d\.ts: [^"]*\bsum\(a: number, b: number\)/);

    const again = await scan(patchRepo.origin);
    expect(again.body.created).toEqual([]);
    expect(again.body.open.map((g) => g.task_id)).toEqual([group.task_id]);
    const state = await api(
      h.server.baseUrl,
      `/api/v1/autodev/updates?repo=${encodeURIComponent(patchRepo.origin)}`,
    );
    const groups = (state.body as { groups: Group[] }).groups;
    expect(groups.map((g) => [g.task_id, g.status])).toContainEqual([group.task_id, 'awaiting_review']);
  }, 300_000);

  it('the CLI scans and lists: `autodev updates scan` finds the open group, `list` shows it with its status', async () => {
    const env = { AUTODEV_URL: h.server.baseUrl, AUTODEV_TOKEN: E2E_USERS.operator.token };
    const scanned = await runCli(['updates', 'scan', patchRepo.origin], env);
    expect(scanned.stderr).toBe('');
    expect(scanned.code).toBe(0);
    expect(scanned.stdout).toMatch(
      new RegExp(
        `^open +\\S+ +awaiting_review +npm-${math}: ${math} 1\\.0\\.1 -> 2\\.0\\.0 \\(major\\)$`,
        'm',
      ),
    );
    const listed = await runCli(['updates', 'list', patchRepo.origin, '--json'], env);
    expect(listed.code).toBe(0);
    const state = JSON.parse(listed.stdout) as { groups: Group[]; last_scan: { created: string[] } };
    expect(state.groups.map((g) => `${g.key}:${g.status}`)).toEqual([
      `npm-${math}:awaiting_review`,
      `npm-${math}:merged`,
    ]);
    expect(state.last_scan.created).toEqual([]);
  }, 120_000);

  it('a newer version replaces the open pull request: the old one is closed with the reason, a new task opened', async () => {
    const before = (await scan(patchRepo.origin)).body.open[0] as Group;
    await registry.publish(math, '2.0.1', { 'index.js': 'exports.sum = (a, b) => a + b;\n' });
    h.model.push({ text: SUM_REPAIR });
    const { body } = await scan(patchRepo.origin);
    expect(body.superseded.map((g) => g.task_id)).toEqual([before.task_id]);
    expect(body.created).toHaveLength(1);
    const group = body.created[0] as Group;
    expect(group.key).toBe(before.key);
    expect(group.updates).toMatchObject([{ name: math, from: '1.0.1', to: '2.0.1', type: 'major' }]);
    const old = await waitForTerminal(h.server.baseUrl, before.task_id);
    expect(old.status).toBe('closed');
    const events = (await api(h.server.baseUrl, `/api/v1/autodev/tasks/${before.task_id}/events`)).body as {
      events: { type: string; data: Record<string, unknown> }[];
    };
    expect(events.events.find((e) => e.type === 'pr.closed')?.data.comment).toBe(
      `superseded by task ${group.task_id}: ${math} 2.0.1`,
    );
    const task = await waitForTerminal(h.server.baseUrl, group.task_id, 240_000);
    expect(task.error).toBeNull();
    expect(task.status).toBe('awaiting_review');
  }, 300_000);

  it('with repair = false a breaking update is delivered for review with its failures, and no model is called', async () => {
    const repo = await npmRepo(
      { [math]: '1.0.1' },
      { ...MATH_TEST, '.autodev.toml': '[updates]\nminimum_release_age = 0\nrepair = false\n' },
    );
    const calls = h.model.requests.length;
    const { body } = await scan(repo.origin);
    const group = body.created[0] as Group;
    expect(group.updates).toMatchObject([{ name: math, to: '2.0.1', type: 'major', toRange: '2.0.1' }]);
    const task = await waitForTerminal(h.server.baseUrl, group.task_id, 240_000);
    expect(task.error).toBeNull();
    expect(task.status).toBe('awaiting_review');
    expect(task.steps.map((s) => s.tool)).not.toContain('codegen');
    expect(h.model.requests.length).toBe(calls);
    const events = (await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task.id}/events`)).body as {
      events: { type: string; data: Record<string, unknown> }[];
    };
    const decision = events.events.find((e) => e.type === 'policy.decision' && 'allow' in e.data);
    expect(decision?.data.allow).toBe(false);
    expect(JSON.stringify(decision?.data.deny)).toContain('TESTS_FAILED');
  }, 300_000);

  it('without a lockfile the new version is installed for the tests (they fail on it) and no lockfile is added', async () => {
    const repo = await h.newRepo({
      'package.json': `${JSON.stringify({ name: 'calc-app', version: '1.0.0', private: true, scripts: { test: 'node --test test/' }, dependencies: { [math]: '1.0.1' } }, null, 2)}\n`,
      '.npmrc': `registry=${registry.url}\n`,
      ...MATH_TEST,
      '.autodev.toml': '[updates]\nminimum_release_age = 0\nrepair = false\n',
    });
    const { body } = await scan(repo.origin);
    const group = body.created[0] as Group;
    const task = await waitForTerminal(h.server.baseUrl, group.task_id, 240_000);
    expect(task.error).toBeNull();
    expect(task.status).toBe('awaiting_review');
    const events = (await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task.id}/events`)).body as {
      events: { type: string; data: Record<string, unknown> }[];
    };
    const decision = events.events.find((e) => e.type === 'policy.decision' && 'allow' in e.data);
    expect(JSON.stringify(decision?.data.deny)).toContain('TESTS_FAILED');
    const branch = task.branch ?? '';
    expect(await repo.readFileAt(branch, 'package-lock.json')).toBeUndefined();
    expect(await repo.readFileAt(branch, 'package.json')).toContain(`"${math}": "2.0.1"`);
  }, 300_000);

  it("a repository's .npmrc naming a registry autodev is not configured for is refused before any request", async () => {
    const repo = await h.newRepo({
      'package.json': JSON.stringify({ name: 'x', version: '1.0.0', dependencies: { [math]: '1.0.0' } }),
      '.npmrc': 'registry=http://127.0.0.1:9/\n',
    });
    const { status, body } = await scan(repo.origin);
    expect(status).toBe(422);
    expect(body.error?.code).toBe('UPDATE_REGISTRY_REFUSED');
    expect(body.error?.message).toContain('http://127.0.0.1:9/');
  });

  it('a group rule puts two patch updates in one task', async () => {
    const repo = await npmRepo(
      { [pad]: '~1.2.0', [trim]: '3.1.0' },
      {
        'test/ok.test.js': "require('node:test')('ok', () => {});\n",
        '.autodev.toml':
          '[updates]\nminimum_release_age = 0\n[[updates.group]]\nname = "npm-patches"\nupdate_types = ["patch"]\n',
      },
    );
    await registry.publish(pad, '1.2.1', { 'index.js': 'module.exports = (s) => ` ${s}`;\n' });
    await registry.publish(trim, '3.1.4', { 'index.js': 'module.exports = (s) => s.trim();\n' });
    const { body } = await scan(repo.origin);
    expect(body.created.map((g) => g.key)).toEqual(['npm-patches']);
    const group = body.created[0] as Group;
    expect(group.updates.map((u) => `${u.name}@${u.to}:${u.toRange}`)).toEqual([
      `${pad}@1.2.1:~1.2.1`,
      `${trim}@3.1.4:3.1.4`,
    ]);
    const task = await waitForTerminal(h.server.baseUrl, group.task_id, 240_000);
    expect(task.error).toBeNull();
    // patch is medium by default: for review.
    expect(task.status).toBe('awaiting_review');
    const metrics = await fetch(`${h.server.baseUrl}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(
      /^autodev_dependency_updates_total\{ecosystem="npm",type="patch",outcome="proposed"\} [3-9]$/m,
    );
    expect(metrics).toMatch(
      /^autodev_dependency_updates_total\{ecosystem="npm",type="patch",outcome="too_young"\} 1$/m,
    );
  }, 300_000);

  it('two scans of one repository at once make its group task once: the second sees the first', async () => {
    const repo = await npmRepo(
      { [trim]: '3.1.0' },
      {
        'test/ok.test.js': "require('node:test')('ok', () => {});\n",
        '.autodev.toml': '[updates]\nminimum_release_age = 0\n',
      },
    );
    const [a, b] = await Promise.all([scan(repo.origin), scan(repo.origin)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.created.length + b.body.created.length).toBe(1);
    expect(a.body.open.length + b.body.open.length).toBe(1);
    const created = [...a.body.created, ...b.body.created][0] as Group;
    await waitForTerminal(h.server.baseUrl, created.task_id, 240_000);
  }, 300_000);

  it('a registry that is down fails the scan with a clear error, and no task or pull request is made', async () => {
    const tasksBefore = (
      (await api(h.server.baseUrl, '/api/v1/autodev/tasks?limit=200')).body as { tasks: TaskJson[] }
    ).tasks.length;
    await registry.stop();
    try {
      const { status, body } = await scan(patchRepo.origin);
      expect(status).toBe(502);
      expect(body.error?.code).toBe('UPDATE_REGISTRY_UNREACHABLE');
      expect(body.error?.message).toContain(registry.url);
      expect(body.error?.message).toContain(math);
      const tasksAfter = (
        (await api(h.server.baseUrl, '/api/v1/autodev/tasks?limit=200')).body as { tasks: TaskJson[] }
      ).tasks.length;
      expect(tasksAfter).toBe(tasksBefore);
      const state = await api(
        h.server.baseUrl,
        `/api/v1/autodev/updates?repo=${encodeURIComponent(patchRepo.origin)}`,
      );
      expect((state.body as { last_scan: { error: { code: string } } }).last_scan.error.code).toBe(
        'UPDATE_REGISTRY_UNREACHABLE',
      );
    } finally {
      await registry.start();
    }
  });
});

describe('scheduled dependency scans', () => {
  let h: E2EHarness | undefined;
  let registry: LocalNpmRegistry | undefined;
  afterAll(async () => {
    await h?.close();
    await registry?.close();
  });

  it('[[autodev.updates.repos]] scans a repository on its schedule: due at start when it never ran, the task made and the scan persisted', async () => {
    registry = await startLocalNpmRegistry();
    await registry.publish('sched-dep', '1.0.0', { 'index.js': 'module.exports = 1;\n' });
    const manifest = `${JSON.stringify({ name: 'app', version: '1.0.0', private: true, scripts: { test: 'node --test test/' }, dependencies: { 'sched-dep': '1.0.0' } }, null, 2)}\n`;
    const repo = await createFixtureRepo({
      files: {
        'package.json': manifest,
        '.npmrc': `registry=${registry.url}\n`,
        'test/ok.test.js': "require('node:test')('ok', () => {});\n",
        '.autodev.toml': '[updates]\nminimum_release_age = 0\n',
      },
    });
    await registry.publish('sched-dep', '1.1.0', { 'index.js': 'module.exports = 1;\n' });
    try {
      h = await startE2E(
        { setup_network: true, setup_network_allow: `["${registry.hostPort}"]` },
        { tables: `[[autodev.updates.repos]]\nrepo = "${repo.origin}"\nschedule = "0 0 1 1 *"\n` },
      );
      const baseUrl = h.server.baseUrl;
      const state = await waitFor(async () => {
        const { body } = await api(
          baseUrl,
          `/api/v1/autodev/updates?repo=${encodeURIComponent(repo.origin)}`,
        );
        const view = body as { groups: Group[]; last_scan: { created: string[] } | null };
        return view.groups.length > 0 && view.last_scan ? { ...view, last_scan: view.last_scan } : undefined;
      });
      expect(state.groups.map((g) => g.updates.map((u) => `${u.name}@${u.to}`))).toEqual([
        ['sched-dep@1.1.0'],
      ]);
      expect(state.last_scan.created).toEqual([state.groups[0]?.task_id]);
      const task = await waitForTerminal(baseUrl, state.groups[0]?.task_id ?? '', 240_000);
      expect(task.error).toBeNull();
    } finally {
      await repo.cleanup();
    }
  }, 300_000);
});

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the scheduled scan did not happen');
}
