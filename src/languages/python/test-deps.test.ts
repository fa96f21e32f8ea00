import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectProjects } from '../index.js';
import { pythonDeps } from './test-deps.js';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function project(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'autodev-pydeps-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

describe('python build requirements (installed before the project, build isolation off)', () => {
  it('a hatchling project also gets `editables`, which its editable build asks for (corpus: humanize)', async () => {
    const dir = await project({
      'pyproject.toml':
        '[build-system]\nrequires = ["hatch-vcs", "hatchling"]\nbuild-backend = "hatchling.build"\n\n[project]\nname = "h"\ndynamic = ["version"]\n',
      'src/h/__init__.py': '',
    });
    const deps = await pythonDeps(dir);
    expect(deps.installable).toBe(true);
    expect(deps.buildRequires).toEqual(['hatch-vcs', 'hatchling', 'editables']);
  });

  it('a setup.py project gets setuptools and wheel, nothing for hatchling', async () => {
    const dir = await project({ 'setup.py': 'from setuptools import setup\nsetup(name="s")\n' });
    expect((await pythonDeps(dir)).buildRequires).toEqual(['setuptools', 'wheel']);
  });
});

/** The setup command detection gives the project: what a task's setup installs. */
async function setupOf(files: Record<string, string>): Promise<string[] | undefined> {
  const dir = await project(files);
  const [detected] = await detectProjects(dir);
  return detected?.commands.setup;
}

// Issue #28: a setup installed `build pytest coverage ruff sphinx`. Only what the tests need.
describe('python setup installs the test dependencies only', () => {
  it('a pyproject with docs, dev and test extras installs the project with its test extra alone', async () => {
    const setup = await setupOf({
      'pyproject.toml': [
        '[build-system]',
        'requires = ["setuptools"]',
        'build-backend = "setuptools.build_meta"',
        '[project]',
        'name = "p"',
        'version = "1"',
        'dependencies = ["attrs"]',
        '[project.optional-dependencies]',
        'docs = ["sphinx", "furo"]',
        'dev = ["build", "twine", "pytest", "ruff"]',
        'test = ["pytest", "coverage"]',
        '',
      ].join('\n'),
      'src/p/__init__.py': '',
      'tests/test_p.py': 'def test_p():\n    pass\n',
    });
    expect(setup).toEqual(['python3', '-m', 'pip', 'install', 'setuptools', 'wheel', '-e', '.[test]']);
  });

  it('only a dev extra: its requirements one by one, without the docs and release tools', async () => {
    const setup = await setupOf({
      'pyproject.toml':
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n[project]\nname = "p"\nversion = "1"\n[project.optional-dependencies]\ndev = ["build>=1", "pytest", "coverage[toml]", "ruff", "sphinx>=7", "sphinx-rtd-theme", "twine"]\n',
      'src/p/__init__.py': '',
    });
    expect(setup).toEqual([
      'python3',
      '-m',
      'pip',
      'install',
      'setuptools',
      'wheel',
      'pytest',
      'coverage[toml]',
      'ruff',
      '-e',
      '.',
    ]);
  });

  it('a dependency-groups dev group (the issue’s shape) loses build and sphinx; a test group wins over it', async () => {
    const dev = await setupOf({
      'pyproject.toml':
        '[project]\nname = "p"\nversion = "1"\n[dependency-groups]\ndev = ["build", "pytest", "coverage", "ruff", "sphinx"]\n',
      'p.py': '',
      'test_p.py': 'def test_p():\n    pass\n',
    });
    expect(dev).toEqual(['python3', '-m', 'pip', 'install', 'pytest', 'coverage', 'ruff']);
    const test = await setupOf({
      'pyproject.toml':
        '[project]\nname = "p"\nversion = "1"\n[dependency-groups]\ndev = ["build", "sphinx", { include-group = "test" }]\ntest = ["pytest>=8"]\n',
      'p.py': '',
    });
    expect(test).toEqual(['python3', '-m', 'pip', 'install', 'pytest>=8']);
  });

  it('requirements-docs.txt beside requirements-test.txt: the runtime and test files only, not docs or dev', async () => {
    const setup = await setupOf({
      'requirements.txt': 'attrs\n',
      'requirements-docs.txt': 'sphinx\n',
      'requirements-test.txt': 'pytest\n',
      'requirements-dev.txt': '-r requirements-test.txt\n-r requirements-docs.txt\ntwine\n',
      'test_p.py': 'def test_p():\n    pass\n',
    });
    expect(setup).toEqual([
      'python3',
      '-m',
      'pip',
      'install',
      '-r',
      'requirements.txt',
      '-r',
      'requirements-test.txt',
    ]);
  });

  it('tox.ini: the [testenv] deps without documentation tools; [testenv:docs] is not read', async () => {
    const setup = await setupOf({
      'tox.ini': [
        '[tox]',
        'envlist = py3, docs',
        '',
        '[testenv]',
        'deps =',
        '    pytest',
        '    pytest-cov',
        '    sphinx',
        'commands = pytest',
        '',
        '[testenv:docs]',
        'deps = furo',
        '    sphinx-autodoc-typehints',
        'commands = sphinx-build docs docs/_build',
        '',
      ].join('\n'),
      'test_p.py': 'def test_p():\n    pass\n',
    });
    expect(setup).toEqual(['python3', '-m', 'pip', 'install', 'pytest', 'pytest-cov']);
  });

  it("requirement files pinned per Python version (wcwidth): tox's test env file, else the newest", async () => {
    const pinned = {
      'setup.py': 'from setuptools import setup\nsetup(name="w")\n',
      'requirements-tests36.txt': 'pytest==7.0.1\n',
      'requirements-tests37.txt': 'pytest==7.4.3\n',
      'requirements-tests39.txt': 'pytest==7.4.4\n',
      'requirements-docs.in': 'sphinx\n',
    };
    const withTox = await setupOf({
      ...pinned,
      'tox.ini':
        '[testenv]\ndeps = -r requirements-tests37.txt\n\n[testenv:py36]\ndeps = -r requirements-tests36.txt\n',
    });
    expect(withTox).toEqual([
      'python3',
      '-m',
      'pip',
      'install',
      'setuptools',
      'wheel',
      '-r',
      'requirements-tests37.txt',
      '-e',
      '.',
    ]);
    // All three at once conflicted: pip could not install pytest==7.0.1 and pytest==7.4.4 together.
    expect(await setupOf(pinned)).toEqual([
      'python3',
      '-m',
      'pip',
      'install',
      'setuptools',
      'wheel',
      '-r',
      'requirements-tests39.txt',
      '-e',
      '.',
    ]);
  });
});

describe('a uv project (uv.lock beside pyproject.toml)', () => {
  const uvLock = [
    'version = 1',
    '',
    '[[package]]',
    'name = "app"',
    'version = "0.1.0"',
    'source = { virtual = "." }',
    '',
    '[[package]]',
    'name = "Tiny_Calc"',
    'version = "1.0.1"',
    'source = { registry = "http://127.0.0.1:9/simple/" }',
    '',
    '[[package]]',
    'name = "helper"',
    'version = "3.0.0"',
    'source = { registry = "http://127.0.0.1:9/simple/" }',
    '',
  ].join('\n');
  const pyproject =
    '[project]\nname = "app"\nversion = "0.1.0"\ndependencies = ["tiny-calc>=1.0.0"]\n\n' +
    '[[tool.uv.index]]\nname = "corp"\nurl = "http://127.0.0.1:9/simple/"\ndefault = true\n';

  it('installs its direct dependencies at the versions uv.lock resolves, from the index it names for uv', async () => {
    const dir = await project({ 'pyproject.toml': pyproject, 'uv.lock': uvLock });
    const deps = await pythonDeps(dir);
    // helper is only a transitive dependency: pip resolves it as the direct ones ask.
    expect(deps.requirements).toEqual(['tiny-calc>=1.0.0', 'tiny-calc==1.0.1']);
    expect(deps.indexUrl).toBe('http://127.0.0.1:9/simple/');
  });

  it('without uv.lock, or with one that is not TOML, nothing changes', async () => {
    const plain = await pythonDeps(await project({ 'pyproject.toml': pyproject }));
    expect(plain.requirements).toEqual(['tiny-calc>=1.0.0']);
    expect(plain.indexUrl).toBeUndefined();
    const broken = await pythonDeps(
      await project({ 'pyproject.toml': pyproject, 'uv.lock': '[[package]\n' }),
    );
    expect(broken.requirements).toEqual(['tiny-calc>=1.0.0']);
    expect(broken.indexUrl).toBeUndefined();
  });
});
