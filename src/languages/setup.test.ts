import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectProjects, runSetup, runTests } from './index.js';
import { createLanguageTestContext, type LanguageTestContext } from './testing.js';

let ctx: LanguageTestContext;
beforeAll(async () => {
  ctx = await createLanguageTestContext(process.env);
});
afterAll(() => ctx.dispose());

/**
 * Whether the package client reaches its configured registry from here, asked through the client
 * itself (never a registry address written here: a mirror must work as well); the tests that fetch
 * are skipped, by name, when not.
 */
function clientReaches(argv: string[]): Promise<boolean> {
  const [program, ...args] = argv;
  return new Promise((resolve) => {
    execFile(program ?? '', args, { cwd: os.tmpdir(), timeout: 60_000 }, (error) => resolve(error === null));
  });
}
const [cratesIo, pypi, goProxy] = await Promise.all([
  clientReaches(['cargo', 'info', 'itoa@1.0.11']),
  clientReaches(['python3', '-m', 'pip', 'index', 'versions', 'pytest']),
  clientReaches(['go', 'list', '-m', '-versions', 'github.com/google/go-cmp']),
]);

async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
}

async function onlyProject(dir: string) {
  const [project] = await detectProjects(dir);
  if (!project) throw new Error('no project detected');
  return project;
}

describe('rust setup', () => {
  it.skipIf(!cratesIo)(
    'a dev-dependency fetched in setup (network) into the data_dir cache; the tests then build it offline [skipped when cargo cannot reach its registry]',
    async () => {
      const dir = await ctx.repo('rust-dep');
      await writeFiles(dir, {
        'Cargo.toml':
          '[package]\nname = "fx"\nversion = "0.1.0"\nedition = "2021"\n\n[dev-dependencies]\nitoa = "=1.0.11"\n',
        'src/lib.rs':
          '#[cfg(test)]\nmod tests {\n    #[test]\n    fn formats() {\n        assert_eq!(itoa::Buffer::new().format(7), "7");\n    }\n}\n',
      });
      const project = await onlyProject(dir);
      // Without setup, the offline test run has no itoa: the host's CARGO_HOME is not what it reads.
      const before = await runTests(project, ctx.options(dir));
      expect(before.ok).toBe(false);
      const setup = await runSetup(project, { ...ctx.options(dir), network: true });
      expect(setup).toMatchObject({ ok: true, commands: [['cargo', 'fetch']] });
      const report = await runTests(project, ctx.options(dir));
      expect(report).toMatchObject({ ok: true, passed: 1, failed: 0 });
    },
  );

  it('offline setup with an empty cache fails at once with cargo’s own message, no network wait', async () => {
    const dir = await ctx.repo('rust-offline');
    await writeFiles(dir, {
      'Cargo.toml':
        '[package]\nname = "fy"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nryu = "=1.0.18"\n',
      'src/lib.rs': 'pub fn f() -> u8 { 1 }\n',
    });
    const setup = await runSetup(await onlyProject(dir), { ...ctx.options(dir), network: false });
    expect(setup).toMatchObject({ ok: false, failedCommand: ['cargo', 'fetch'] });
    expect(setup.outputTail).toMatch(/offline/i);
    expect(setup.durationMs).toBeLessThan(5_000);
  });
});

