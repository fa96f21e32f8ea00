import { createHash } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import type { SandboxBind } from '../../sandbox/types.js';
import { ecosystemCache } from '../caches.js';
import { nothingToInstall, pythonDeps, type PythonDeps } from './test-deps.js';
import { machineUvIndex } from './uv-lock.js';
import { exists } from '../scan.js';
import type { SetupStep } from '../setup-run.js';
import type { Argv, DetectedProject, RunProjectCommandOptions, SetupOptions } from '../types.js';

/**
 * pip never asks (a prompt would wait for the step's timeout) and draws no progress bar: its bar
 * runs in a thread of its own, and a setup that failed to start one ("can't start new thread")
 * failed the whole install (issue #28). The environment reaches an overridden setup command too.
 */
const PIP_QUIET_ENV = { PIP_NO_INPUT: '1', PIP_PROGRESS_BAR: 'off', PIP_DISABLE_PIP_VERSION_CHECK: '1' };
const NO_PROGRESS = ['--progress-bar', 'off'];

export interface PythonEnvLayout {
  /** The project's virtualenv: one per workspace and project folder. */
  venv: string;
  /** Wheels fetched when setup had network; the only source of an install (`--no-index`). */
  wheels: string;
  pipCache: string;
  binds: SandboxBind[];
}

/**
 * Under the repo's python cache in data_dir (read-only to the tests, so a test cannot rewrite the
 * pytest that judges it), or in the task HOME for a run without caches.
 */
async function layout(
  project: DetectedProject,
  options: RunProjectCommandOptions,
  writable: boolean,
): Promise<PythonEnvLayout | undefined> {
  const cache = await ecosystemCache(options, 'python', writable);
  const base = cache?.dir ?? (options.homeDir ? path.join(options.homeDir, '.autodev-python') : undefined);
  if (base === undefined) return undefined;
  const workspace = await realpath(options.workspaceDir);
  const key = createHash('sha256').update(`${workspace}\0${project.root}`).digest('hex').slice(0, 16);
  return {
    venv: path.join(base, 'venvs', key),
    wheels: path.join(base, 'wheels'),
    pipCache: path.join(base, 'pip'),
    binds: cache ? [cache.bind] : [],
  };
}

/**
 * How build, test and lint see the virtualenv setup made: VIRTUAL_ENV (the sandbox puts its bin/
 * first on PATH, so `python3`, `pytest` and an overridden `sh -c` command all find it). Nothing when
 * setup made none (nothing to install): the machine's Python runs as before.
 */
export async function pythonRunEnv(
  project: DetectedProject,
  options: RunProjectCommandOptions,
): Promise<{ env: Record<string, string>; binds: SandboxBind[] }> {
  const where = await layout(project, options, false);
  if (where === undefined || !(await exists(path.join(where.venv, 'bin', 'python')))) {
    return { env: {}, binds: [] };
  }
  return { env: { VIRTUAL_ENV: where.venv }, binds: where.binds };
}

/** The pip install the detected project gets (shown as its setup command); undefined: nothing to install. */
export async function defaultPipInstall(dir: string): Promise<Argv | undefined> {
  const deps = await pythonDeps(dir);
  if (nothingToInstall(deps)) return undefined;
  return [
    'python3',
    '-m',
    'pip',
    'install',
    ...indexArgs(deps),
    ...installArgs(deps.installable, deps.extras, deps),
  ];
}

/**
 * pip's index for a uv project, as uv would pick it: the one the project names for uv, else the
 * machine's UV_DEFAULT_INDEX / UV_INDEX_URL; otherwise pip's own configuration (no argument).
 */
function indexArgs(deps: PythonDeps, registryEnv: Readonly<Record<string, string>> = {}): string[] {
  const url = deps.indexUrl ?? (deps.uvLocked === true ? machineUvIndex(registryEnv) : undefined);
  return url === undefined ? [] : ['--index-url', url];
}

function installArgs(
  installable: boolean,
  extras: string[],
  deps: { requirements: string[]; files: string[]; buildRequires: string[] },
): string[] {
  const project = extras.length > 0 ? `.[${extras.join(',')}]` : '.';
  return [
    ...deps.buildRequires,
    ...deps.requirements,
    ...deps.files.flatMap((f) => ['-r', f]),
    ...(installable ? ['-e', project] : []),
  ];
}

/**
 * The steps of a Python setup: a virtualenv (seeing the machine's packages, so a project that
 * declares no pytest still finds one, while every pin it declares wins inside the venv); with network,
 * the declared packages fetched as wheels into the cache; then the install from those wheels only
 * (`--no-index`, no build isolation), so an offline setup never waits on a network that is not there.
 * An overridden setup command runs as written, inside the virtualenv.
 */
export async function pythonSetupSteps(
  project: DetectedProject,
  options: SetupOptions,
  overridden: Argv | undefined,
): Promise<{ steps: SetupStep[]; binds: SandboxBind[] }> {
  const dir = path.resolve(options.workspaceDir, project.root);
  const deps = await pythonDeps(dir);
  if (overridden === undefined && nothingToInstall(deps)) return { steps: [], binds: [] };
  const where = await layout(project, options, true);
  if (where === undefined) {
    // No cache and no HOME to keep a venv in: the command as detected, as before.
    const argv = overridden ?? (await defaultPipInstall(dir));
    return { steps: argv ? [{ argv, env: PIP_QUIET_ENV }] : [], binds: [] };
  }
  const env = { VIRTUAL_ENV: where.venv, PIP_CACHE_DIR: where.pipCache, ...PIP_QUIET_ENV };
  const python = path.join(where.venv, 'bin', 'python');
  const steps: SetupStep[] = [];
  if (!(await exists(python))) {
    steps.push({
      argv: ['python3', '-m', 'venv', '--system-site-packages', '--without-pip', where.venv],
      env: { PYTHONDONTWRITEBYTECODE: '1' },
    });
  }
  if (overridden !== undefined) return { steps: [...steps, { argv: overridden, env }], binds: where.binds };
  const pip = [python, '-m', 'pip'];
  const wheel = [...pip, 'wheel', ...NO_PROGRESS];
  if (options.network) {
    steps.push({
      argv: [
        ...wheel,
        '--wheel-dir',
        where.wheels,
        ...indexArgs(deps, options.registryEnv),
        ...installArgs(deps.installable, deps.extras, deps).filter((a) => a !== '-e'),
      ],
      env,
    });
  }
  const offlineInstall = [...pip, 'install', ...NO_PROGRESS, '--no-index', '--find-links', where.wheels];
  // The build backend first, on its own: in one command pip prepares the project's metadata before
  // it installs anything, so `-e .` of a setuptools project failed on `invalid command 'bdist_wheel'`
  // whenever the machine had no `wheel` (corpus: six).
  if (deps.buildRequires.length > 0) steps.push({ argv: [...offlineInstall, ...deps.buildRequires], env });
  steps.push({
    argv: [
      ...offlineInstall,
      '--no-build-isolation',
      ...installArgs(deps.installable, deps.extras, { ...deps, buildRequires: [] }),
    ],
    env,
  });
  return { steps, binds: where.binds };
}
