import { randomUUID } from 'node:crypto';
import { createPythonApiSurface } from './api-surface.js';
import { pythonReader } from './dependencies.js';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { parseJunitXml } from '../parsers/junit-xml.js';
import { parsePytestSummary } from './parsers/pytest-summary.js';
import { parseRuffJson } from './parsers/ruff.js';
import { parseUnittestOutput } from './parsers/unittest.js';
import { missingFileNotes, pythonDeps } from './test-deps.js';
import { ruffCommand } from './lint-defaults.js';
import { defaultPipInstall, pythonRunEnv, pythonSetupSteps } from './venv.js';
import { runSetupSteps } from '../setup-run.js';
import { projectDir, requireCommand, runBuildCommand, runLintCommand, runTestCommand } from '../run.js';
import {
  declaredPytestPlugins,
  ISOLATED_PYTHON_ENV,
  pytestLauncherEnv,
  pytestLauncherArgv,
  unittestLauncherArgv,
} from './runner.js';
import { candidateDirs, exists, isInside, readText } from '../scan.js';
import type { DetectedProject, Language } from '../types.js';

const MANIFESTS = ['pyproject.toml', 'setup.py', 'setup.cfg', 'pytest.ini', 'requirements.txt', 'tox.ini'];
const TEST_DIRS = ['tests', 'test'];
const TEST_FILE = /^(test_.*|.*_test)\.py$/;
// Tests must not leave __pycache__ or .pytest_cache behind in the worktree that gets committed, and
// read nothing from a user site-packages or an autoloaded plugin (python/runner.ts).
const TEST_ENV = { PYTHONDONTWRITEBYTECODE: '1', ...ISOLATED_PYTHON_ENV };
const UNITTEST_BASE = ['python3', '-m', 'unittest', 'discover', '-v'];

async function testFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const sub of ['.', ...TEST_DIRS]) {
    const names = await readdir(path.join(dir, sub)).catch(() => []);
    out.push(...names.filter((n) => TEST_FILE.test(n)).map((n) => path.join(dir, sub, n)));
  }
  return out;
}

/** pytest when anything names it; unittest when the tests import only unittest; pytest otherwise. */
async function testRunner(dir: string): Promise<'pytest' | 'unittest'> {
  if (await exists(path.join(dir, 'pytest.ini'))) return 'pytest';
  if ((await exists(path.join(dir, 'conftest.py'))) || (await exists(path.join(dir, 'tests', 'conftest.py'))))
    return 'pytest';
  for (const [file, marker] of [
    ['pyproject.toml', /pytest/],
    ['setup.cfg', /\[tool:pytest\]|pytest/],
    ['tox.ini', /\[pytest\]|pytest/],
    ['requirements.txt', /^pytest/m],
    ['requirements-dev.txt', /^pytest/m],
  ] as const) {
    if (marker.test((await readText(path.join(dir, file))) ?? '')) return 'pytest';
  }
  const sources = await Promise.all((await testFiles(dir)).map((f) => readText(f)));
  if (sources.some((s) => s !== undefined && /^\s*(import pytest|from pytest)/m.test(s))) return 'pytest';
  if (sources.some((s) => s !== undefined && /^\s*(import unittest|from unittest)/m.test(s)))
    return 'unittest';
  return 'pytest';
}

async function isPythonProject(repoDir: string, dir: string): Promise<boolean> {
  for (const manifest of MANIFESTS) if (await exists(path.join(repoDir, dir, manifest))) return true;
  // Only the root counts as a project for loose test files: subfolders with them belong to it.
  return dir === '.' && (await testFiles(repoDir)).length > 0;
}

const PYTEST_BASE = ['python3', '-m', 'pytest', '-q', '-p', 'no:cacheprovider', '-o', 'junit_family=xunit1'];

const sameArgv = (a: readonly string[], b: readonly string[]) => a.join('\u0000') === b.join('\u0000');

