import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git } from '../../test/fixtures/repo.js';
import { withRealLockfile, type Generated } from '../../test/fixtures/real-lockfiles.js';
import { startTestRuntime, type TestRuntime } from '../../test/helpers/runtime.js';
import { isAutodevError } from '../errors.js';
import type { DependencyChange } from '../languages/deps/types.js';
import type { CheckDepsOutput } from './check-deps.js';
import type { ToolContext } from './types.js';

const pkg = (deps: Record<string, Record<string, string>>): string =>
  JSON.stringify({ name: 'fixture', version: '1.0.0', private: true, ...deps }, null, 2);

// The same package.json change, locked by npm, pnpm and both yarns: a pinned version changed, a
// runtime dependency (with its own transitive is-number) removed, a dev dependency added.
const NPM_BASE = { 'package.json': pkg({ dependencies: { ms: '2.1.2', 'is-odd': '3.0.1' } }) };
const NPM_HEAD = {
  'package.json': pkg({ dependencies: { ms: '2.1.3' }, devDependencies: { inherits: '2.0.4' } }),
};
const NPM_EXPECTED = (lockfile: string): DependencyChange[] => [
  {
    ecosystem: 'npm',
    name: 'inherits',
    change: 'added',
    to: '2.0.4',
    direct: true,
    dev: true,
    manifest: 'package.json',
  },
  {
    ecosystem: 'npm',
    name: 'is-odd',
    change: 'removed',
    from: '3.0.1',
    direct: true,
    dev: false,
    manifest: 'package.json',
  },
  {
    ecosystem: 'npm',
    name: 'ms',
    change: 'changed',
    from: '2.1.2',
    to: '2.1.3',
    direct: true,
    dev: false,
    manifest: 'package.json',
  },
  {
    ecosystem: 'npm',
    name: 'is-number',
    change: 'removed',
    from: '6.0.0',
    direct: false,
    dev: false,
    manifest: lockfile,
  },
];

const CARGO_SRC = { 'src/lib.rs': '' };
const cargoToml = (tables: string): string =>
  `[package]\nname = "fixture"\nversion = "0.1.0"\nedition = "2021"\n\n${tables}`;
// A pinned version changed, a build dependency removed, a target-specific dependency (with its
// transitive scopeguard and build-time autocfg) and a dev dependency added.
const CARGO_BASE = {
  ...CARGO_SRC,
  'Cargo.toml': cargoToml('[dependencies]\nitoa = "=1.0.10"\n\n[build-dependencies]\ncfg-if = "=1.0.0"\n'),
};
const CARGO_HEAD = {
  ...CARGO_SRC,
  'Cargo.toml': cargoToml(
    '[dependencies]\nitoa = "=1.0.11"\n\n[target.\'cfg(unix)\'.dependencies]\nlock_api = "=0.4.12"\n\n[dev-dependencies]\nfnv = "=1.0.7"\n',
  ),
};

const goMod = (requires: string): string =>
  `module example.com/fixture\n\ngo 1.21\n\nrequire (\n${requires})\n`;
const GO_SRC = { 'p.go': 'package p\n\nimport _ "github.com/google/uuid"\n' };
const GO_BASE = { ...GO_SRC, 'go.mod': goMod('\tgithub.com/google/uuid v1.5.0\n') };
// A version bump and a test-only module with transitive (// indirect) modules of its own.
const GO_HEAD = {
  'p.go': GO_SRC['p.go'],
  'p_test.go':
    'package p\n\nimport (\n\t"testing"\n\n\t"github.com/stretchr/testify/assert"\n)\n\nfunc TestX(t *testing.T) { assert.True(t, true) }\n',
  'go.mod': goMod('\tgithub.com/google/uuid v1.6.0\n\tgithub.com/stretchr/testify v1.9.0\n'),
};

// Made by the real tools before the tests are collected, so a test that cannot have its lockfile is
// skipped with the tool's reason in its name.
const generate = async (
  tool: Parameters<typeof withRealLockfile>[0],
  base: Record<string, string>,
  head: Record<string, string>,
): Promise<{ base: Generated; head: Generated }> => ({
  base: await withRealLockfile(tool, base),
  head: await withRealLockfile(tool, head),
});
const GENERATED = {
  npm: await generate('npm', NPM_BASE, NPM_HEAD),
  pnpm: await generate('pnpm', NPM_BASE, NPM_HEAD),
  'yarn-classic': await generate('yarn-classic', NPM_BASE, NPM_HEAD),
  'yarn-berry': await generate('yarn-berry', NPM_BASE, NPM_HEAD),
  cargo: await generate('cargo', CARGO_BASE, CARGO_HEAD),
  go: await generate('go', GO_BASE, GO_HEAD),
};
const skipReason = (g: { base: Generated; head: Generated }): string =>
  !g.base.ok ? ` (skipped: ${g.base.reason})` : !g.head.ok ? ` (skipped: ${g.head.reason})` : '';
