import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  withRealLockfile,
  type Generated,
  type LockfileTool,
} from '../../../test/fixtures/real-lockfiles.js';
import { detectProjects, runSetup, runTests } from '../index.js';
import { DEFAULT_YARN_BERRY } from './setup.js';
import { createLanguageTestContext, type LanguageTestContext } from '../testing.js';

let ctx: LanguageTestContext;
beforeAll(async () => {
  ctx = await createLanguageTestContext(process.env);
});
afterAll(() => ctx.dispose());

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
}

async function projectIn(dir: string) {
  const [project] = await detectProjects(dir);
  if (!project) throw new Error('no project detected');
  return project;
}

// A package whose tests need a dev dependency, so they pass only after a real install: two tests,
// one of which calls `ms`.
const manifest = (extra: Record<string, unknown> = {}): string =>
  JSON.stringify(
    {
      name: 'fixture',
      version: '1.0.0',
      private: true,
      scripts: { test: 'node --test' },
      devDependencies: { ms: '2.1.3' },
      ...extra,
    },
    null,
    2,
  );
const TEST_FILE = [
  "const test = require('node:test');",
  "const assert = require('node:assert');",
  "const ms = require('ms');",
  "test('parses minutes', () => assert.strictEqual(ms('2m'), 120000));",
  "test('adds', () => assert.strictEqual(1 + 1, 2));",
  '',
].join('\n');

interface Case {
  tool: LockfileTool;
  manifest: string;
  setup: string[];
  test: string[];
  /** What the manager prints when the lockfile no longer matches package.json. */
  outdated: RegExp;
  /**
   * How package.json drifts from the lockfile: a new dependency, or (for yarn 2+, which would ask
   * the registry about a new one before it compares, and fail for want of network) one removed.
   */
  drift: Record<string, string>;
}
const CASES: Case[] = [
  {
    tool: 'pnpm',
    manifest: manifest(),
    setup: ['pnpm', 'install', '--frozen-lockfile'],
    test: ['pnpm', 'test'],
    outdated: /ERR_PNPM_OUTDATED_LOCKFILE/,
    drift: { ms: '2.1.3', 'is-number': '7.0.0' },
  },
  {
    tool: 'yarn-classic',
    manifest: manifest(),
    setup: ['yarn', 'install', '--frozen-lockfile'],
    test: ['yarn', 'test'],
    // Offline, yarn 1 looks the new dependency up in its cache before it compares the lockfile.
    outdated: /lockfile needs to be updated|missing entry in the lockfile/,
    drift: { ms: '2.1.3', 'is-number': '7.0.0' },
  },
  {
    tool: 'yarn-berry',
    manifest: manifest({ packageManager: DEFAULT_YARN_BERRY }),
    setup: ['corepack', 'yarn', 'install', '--immutable'],
    test: ['corepack', 'yarn', 'test'],
    outdated: /YN0028.*lockfile would have been modified/,
    drift: {},
  },
];

// Lockfiles written by the real tools before the tests are collected (cached, see real-lockfiles.ts),
// so a case whose tool or registry is out of reach is skipped with the tool's reason in its name.
const GENERATED = new Map<LockfileTool, Generated>();
for (const c of CASES) {
  GENERATED.set(
    c.tool,
    await withRealLockfile(c.tool, { 'package.json': c.manifest, 'ms.test.js': TEST_FILE }),
  );
}
const skipReason = (tool: LockfileTool): string => {
  const g = GENERATED.get(tool);
  return g && !g.ok ? ` (skipped: ${g.reason})` : '';
};
const filesOf = (tool: LockfileTool): Record<string, string> => {
  const g = GENERATED.get(tool);
  return g?.ok ? g.files : {};
};