export const python: Language = {
  id: 'python',
  dependencies: pythonReader,
  apiSurface: (deps) => createPythonApiSurface(deps),

  /** A folder with a Python manifest (or a root with test files); folders inside one belong to it. */
  async detect(repoDir) {
    const projects: DetectedProject[] = [];
    for (const root of await candidateDirs(repoDir)) {
      if (projects.some((p) => isInside(root, p.root))) continue;
      if (!(await isPythonProject(repoDir, root))) continue;
      const dir = path.join(repoDir, root);
      const runner = await testRunner(dir);
      const setup = await defaultPipInstall(dir);
      projects.push({
        language: 'python',
        root,
        toolchain: runner,
        commands: {
          ...(setup ? { setup } : {}),
          // compileall matches `-x` against paths like `./sub/x.py`: skip dot-folders and environments, not `./`.
          build: [
            'python3',
            '-m',
            'compileall',
            '-q',
            '-x',
            '/(\\.[^/]+|venv|node_modules|__pycache__)/',
            '.',
          ],
          test: runner === 'pytest' ? [...PYTEST_BASE] : [...UNITTEST_BASE],
          lint: await ruffCommand(repoDir, root),
        },
        overridden: false,
      });
    }
    return projects;
  },

  async runSetup(project, options) {
    const configured = project.commands.setup;
    const detected = await defaultPipInstall(path.resolve(options.workspaceDir, project.root));
    // The detected command is a description of the default plan; only a different one is the repo's own.
    const overridden =
      configured !== undefined && configured.join('\u0000') !== (detected ?? []).join('\u0000')
        ? configured
        : undefined;
    const { steps, binds } = await pythonSetupSteps(project, options, overridden);
    const report = await runSetupSteps(project, steps, options, binds);
    const notes =
      overridden === undefined
        ? missingFileNotes(await pythonDeps(path.resolve(options.workspaceDir, project.root)))
        : [];
    return notes.length > 0 ? { ...report, notes } : report;
  },

  async runTests(project, options) {
    const configured = requireCommand(project, 'test');
    const venv = await pythonRunEnv(project, options);
    // The default pytest command writes a JUnit report into the workspace (the sandbox's only
    // writable tree besides HOME), read and removed right after.
    const useJunit = sameArgv(configured, PYTEST_BASE);
    const report = path.join(options.workspaceDir, `.autodev-junit-${randomUUID()}.xml`);
    const shown = useJunit ? [...configured, `--junitxml=${report}`] : configured;
    // The detected commands run through launchers no file of the change can replace (python/runner.ts);
    // a command of the repo's own `.autodev.toml` runs as written.
    const argv = useJunit
      ? pytestLauncherArgv(shown.slice(3))
      : sameArgv(configured, UNITTEST_BASE)
        ? unittestLauncherArgv(configured.slice(3))
        : configured;
    const plugins = useJunit ? await declaredPytestPlugins(projectDir(project, options.workspaceDir)) : [];
    try {
      return await runTestCommand(
        project,
        argv,
        options,
        async (r) => {
          const output = `${r.stdout}\n${r.stderr}`;
          const xml = useJunit ? await readText(report) : undefined;
          if (xml !== undefined) return parseJunitXml(xml);
          const summary = parsePytestSummary(output);
          return summary.found ? summary : parseUnittestOutput(output);
        },
        {
          env: {
            ...TEST_ENV,
            ...venv.env,
            ...(useJunit ? pytestLauncherEnv(plugins) : {}),
          },
          binds: venv.binds,
          shownAs: shown,
        },
      );
    } finally {
      await rm(report, { force: true });
    }
  },

  runBuild(project, options) {
    return runBuildCommand(project, options);
  },

  async runLint(project, options) {
    const venv = await pythonRunEnv(project, options);
    return runLintCommand(project, 'ruff', project.commands.lint, options, (r) => parseRuffJson(r.stdout), {
      ...venv,
      env: { ...ISOLATED_PYTHON_ENV, ...venv.env },
    });
  },
};
