import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, waitForTerminal, type TaskJson } from '../helpers/api-client.js';
import { startLocalCargoRegistry, type LocalCargoRegistry } from '../helpers/cargo-sparse-registry.js';
import { createSeededRandom } from '../helpers/seeded-random.js';
import { startE2E, type E2EHarness } from './harness.js';

const exec = promisify(execFile);

interface Group {
  key: string;
  task_id: string;
  updates: { name: string; from: string; to: string; type: string; toRange: string }[];
}
interface ScanBody {
  created: Group[];
  found: { name: string; to: string; type: string }[];
  skipped: { ecosystem: string; name: string; from: string; to: string; reason: string }[];
  error?: { code: string; message: string };
}

/**
 * Dependency updates of a Cargo project (issue #22) against a real sparse registry: static files on
 * loopback (config.json, index files, .crate files packed by `cargo package` at test time). The
 * repository's .cargo/config.toml replaces crates-io with it; autodev reaches it because
 * setup_network_allow names its address. Cargo itself resolves, locks, fetches and tests in the sandbox.
 */
describe('dependency updates of a Cargo project, against a local sparse registry', () => {
  let h: E2EHarness;
  let registry: LocalCargoRegistry;
  // Crate names vary per run (seeded; the seed is printed) so nothing could come from a cache.
  const random = createSeededRandom(Number(process.env['AUTODEV_TEST_SEED'] ?? Date.now() % 1_000_000));
  const crate = `tinyadd_${random.from('abcdefghijklmnopqrstuvwxyz', 6)}`;
  const ADD = { 'src/lib.rs': 'pub fn add(a: i32, b: i32) -> i32 { a + b }\n' };

  beforeAll(async () => {
    console.log(`dependency-updates-cargo seed ${String(random.seed)}`);
    registry = await startLocalCargoRegistry();
    await registry.publish(crate, '1.0.0', ADD);
    h = await startE2E({ setup_network: true, setup_network_allow: `["${registry.hostPort}"]` });
  }, 120_000);
  afterAll(async () => {
    await h?.close();
    await registry?.close();
  });

  const cargoConfig = (): string =>
    `# the team's mirror\n[source.crates-io]\nreplace-with = "mirror"\n\n[source.mirror]\nregistry = "${registry.indexUrl}"\n`;

  /** A crate depending on the registry's crate, locked by cargo against the registry as it is now. */
  async function cargoRepo(autodevToml: string, more: readonly string[] = []) {
    const manifest = `[package]\nname = "calc"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n# adds\n${crate} = "1.0"   # caret\n${more.map((name) => `${name} = "1.0"\n`).join('')}`;
    const lib = `pub fn total(xs: &[i32]) -> i32 {\n    xs.iter().fold(0, |a, b| ${crate}::add(a, *b))\n}\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn total_adds() {\n        assert_eq!(super::total(&[2, 3]), 5);\n    }\n}\n`;
    const files: Record<string, string> = {
      'Cargo.toml': manifest,
      '.cargo/config.toml': cargoConfig(),
      'src/lib.rs': lib,
      '.gitignore': '/target\n',
      '.autodev.toml': autodevToml,
    };
    const work = await mkdtemp(join(tmpdir(), 'autodev-cargo-lock-'));
    try {
      for (const [file, text] of Object.entries(files)) {
        await mkdir(dirname(join(work, file)), { recursive: true });
        await writeFile(join(work, file), text);
      }
      await exec('cargo', ['generate-lockfile', '--quiet'], {
        cwd: work,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: process.env.HOME ?? work,
          CARGO_HOME: join(work, 'cargo-home'),
          ...(process.env.RUSTUP_HOME ? { RUSTUP_HOME: process.env.RUSTUP_HOME } : {}),
        },
      });
      files['Cargo.lock'] = await readFile(join(work, 'Cargo.lock'), 'utf8');
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    return h.newRepo(files);
  }

  async function scan(repo: string): Promise<{ status: number; body: ScanBody }> {
    const { status, body } = await api(h.server.baseUrl, '/api/v1/autodev/updates', {
      method: 'POST',
      body: JSON.stringify({ repo, base_branch: 'main' }),
    });
    return { status, body: body as ScanBody };
  }

  const lockedVersion = (lock: string | undefined): string | undefined =>
    new RegExp(`name = "${crate}"\\nversion = "([^"]+)"`).exec(lock ?? '')?.[1];

  let patchRepo: Awaited<ReturnType<typeof cargoRepo>>;
  it('without a publication time in the index, a minimum_release_age holds every version back as too young', async () => {
    const youngRepo = await cargoRepo('[updates]\nminimum_release_age = 2\n');
    patchRepo = await cargoRepo('[updates]\nminimum_release_age = 0\nrisk = { patch = "low" }\n');
    await registry.publish(crate, '1.0.1', {
      ...ADD,
      'CHANGELOG.md': '# Changelog\n\n## 1.0.1\n\n- add no longer overflows, see #7\n\n## 1.0.0\n\n- first\n',
    });
    const { status, body } = await scan(youngRepo.origin);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.created).toEqual([]);
    expect(body.skipped).toEqual([
      { ecosystem: 'cargo', name: crate, from: '1.0.0', to: '1.0.1', reason: 'too_young' },
    ]);
  });

  it('a patch update is opened, tested and merged at low; a newer yanked version is skipped and named', async () => {
    await registry.publish(crate, '1.0.2', ADD);
    await registry.yank(crate, '1.0.2');
    const before = await patchRepo.readFileAt('main', 'Cargo.toml');
    const { status, body } = await scan(patchRepo.origin);
    expect(status, JSON.stringify(body)).toBe(200);
    expect(body.skipped).toEqual([
      { ecosystem: 'cargo', name: crate, from: '1.0.0', to: '1.0.2', reason: 'yanked' },
    ]);
    expect(body.created).toHaveLength(1);
    const group = body.created[0] as Group;
    expect(group.updates).toMatchObject([
      { name: crate, from: '1.0.0', to: '1.0.1', type: 'patch', toRange: '1.0.1' },
    ]);
    const task = await waitForTerminal(h.server.baseUrl, group.task_id, 240_000);
    expect(task.error).toBeNull();
    expect((task as TaskJson & { risk_tier: string }).risk_tier).toBe('low');
    expect(task.status).toBe('merged');
    const tools = task.steps.map((s) => `${s.phase}:${s.tool}`);
    expect(tools).toContain('implement:dependency_update');
    expect(tools).toContain('verify:test');
    expect(tools).not.toContain('repair:codegen');
    // The tests built offline against the new crate, which the lock step fetched into the repo's cache.
    expect(task.steps.find((s) => s.phase === 'verify' && s.tool === 'test')?.output_summary).toMatch(
      /^passed: rust \(\.\): 1 passed, 0 failed/,
    );
    expect(task.steps.find((s) => s.tool === 'check_deps')?.output_summary).toMatch(
      /^dependency update: [1-9]\d* intended change\(s\); nothing else$/,
    );
    // Only the requirement text changed (the comments and spacing kept); cargo locked the new version.
    const after = await patchRepo.readFileAt('main', 'Cargo.toml');
    expect(after).toBe(before?.replace(`${crate} = "1.0"   # caret`, `${crate} = "1.0.1"   # caret`));
    expect(lockedVersion(await patchRepo.readFileAt('main', 'Cargo.lock'))).toBe('1.0.1');
    // The pull request body quotes the changelog the .crate carries (downloaded as config.json's dl says).
    const prBody = await openedPrBody(task.id);
    expect(prBody).toContain(
      `\`${crate}\` 1.0.0 → 1.0.1, from the package's changelog (the publisher's words, quoted):\n\n> ## 1.0.1\n>\n> - add no longer overflows, see #\u200b7`,
    );
    expect(prBody).not.toContain('- first');
  }, 300_000);

  async function openedPrBody(taskId: string): Promise<string> {
    const trail = (await api(h.server.baseUrl, `/api/v1/autodev/tasks/${taskId}/events`)).body as {
      events: { type: string; data: Record<string, unknown> }[];
    };
    return String(trail.events.find((e) => e.type === 'pr.opened')?.data.body);
  }

  it('a group rule puts two patch updates in one task, each crate locked at its new version', async () => {
    const [mul, sub] = ['tinymul', 'tinysub'].map((prefix) => crate.replace('tinyadd', prefix)) as [
      string,
      string,
    ];
    await registry.publish(mul, '1.0.0', ADD);
    await registry.publish(sub, '1.0.0', ADD);
    const repo = await cargoRepo(
      '[updates]\nminimum_release_age = 0\n[[updates.group]]\nname = "cargo-patches"\nupdate_types = ["patch"]\n',
      [mul, sub],
    );
    await registry.publish(mul, '1.0.1', ADD);
    await registry.publish(sub, '1.0.1', ADD);
    const { body } = await scan(repo.origin);
    expect(body.created.map((g) => g.key)).toEqual(['cargo-patches']);
    const group = body.created[0] as Group;
    expect(group.updates.map((u) => `${u.name}@${u.to}:${u.toRange}`).sort()).toEqual([
      `${mul}@1.0.1:1.0.1`,
      `${sub}@1.0.1:1.0.1`,
    ]);
    const task = await waitForTerminal(h.server.baseUrl, group.task_id, 240_000);
    expect(task.error).toBeNull();
    // patch is medium by default: held for review, on its branch.
    expect(task.status).toBe('awaiting_review');
    const lock = (await repo.readFileAt(task.branch ?? '', 'Cargo.lock')) ?? '';
    for (const name of [mul, sub]) {
      expect(new RegExp(`name = "${name}"\\nversion = "([^"]+)"`).exec(lock)?.[1]).toBe('1.0.1');
    }
  }, 300_000);

  it("a repository's .cargo/config.toml replacing crates-io with an index autodev is not configured for is refused before any request", async () => {
    const repo = await h.newRepo({
      'Cargo.toml': `[package]\nname = "calc"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n${crate} = "1.0"\n`,
      '.cargo/config.toml':
        '[source.crates-io]\nreplace-with = "elsewhere"\n[source.elsewhere]\nregistry = "sparse+http://127.0.0.1:9/"\n',
    });
    const { status, body } = await scan(repo.origin);
    expect(status).toBe(422);
    expect(body.error?.code).toBe('UPDATE_REGISTRY_REFUSED');
    expect(body.error?.message).toContain('cargo: registry http://127.0.0.1:9/ is not one');
  });

  it('a registry that is down fails the scan with an error naming cargo, the index and the crate, and makes no task', async () => {
    const repo = await cargoRepo('[updates]\nminimum_release_age = 0\n');
    const tasksBefore = (
      (await api(h.server.baseUrl, '/api/v1/autodev/tasks?limit=200')).body as {
        tasks: TaskJson[];
      }
    ).tasks.length;
    await registry.stop();
    try {
      const { status, body } = await scan(repo.origin);
      expect(status).toBe(502);
      expect(body.error?.code).toBe('UPDATE_REGISTRY_UNREACHABLE');
      expect(body.error?.message).toBe(
        `cargo registry index ${registry.url} could not be read for ${crate}: ECONNREFUSED`,
      );
      const tasksAfter = (
        (await api(h.server.baseUrl, '/api/v1/autodev/tasks?limit=200')).body as {
          tasks: TaskJson[];
        }
      ).tasks.length;
      expect(tasksAfter).toBe(tasksBefore);
    } finally {
      await registry.start();
    }
  });
});