const filesOf = (g: Generated): Record<string, string> => (g.ok ? g.files : {});

describe('check_deps', () => {
  let runtime: TestRuntime;
  let root: string;
  beforeAll(async () => {
    runtime = await startTestRuntime();
    root = await mkdtemp(path.join(os.tmpdir(), 'autodev-check-deps-'));
  });
  afterAll(async () => {
    await runtime?.close();
    await rm(root, { recursive: true, force: true });
  });

  let repoCount = 0;
  /** A git repo whose first commit holds `base` and second `head` (null deletes): the change. */
  const repoWith = async (
    base: Record<string, string>,
    head: Record<string, string | null>,
  ): Promise<{ dir: string; base: string }> => {
    repoCount += 1;
    const dir = path.join(root, `repo-${repoCount}`);
    await git(root, ['init', '-q', dir]);
    const write = async (files: Record<string, string | null>) => {
      for (const [file, content] of Object.entries(files)) {
        const full = path.join(dir, file);
        if (content === null) {
          await rm(full);
          continue;
        }
        await mkdir(path.dirname(full), { recursive: true });
        await writeFile(full, content);
      }
      await git(dir, ['add', '--all']);
      await git(dir, ['commit', '-q', '--allow-empty', '-m', 'commit']);
    };
    await write(base);
    const baseCommit = (await git(dir, ['rev-parse', 'HEAD'])).trim();
    await write(head);
    return { dir, base: baseCommit };
  };

  const contextFor = (dir: string): ToolContext => ({
    workspaceDir: dir,
    signal: new AbortController().signal,
    log: runtime.runtime.log,
    services: runtime.runtime.services,
    onOutput: () => undefined,
    onModelCall: () => undefined,
  });

  const checkDeps = async (
    base: Record<string, string>,
    head: Record<string, string | null>,
  ): Promise<CheckDepsOutput & { summary: string }> => {
    const repo = await repoWith(base, head);
    const { output, summary } = await runtime.runtime.tools
      .get('check_deps')
      .run({ base_commit: repo.base }, contextFor(repo.dir));
    return { ...(output as CheckDepsOutput), summary };
  };

  const refusal = async (promise: Promise<unknown>) => {
    const error: unknown = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!isAutodevError(error)) throw new Error(`expected a refusal, got ${String(error)}`);
    return error;
  };

  describe.each([
    ['npm', 'package-lock.json'],
    ['pnpm', 'pnpm-lock.yaml'],
    ['yarn-classic', 'yarn.lock'],
    ['yarn-berry', 'yarn.lock'],
  ] as const)('with a %s lockfile made by the real tool', (tool, lockfile) => {
    const generated = GENERATED[tool];
    it.skipIf(skipReason(generated) !== '')(
      `reports the direct changes with resolved versions and the transitive removal${skipReason(generated)}`,
      async () => {
        const out = await checkDeps(filesOf(generated.base), filesOf(generated.head));
        expect(out.changes).toHaveLength(4);
        expect(out.changes).toEqual(expect.arrayContaining(NPM_EXPECTED(lockfile)));
        expect(out.added).toEqual(['inherits']);
      },
    );
    it.skipIf(skipReason(generated) !== '')(
      `reverting the change reports the dependency added back and the transitive one added${skipReason(generated)}`,
      async () => {
        const out = await checkDeps(filesOf(generated.head), filesOf(generated.base));
        expect(out.added).toEqual(['is-number', 'is-odd']);
        expect(out.changes.find((c) => c.name === 'is-number')).toMatchObject({
          change: 'added',
          to: '6.0.0',
          direct: false,
          manifest: lockfile,
        });
        expect(out.changes.find((c) => c.name === 'inherits')).toMatchObject({
          change: 'removed',
          dev: true,
        });
      },
    );
    it.skipIf(skipReason(generated) !== '')(
      `a lockfile-only change is transitive, and an unchanged package.json still marks direct ones${skipReason(generated)}`,
      async () => {
        // The lockfile of head with the package.json of base: only the lockfile changed.
        const head = { ...filesOf(generated.head), 'package.json': NPM_BASE['package.json'] };
        const out = await checkDeps(filesOf(generated.base), head);
        expect(out.changes.every((c) => c.manifest === lockfile)).toBe(true);
        expect(out.changes.find((c) => c.name === 'is-number')).toMatchObject({
          direct: false,
          change: 'removed',
        });
        expect(out.changes.find((c) => c.name === 'ms')).toMatchObject({
          direct: true,
          from: '2.1.2',
          to: '2.1.3',
        });
      },
    );
  });

  it.skipIf(skipReason(GENERATED.cargo) !== '')(
    `Cargo.toml and a Cargo.lock made by cargo: target, dev and build tables, transitive crates${skipReason(GENERATED.cargo)}`,
    async () => {
      const out = await checkDeps(filesOf(GENERATED.cargo.base), filesOf(GENERATED.cargo.head));
      const by = (name: string) => out.changes.find((c) => c.name === name);
      expect(by('itoa')).toEqual({
        ecosystem: 'cargo',
        name: 'itoa',
        change: 'changed',
        from: '1.0.10',
        to: '1.0.11',
        direct: true,
        dev: false,
        manifest: 'Cargo.toml',
      });
      expect(by('lock_api')).toMatchObject({ change: 'added', to: '0.4.12', direct: true, dev: false });
      expect(by('fnv')).toMatchObject({ change: 'added', to: '1.0.7', direct: true, dev: true });
      expect(by('cfg-if')).toMatchObject({ change: 'removed', from: '1.0.0', direct: true, dev: false });
      expect(by('scopeguard')).toMatchObject({ change: 'added', direct: false, manifest: 'Cargo.lock' });
      expect(out.added).toEqual(expect.arrayContaining(['fnv', 'lock_api', 'scopeguard']));
      expect(out.added).not.toContain('itoa');
    },
  );

  it('Cargo.toml: [workspace.dependencies], renamed packages and workspace inheritance', async () => {
    const out = await checkDeps(
      { 'Cargo.toml': '[workspace]\nmembers = []\n\n[workspace.dependencies]\nserde = "1"\n' },
      {
        'Cargo.toml':
          '[workspace]\nmembers = []\n\n[workspace.dependencies]\nserde = "1.0.200"\nyaml = { package = "serde_yaml", version = "0.9" }\nlocal = { path = "crates/local" }\n',
      },
    );
    expect(out.changes).toEqual([
      {
        ecosystem: 'cargo',
        name: 'local',
        change: 'added',
        to: 'path:crates/local',
        direct: true,
        dev: false,
        manifest: 'Cargo.toml',
      },
      {
        ecosystem: 'cargo',
        name: 'serde',
        change: 'changed',
        from: '1',
        to: '1.0.200',
        direct: true,
        dev: false,
        manifest: 'Cargo.toml',
      },
      {
        ecosystem: 'cargo',
        name: 'serde_yaml',
        change: 'added',
        to: '0.9',
        direct: true,
        dev: false,
        manifest: 'Cargo.toml',
      },
    ]);
  });

  it.skipIf(skipReason(GENERATED.go) !== '')(
    `go.mod and go.sum made by go mod tidy: a bump, a new module and its indirect ones${skipReason(GENERATED.go)}`,
    async () => {
      const out = await checkDeps(filesOf(GENERATED.go.base), filesOf(GENERATED.go.head));
      const by = (name: string) => out.changes.find((c) => c.name === name);
      expect(by('github.com/google/uuid')).toMatchObject({
        change: 'changed',
        from: 'v1.5.0',
        to: 'v1.6.0',
        direct: true,
        dev: false,
        manifest: 'go.mod',
      });
      expect(by('github.com/stretchr/testify')).toMatchObject({
        change: 'added',
        to: 'v1.9.0',
        direct: true,
      });
      // go mod tidy marks testify's own requirements `// indirect`.
      expect(by('github.com/davecgh/go-spew')).toMatchObject({
        change: 'added',
        direct: false,
        manifest: 'go.mod',
      });
    },
  );

  it('go.mod: a replace directive that swaps a module for another is a change of that module', async () => {
    const base = { 'go.mod': goMod('\tgithub.com/a/lib v1.0.0\n') };
    const out = await checkDeps(base, {
      'go.mod': `${base['go.mod']}\nreplace github.com/a/lib => github.com/evil/lib v1.0.0\n`,
    });
    expect(out.changes).toEqual([
      {
        ecosystem: 'go',
        name: 'github.com/a/lib',
        change: 'changed',
        from: 'v1.0.0',
        to: 'v1.0.0 => github.com/evil/lib v1.0.0',
        direct: true,
        dev: false,
        manifest: 'go.mod',
      },
    ]);
  });

  it('pyproject.toml: [project] dependencies, extras, PEP 735 groups, build-system, uv and poetry, names normalized (PEP 503)', async () => {
    const out = await checkDeps(
      {
        'pyproject.toml':
          '[project]\nname = "x"\ndependencies = ["Requests>=2"]\n\n[tool.poetry.dependencies]\npython = "^3.10"\n',
      },
      {
        'pyproject.toml': [
          '[project]',
          'name = "x"',
          'dependencies = ["requests>=2.31", "Typing_Extensions; python_version < \'3.11\'"]',
          '[project.optional-dependencies]',
          'fast = ["orjson>=3"]',
          'test = ["pytest"]',
          '[dependency-groups]',
          'lint = ["ruff==0.5.0", {include-group = "test"}]',
          '[tool.poetry.dependencies]',
          'python = "^3.10"',
          'httpx = { version = "^0.27", extras = ["http2"] }',
          '[build-system]',
          'requires = ["hatchling"]',
          '[tool.uv]',
          'dev-dependencies = ["coverage"]',
          '[tool.poetry.group.docs.dependencies]',
          'mkdocs = "^1.6"',
          '',
        ].join('\n'),
      },
    );
    const p = (name: string, change: DependencyChange['change'], dev: boolean, extra: object) => ({
      ecosystem: 'python',
      name,
      change,
      direct: true,
      dev,
      manifest: 'pyproject.toml',
      ...extra,
    });
    expect(out.changes).toEqual([
      p('coverage', 'added', true, { to: '*' }),
      p('hatchling', 'added', false, { to: '*' }),
      p('httpx', 'added', false, { to: '^0.27' }),
      p('mkdocs', 'added', true, { to: '^1.6' }),
      p('orjson', 'added', false, { to: '>=3' }),
      p('pytest', 'added', true, { to: '*' }),
      p('requests', 'changed', false, { from: '>=2', to: '>=2.31' }),
      p('ruff', 'added', true, { to: '==0.5.0' }),
      p('typing-extensions', 'added', false, { to: "; python_version < '3.11'" }),
    ]);
  });

  it('requirements*.txt follows -r includes inside the repo; a URL requirement and a new index are reported', async () => {
    const out = await checkDeps(
      {
        'requirements.txt': '-r requirements/base.txt\n',
        'requirements/base.txt': 'flask==3.0.0\n',
        'requirements-dev.txt': 'pytest==8.0.0  # tests\n',
      },
      {
        'requirements.txt': '-r requirements/base.txt\ngit+https://example.test/evil/pkg.git\n',
        'requirements/base.txt': 'Flask==3.0.3 \\\n    --hash=sha256:abc\n',
        'requirements-dev.txt': '--extra-index-url https://pypi.example.test/simple\npytest==8.0.0\n',
      },
    );
    const by = (name: string, manifest: string) =>
      out.changes.find((c) => c.name === name && c.manifest === manifest);
    expect(by('flask', 'requirements.txt')).toMatchObject({
      change: 'changed',
      from: '==3.0.0',
      to: '==3.0.3',
    });
    expect(by('flask', 'requirements/base.txt')).toMatchObject({ change: 'changed', dev: false });
    expect(by('git+https://example.test/evil/pkg.git', 'requirements.txt')).toMatchObject({
      change: 'added',
    });
    expect(by('--extra-index-url', 'requirements-dev.txt')).toMatchObject({
      change: 'added',
      to: 'https://pypi.example.test/simple',
      dev: true,
    });
    expect(out.added).toEqual(['--extra-index-url', 'git+https://example.test/evil/pkg.git']);
  });

  it('setup.cfg: install_requires and extras_require, dev extras marked dev', async () => {
    const out = await checkDeps(
      { 'setup.cfg': '[metadata]\nname = x\n\n[options]\ninstall_requires =\n    click>=8\n' },
      {
        'setup.cfg':
          '[metadata]\nname = x\n\n[options]\ninstall_requires =\n    click>=8\n    rich>=13 ; python_version>"3.8"\n\n[options.extras_require]\ntest =\n    pytest\n',
      },
    );
    expect(out.changes.map((c) => [c.name, c.change, c.dev])).toEqual([
      ['pytest', 'added', true],
      ['rich', 'added', false],
    ]);
  });

  // The repository is hostile: each of these would read outside it, read unbounded input, or hide a
  // dependency from the check.
  it('refuses a -r include that leaves the repository, naming the file', async () => {
    const error = await refusal(
      checkDeps({ 'requirements.txt': 'flask\n' }, { 'requirements.txt': '-r ../../../etc/passwd\n' }),
    );
    expect(error.code).toBe('DEPENDENCY_FILE_INVALID');
    expect(error.message).toContain('requirements.txt');
    expect(error.message).toContain('outside the repository');
  });

  it('reads the committed manifests, not the worktree the build could have rewritten', async () => {
    const repo = await repoWith(
      { 'package.json': pkg({}) },
      { 'package.json': pkg({ dependencies: { ms: '2' } }) },
    );
    // The worktree (what the sandboxed build can write) says something else than the commit.
    await writeFile(path.join(repo.dir, 'package.json'), pkg({}));
    const { output } = await runtime.runtime.tools
      .get('check_deps')
      .run({ base_commit: repo.base }, contextFor(repo.dir));
    expect((output as CheckDepsOutput).added).toEqual(['ms']);
  });

  it('a HEAD manifest that does not parse is an error naming it; a broken base counts as empty', async () => {
    const error = await refusal(
      checkDeps({ 'package.json': pkg({}) }, { 'package.json': '{ "dependencies": ' }),
    );
    expect(error.code).toBe('DEPENDENCY_FILE_INVALID');
    expect(error.message).toMatch(/^package\.json at HEAD is not a valid package\.json: /);
    const fromBroken = await checkDeps(
      { 'package.json': '{' },
      { 'package.json': pkg({ dependencies: { ms: '2' } }) },
    );
    expect(fromBroken.added).toEqual(['ms']);
  });

  it('a pnpm-lock.yaml alias bomb is refused as invalid instead of expanded', async () => {
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i += 1)
      levels.push(
        `l${i}: &l${i} [${Array(10)
          .fill(i === 1 ? '*a' : `*l${i - 1}`)
          .join(',')}]`,
      );
    const bomb = `lockfileVersion: '9.0'\n${levels.join('\n')}\npackages:\n  x@1.0.0: *l8\n`;
    const error = await refusal(
      checkDeps({ 'pnpm-lock.yaml': "lockfileVersion: '9.0'\n" }, { 'pnpm-lock.yaml': bomb }),
    );
    expect(error.code).toBe('DEPENDENCY_FILE_INVALID');
    expect(error.message).toMatch(/^pnpm-lock\.yaml at HEAD is not a valid pnpm-lock\.yaml: .*alias/i);
  });

  it('a dependency named __proto__ is a dependency like any other', async () => {
    const out = await checkDeps(
      { 'package.json': pkg({}) },
      { 'package.json': '{"dependencies": {"__proto__": "1.0.0", "constructor": "1.0.0"}}' },
    );
    expect(out.added).toEqual(['__proto__', 'constructor']);
  });

  it('refuses a manifest over 64 MiB before reading it', async () => {
    const huge = `{"dependencies": {}, "pad": "${'a'.repeat(64 * 1024 * 1024)}"}`;
    const error = await refusal(checkDeps({ 'package.json': pkg({}) }, { 'package.json': huge }));
    expect(error.code).toBe('CHANGE_TOO_LARGE');
    expect(error.message).toMatch(/^package\.json at HEAD is \d+ bytes; at most 67108864 are read/);
  }, 60_000);

  it('a change without dependency files reads none and reports none', async () => {
    const out = await checkDeps({ 'a.txt': 'a' }, { 'a.txt': 'b', 'notes/package.json.md': 'x' });
    expect(out).toEqual({ changes: [], added: [], summary: 'no dependency changes' });
  });

  it('rejects a base_commit that is not a commit id, naming the field', async () => {
    const repo = await repoWith({ 'a.txt': 'a' }, {});
    const error = await refusal(
      runtime.runtime.tools.get('check_deps').run({ base_commit: '--output=/tmp/x' }, contextFor(repo.dir)),
    );
    expect(error.code).toBe('TOOL_INPUT_INVALID');
    expect(error.message).toContain('base_commit: expected a commit id');
  });
});