describe.each(CASES)('$tool repository, setup and tests in bubblewrap', (c) => {
  it.skipIf(skipReason(c.tool) !== '')(
    `setup warms the repo's caches once with network; a fresh checkout then installs offline from them, and ${c.test.join(' ')} runs offline with its counts parsed${skipReason(c.tool)}`,
    async () => {
      const warm = await ctx.repo(`${c.tool}-warm`);
      await writeFiles(warm, filesOf(c.tool));
      const project = await projectIn(warm);
      expect(project.commands).toMatchObject({ setup: c.setup, test: c.test });
      const online = await runSetup(project, { ...ctx.options(warm), network: true });
      expect(online, online.outputTail).toMatchObject({ ok: true });

      const fresh = await ctx.repo(`${c.tool}-offline`);
      await writeFiles(fresh, filesOf(c.tool));
      const offline = await runSetup(await projectIn(fresh), { ...ctx.options(fresh), network: false });
      expect(offline, offline.outputTail).toMatchObject({
        ok: true,
        commands: [expect.arrayContaining(c.setup)],
      });
      const tests = await runTests(await projectIn(fresh), ctx.options(fresh));
      expect(tests, tests.outputTail).toMatchObject({ ok: true, passed: 2, failed: 0, command: c.test });
    },
  );

  it.skipIf(skipReason(c.tool) !== '')(
    `a package.json the lockfile no longer matches fails the frozen install, even with warm caches${skipReason(c.tool)}`,
    async () => {
      const dir = await ctx.repo(`${c.tool}-outdated`);
      const files = filesOf(c.tool);
      const pkg = JSON.parse(files['package.json'] ?? '{}') as Record<string, unknown>;
      await writeFiles(dir, {
        ...files,
        'package.json': JSON.stringify({ ...pkg, devDependencies: c.drift }),
      });
      const setup = await runSetup(await projectIn(dir), { ...ctx.options(dir), network: false });
      expect(setup).toMatchObject({
        ok: false,
        timedOut: false,
        failedCommand: expect.arrayContaining(c.setup),
      });
      expect(setup.outputTail).toMatch(c.outdated);
    },
  );

  it.skipIf(skipReason(c.tool) !== '')(
    `with cold caches and no network, setup fails at once naming the install command${skipReason(c.tool)}`,
    async () => {
      // Its own context: caches no other test warmed.
      const cold = await createLanguageTestContext(process.env);
      try {
        const dir = await cold.repo(`${c.tool}-cold`);
        await writeFiles(dir, filesOf(c.tool));
        const setup = await runSetup(await projectIn(dir), { ...cold.options(dir), network: false });
        expect(setup).toMatchObject({
          ok: false,
          timedOut: false,
          failedCommand: expect.arrayContaining(c.setup),
        });
        expect(setup.outputTail).toContain(`$ ${setup.failedCommand?.join(' ') ?? ''}`);
      } finally {
        await cold.dispose();
      }
    },
  );
});

describe('node setup with a package manager the machine lacks', () => {
  // A PATH with node and npm only, as on a machine where scripts/setup.sh never ran.
  let bare: LanguageTestContext;
  let binDir: string;
  beforeAll(async () => {
    binDir = await mkdtemp(path.join(os.tmpdir(), 'autodev-bare-path-'));
    for (const program of ['node', 'npm', 'sh']) {
      await symlink(path.join('/usr/bin', program), path.join(binDir, program));
    }
    bare = await createLanguageTestContext({ ...process.env, PATH: binDir });
  });
  afterAll(async () => {
    await bare.dispose();
    await rm(binDir, { recursive: true, force: true });
  });

  const PACKAGE_JSON = '{"name":"p","version":"1.0.0","scripts":{"test":"node --test"}}\n';

  it('a pnpm lockfile without pnpm: setup fails naming pnpm and how to install it, not "command not found"', async () => {
    const dir = await bare.repo('node-pnpm');
    await writeFiles(dir, { 'package.json': PACKAGE_JSON, 'pnpm-lock.yaml': "lockfileVersion: '9.0'\n" });
    const setup = await runSetup(await projectIn(dir), { ...bare.options(dir), network: false });
    expect(setup).toMatchObject({ ok: false, failedCommand: ['pnpm', 'install', '--frozen-lockfile'] });
    expect(setup.outputTail).toMatch(
      /^pnpm is not installed: the repo has a pnpm lockfile.*scripts\/setup\.sh/,
    );
  });

  it('a yarn.lock without yarn: setup fails naming yarn and how to install it', async () => {
    const dir = await bare.repo('node-yarn');
    await writeFiles(dir, { 'package.json': PACKAGE_JSON, 'yarn.lock': '# yarn lockfile v1\n' });
    const setup = await runSetup(await projectIn(dir), { ...bare.options(dir), network: false });
    expect(setup).toMatchObject({
      ok: false,
      failedCommand: ['yarn', 'install', '--frozen-lockfile', '--offline'],
    });
    expect(setup.outputTail).toMatch(/^yarn is not installed: the repo has a yarn\.lock/);
  });

  it('yarn 2+ without corepack: setup fails naming corepack', async () => {
    const dir = await bare.repo('node-berry');
    const pkg = JSON.stringify({ ...JSON.parse(PACKAGE_JSON), packageManager: 'yarn@4.12.0' });
    await writeFiles(dir, { 'package.json': pkg, 'yarn.lock': '__metadata:\n  version: 8\n' });
    const setup = await runSetup(await projectIn(dir), { ...bare.options(dir), network: false });
    expect(setup).toMatchObject({ ok: false, failedCommand: ['corepack', 'yarn', 'install', '--immutable'] });
    expect(setup.outputTail).toMatch(/^corepack is not installed: the repo uses yarn 2\+/);
  });
});
