import path from 'node:path';
import { readText } from '../scan.js';
import type { Argv } from '../types.js';

/**
 * How autodev starts Python's test runners so that the change under test cannot replace them.
 *
 * `python3 -m pytest` puts the working directory first on sys.path, so a committed top-level
 * `pytest.py` (or `_pytest/`, `pluggy.py`, a `pytest_asyncio/`) is imported instead of the installed
 * runner: it can print an all-pass summary and write an all-pass JUnit report. The launcher below takes
 * the working directory and every sys.path entry inside it (an editable install's `src/`) off sys.path,
 * imports the runner, its dependencies and the plugins the repo
 * declares from the interpreter's own site-packages, and only then puts the working directory back
 * first (as `-m` would), before the first conftest is loaded: from there on every runner module is
 * already in sys.modules, and a package's submodules resolve through its own `__path__`.
 *
 * Plugin autoloading is off (PYTEST_DISABLE_PLUGIN_AUTOLOAD): a plugin runs only when its distribution
 * is installed and named in the repo's manifests, and user site-packages are off (`-s`,
 * PYTHONNOUSERSITE), so nothing a command left in a HOME reaches the run that judges the change.
 */
const PYTEST_LAUNCHER = String.raw`import importlib, os, re, sys
cwd = os.getcwd()
inside = lambda p: p in ('', '.') or os.path.realpath(p) == cwd or os.path.realpath(p).startswith(cwd + os.sep)
worktree_paths = [p for p in sys.path if inside(p) and p not in ('', '.')]
sys.path[:] = [p for p in sys.path if not inside(p)]
try:
    import pytest
except ModuleNotFoundError:
    sys.stderr.write(sys.executable + ': No module named pytest\n')
    sys.exit(1)
import _pytest, pluggy
for name in ('_pytest.junitxml', '_pytest.terminal', '_pytest.assertion.rewrite', 'iniconfig', 'packaging.version', 'pygments', 'doctest', 'pdb', 'tomli', 'exceptiongroup', 'colorama'):
    try:
        importlib.import_module(name)
    except ImportError:
        pass
from importlib import metadata
norm = lambda name: re.sub(r'[-_.]+', '-', name).lower()
declared = {norm(n) for n in os.environ.get('AUTODEV_PYTEST_PLUGINS', '').split(',') if n}
plugins = []
for dist in metadata.distributions():
    if norm(dist.metadata['Name'] or '') not in declared:
        continue
    for ep in dist.entry_points:
        module = ep.value.split(':')[0].strip()
        if ep.group == 'pytest11' and module not in plugins:
            importlib.import_module(module)
            plugins.append(module)

class WorkingDirectoryFirst:
    @pytest.hookimpl(tryfirst=True)
    def pytest_load_initial_conftests(self, early_config, parser, args):
        sys.path[:0] = [cwd] + [p for p in worktree_paths if p != cwd and p not in sys.path]

args = sys.argv[1:]
for module in plugins:
    args = ['-p', module] + args
sys.exit(pytest.main(args, plugins=[WorkingDirectoryFirst()]))
`;

/** The same for unittest: a committed `unittest.py` would replace `python3 -m unittest`. */
const UNITTEST_LAUNCHER = String.raw`import os, sys
cwd = os.getcwd()
inside = lambda p: p in ('', '.') or os.path.realpath(p) == cwd or os.path.realpath(p).startswith(cwd + os.sep)
worktree_paths = [p for p in sys.path if inside(p) and p not in ('', '.')]
sys.path[:] = [p for p in sys.path if not inside(p)]
import unittest, unittest.main, unittest.loader, unittest.runner, unittest.case, unittest.result
sys.path[:0] = [cwd] + [p for p in worktree_paths if p != cwd]
unittest.main(module=None, argv=['python3 -m unittest'] + sys.argv[1:])
`;

/** The environment of every Python test and lint run: no user site-packages. */
export const ISOLATED_PYTHON_ENV = { PYTHONNOUSERSITE: '1' };

/**
 * The launcher's own: plugin autoloading off, the declared plugins (names from the manifests) loaded
 * by the launcher instead. A repo's own test command (`.autodev.toml`) keeps pytest's autoloading,
 * since nothing then passes its plugins with `-p`.
 */
export function pytestLauncherEnv(declared: readonly string[]): Record<string, string> {
  return { PYTEST_DISABLE_PLUGIN_AUTOLOAD: '1', AUTODEV_PYTEST_PLUGINS: declared.join(',') };
}

/** `python3 -m pytest <args>`, started so that nothing in the working directory replaces pytest. */
export function pytestLauncherArgv(args: readonly string[]): Argv {
  return ['python3', '-s', '-c', PYTEST_LAUNCHER, ...args];
}

/** `python3 -m unittest <args>`, started so that nothing in the working directory replaces unittest. */
export function unittestLauncherArgv(args: readonly string[]): Argv {
  return ['python3', '-s', '-c', UNITTEST_LAUNCHER, ...args];
}

/** Files where a Python project names the packages its tests use (pytest plugins among them). */
const MANIFESTS = [
  'pyproject.toml',
  'setup.cfg',
  'setup.py',
  'tox.ini',
  'pytest.ini',
  'requirements.txt',
  'requirements-dev.txt',
  'requirements-test.txt',
  'requirements_dev.txt',
  'requirements_test.txt',
  'test-requirements.txt',
  'dev-requirements.txt',
  'requirements/test.txt',
  'requirements/dev.txt',
  'requirements/tests.txt',
];

const MAX_NAMES = 2_000;

/**
 * Every name-like word of the project's manifests, normalized as distribution names are: an installed
 * distribution with a pytest plugin entry point is loaded when its name is among them (so a project on
 * pytest-asyncio or anyio keeps its plugin, and nothing else installed on the machine joins in).
 */
export async function declaredPytestPlugins(projectDir: string): Promise<string[]> {
  const names = new Set<string>();
  for (const file of MANIFESTS) {
    const text = await readText(path.join(projectDir, file));
    for (const word of text?.match(/[A-Za-z0-9][A-Za-z0-9._-]{0,99}/g) ?? []) {
      if (names.size >= MAX_NAMES) break;
      names.add(word.replace(/[-_.]+/g, '-').toLowerCase());
    }
  }
  return [...names].sort();
}