describe('python setup', () => {
  it.skipIf(!pypi)(
    'pytest==8.3.5 pinned in [project.optional-dependencies] test: the venv’s pytest runs the tests, not the machine’s [skipped when pip cannot reach its index]',
    async () => {
      const dir = await ctx.repo('py-pinned');
      await writeFiles(dir, {
        'pyproject.toml': [
          '[build-system]',
          'requires = ["setuptools"]',
          'build-backend = "setuptools.build_meta"',
          '',
          '[project]',
          'name = "pinned"',
          'version = "0.1.0"',
          '',
          '[project.optional-dependencies]',
          'test = ["pytest==8.3.5"]',
          '',
          '[tool.setuptools]',
          'py-modules = ["calc"]',
          '',
        ].join('\n'),
        'calc.py': 'import pytest\n\n\ndef version():\n    return pytest.__version__\n',
        'tests/test_calc.py':
          'import calc\n\n\ndef test_version():\n    assert calc.version() == "8.3.5", calc.version()\n',
      });
      const project = await onlyProject(dir);
      const setup = await runSetup(project, { ...ctx.options(dir), network: true });
      expect(setup.ok, setup.outputTail).toBe(true);
      expect(setup.commands.at(-1)).toEqual(expect.arrayContaining(['--no-index', 'pytest==8.3.5']));
      const report = await runTests(project, ctx.options(dir));
      expect(report.outputTail).not.toContain('8.3.5",');
      expect(report, report.outputTail).toMatchObject({ ok: true, passed: 1, failed: 0 });
      // A second setup, offline, installs from the wheels the first one fetched.
      const again = await runSetup(project, { ...ctx.options(dir), network: false });
      expect(again.ok, again.outputTail).toBe(true);
    },
  );

  it('the venv in the hidden data_dir runs for the sandbox user: offline setup from the machine’s pytest, then the tests (corpus: six)', async () => {
    const dir = await ctx.repo('py-venv-exec');
    await writeFiles(dir, {
      'requirements-test.txt': 'pytest\n',
      'tests/test_a.py': 'def test_a():\n    assert True\n',
    });
    const project = await onlyProject(dir);
    const setup = await runSetup(project, { ...ctx.options(dir), network: false });
    // Was: "prlimit: failed to execute …/venvs/…/bin/python: Permission denied" (exit 126).
    expect(setup.outputTail).not.toContain('Permission denied');
    expect(setup, setup.outputTail).toMatchObject({ ok: true, exitCode: 0 });
    const report = await runTests(project, ctx.options(dir));
    expect(report, report.outputTail).toMatchObject({ ok: true, passed: 1, failed: 0 });
  });

  it.skipIf(!pypi)(
    'a setup.py project installs editable with build isolation off: setuptools and wheel go in first, then the project (corpus: six) [skipped when pip cannot reach its index]',
    async () => {
      const dir = await ctx.repo('py-setup-py');
      await writeFiles(dir, {
        'setup.py':
          'from setuptools import setup\n\nsetup(name="calc", version="0.1.0", py_modules=["calc"])\n',
        'setup.cfg': '[tool:pytest]\ntestpaths = tests\n',
        'calc.py': 'def add(a, b):\n    return a + b\n',
        'tests/test_calc.py': 'import calc\n\n\ndef test_add():\n    assert calc.add(2, 3) == 5\n',
      });
      const project = await onlyProject(dir);
      const setup = await runSetup(project, { ...ctx.options(dir), network: true });
      // Was: one `pip install setuptools wheel -e .`, failing with "invalid command 'bdist_wheel'".
      expect(setup, setup.outputTail).toMatchObject({ ok: true });
      expect(setup.commands.map((argv) => argv.slice(-2))).toEqual(
        expect.arrayContaining([
          ['setuptools', 'wheel'],
          ['-e', '.'],
        ]),
      );
      const offline = await runSetup(project, { ...ctx.options(dir), network: false });
      expect(offline, offline.outputTail).toMatchObject({ ok: true });
      const report = await runTests(project, ctx.options(dir));
      expect(report, report.outputTail).toMatchObject({ ok: true, passed: 1, failed: 0 });
    },
  );

  it('a requirement file tox.ini names but the repository lacks is skipped with a note; setup and the tests go on', async () => {
    // Shaped like a source package: tox.ini's deps name requirements-test.txt, left out of the package.
    const dir = await ctx.repo('py-tox-missing-file');
    await writeFiles(dir, {
      'tox.ini':
        '[tox]\nenvlist = py3\n\n[testenv]\ndeps =\n    pytest\n    -r{toxinidir}/requirements-test.txt\ncommands = pytest {posargs}\n',
      'setup.cfg': '[metadata]\nname = calc\nversion = 0.1.0\n',
      'calc/__init__.py': 'def add(a, b):\n    return a + b\n',
      'tests/test_calc.py': 'from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n',
    });
    const project = await onlyProject(dir);
    const setup = await runSetup(project, { ...ctx.options(dir), network: false });
    // Was: ok false, pip's "Could not open requirements file: requirements-test.txt" (SETUP_FAILED).
    expect(setup, setup.outputTail).toMatchObject({ ok: true, exitCode: 0 });
    expect(setup.commands.flat()).not.toContain('requirements-test.txt');
    expect(setup.commands.at(-1)).toContain('pytest');
    expect(setup.notes).toEqual([
      expect.stringContaining('tox.ini names requirements-test.txt, which is not in the repository: skipped'),
    ]);
    const report = await runTests(project, ctx.options(dir));
    expect(report, report.outputTail).toMatchObject({ ok: true, passed: 1, failed: 0 });
  });

  it('a tox.ini requirement file outside the project is never read: skipped as missing', async () => {
    const dir = await ctx.repo('py-tox-escape');
    await writeFiles(dir, {
      'tox.ini': '[testenv]\ndeps =\n    -r{toxinidir}/../../etc/requirements.txt\n',
      'tests/test_a.py': 'def test_a():\n    assert True\n',
    });
    const setup = await runSetup(await onlyProject(dir), { ...ctx.options(dir), network: false });
    expect(setup).toMatchObject({ ok: true, commands: [] });
    expect(setup.notes?.[0]).toContain('../../etc/requirements.txt');
  });

  it('nothing to install: offline setup runs no command at all (no venv, no pip)', async () => {
    const dir = await ctx.repo('py-nothing');
    await writeFiles(dir, {
      'pyproject.toml': '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n',
      'tests/test_a.py': 'def test_a():\n    assert True\n',
    });
    const project = await onlyProject(dir);
    expect(project.commands.setup).toBeUndefined();
    const setup = await runSetup(project, { ...ctx.options(dir), network: false });
    expect(setup).toMatchObject({ ok: true, commands: [], durationMs: 0 });
  });

  it('offline with a dependency not in the cache: fails fast (--no-index), naming pip', async () => {
    const dir = await ctx.repo('py-offline');
    await writeFiles(dir, {
      'requirements-test.txt': 'definitely-not-cached-package==1.2.3\n',
      'tests/test_a.py': 'def test_a():\n    assert True\n',
    });
    const project = await onlyProject(dir);
    const setup = await runSetup(project, { ...ctx.options(dir), network: false });
    expect(setup.ok).toBe(false);
    expect(setup.failedCommand).toEqual(expect.arrayContaining(['install', '--no-index']));
    expect(setup.outputTail).toContain('definitely-not-cached-package');
    // The old `pip install` retried a missing network for ~8.5 s.
    expect(setup.durationMs).toBeLessThan(8_000);
  });
});

describe('go setup', () => {
  it.skipIf(!goProxy)(
    'a module dependency downloaded in setup into the data_dir GOMODCACHE, then tested offline [skipped when go cannot reach its module proxy]',
    async () => {
      const dir = await ctx.repo('go-dep');
      await writeFiles(dir, {
        'go.mod': 'module example.com/fx\n\ngo 1.21\n\nrequire github.com/google/go-cmp v0.6.0\n',
        'go.sum': [
          'github.com/google/go-cmp v0.6.0 h1:ofyhxvXcZhMsU5ulbFiLKl/XBFqE1GSq7atu8tAmTRI=',
          'github.com/google/go-cmp v0.6.0/go.mod h1:17dUlkBOakJ0+DkrSSNjCkIjxS6bF9zb3elmeNGIjoY=',
          '',
        ].join('\n'),
        'fx.go': 'package fx\n\nfunc Two() int { return 2 }\n',
        'fx_test.go':
          'package fx\n\nimport (\n\t"testing"\n\n\t"github.com/google/go-cmp/cmp"\n)\n\nfunc TestTwo(t *testing.T) {\n\tif d := cmp.Diff(2, Two()); d != "" {\n\t\tt.Fatal(d)\n\t}\n}\n',
      });
      const project = await onlyProject(dir);
      const before = await runTests(project, ctx.options(dir));
      expect(before.ok).toBe(false);
      const setup = await runSetup(project, { ...ctx.options(dir), network: true });
      expect(setup, setup.outputTail).toMatchObject({ ok: true });
      // The download, then (first setup of the repo) the build cache warm-up: go-build-cache.test.ts.
      expect(setup.commands[0]).toEqual(['go', 'mod', 'download']);
      const report = await runTests(project, ctx.options(dir));
      expect(report, report.outputTail).toMatchObject({ ok: true, passed: 1, failed: 0 });
    },
    // The first Go setup of the file compiles the standard library into a cold cache: minutes on a busy machine.
    300_000,
  );

  it.skipIf(!goProxy)(
    'a go.sum that lacks an entry: SETUP_FAILED naming go.sum, and the go.sum the download wrote is put back [skipped when go cannot reach its module proxy]',
    async () => {
      const dir = await ctx.repo('go-sum-gap');
      const goSum =
        'github.com/google/go-cmp v0.6.0/go.mod h1:17dUlkBOakJ0+DkrSSNjCkIjxS6bF9zb3elmeNGIjoY=\n';
      await writeFiles(dir, {
        'go.mod': 'module example.com/fx\n\ngo 1.21\n\nrequire github.com/google/go-cmp v0.6.0\n',
        // The module's own hash line is missing: `go test` by hand fails on it too.
        'go.sum': goSum,
        'fx.go':
          'package fx\n\nimport "github.com/google/go-cmp/cmp"\n\nfunc Same(a, b int) bool { return cmp.Equal(a, b) }\n',
      });
      const project = await onlyProject(dir);
      const setup = await runSetup(project, { ...ctx.options(dir), network: true });
      expect(setup).toMatchObject({ ok: false, failedCommand: ['go', 'list', '-deps', '-test', './...'] });
      expect(setup.outputTail).toMatch(/missing go\.sum entry/);
      expect(setup.outputTail).toMatch(/go\.sum lacks entries .* run `go mod tidy` and commit go\.sum/);
      // -mod=mod had completed go.sum in the repo (and pushed it with the change).
      expect(await readFile(path.join(dir, 'go.sum'), 'utf8')).toBe(goSum);
    },
  );
});
