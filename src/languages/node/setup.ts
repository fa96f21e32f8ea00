import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SandboxBind } from '../../sandbox/types.js';
import { ecosystemCache } from '../caches.js';
import { exists, readText } from '../scan.js';
import type { SetupStep } from '../setup-run.js';
import type { Argv, DetectedProject, RunProjectCommandOptions, SetupOptions, SetupReport } from '../types.js';

export type PackageManager = 'npm' | 'pnpm' | 'yarn';

/**
 * Yarn 2+ for a repo that says it uses berry (.yarnrc.yml) but pins no version: the one
 * scripts/setup.sh's corepack would also pick, fetched into the repo's caches by setup.
 */
export const DEFAULT_YARN_BERRY = 'yarn@4.18.1';

// Runners read CI to stay out of watch mode and drop spinners; colour would only get in the way.
export const RUN_ENV = {
  CI: 'true',
  NO_COLOR: '1',
  FORCE_COLOR: '0',
  npm_config_update_notifier: 'false',
};

export interface PackageManagerChoice {
  pm: PackageManager;
  locked: boolean;
  /**
   * How the manager is started: `npm`, `pnpm`, `yarn` (yarn 1, which also hands over to a berry
   * release the repo commits as yarnPath), or `corepack yarn[@version]` for yarn 2+, so the repo
   * gets the berry version its package.json pins.
   */
  runner: Argv;
  /** Yarn 2+, which spells the frozen install `--immutable` and has no `--offline`. */
  berry: boolean;
}

/** The lockfile decides, looked for in the project and up to the repo root (a workspace keeps one at the top). */
async function lockedManager(repoDir: string, root: string): Promise<PackageManager | undefined> {
  for (let dir = root; ; dir = path.posix.dirname(dir)) {
    const abs = path.join(repoDir, dir);
    if (await exists(path.join(abs, 'pnpm-lock.yaml'))) return 'pnpm';
    if (await exists(path.join(abs, 'yarn.lock'))) return 'yarn';
    if (
      (await exists(path.join(abs, 'package-lock.json'))) ||
      (await exists(path.join(abs, 'npm-shrinkwrap.json')))
    ) {
      return 'npm';
    }
    if (dir === '.') return undefined;
  }
}

/** The nearest .yarnrc.yml from the project up to the repo root: yarn 2+ keeps its settings there. */
async function yarnrcYml(repoDir: string, root: string): Promise<string | undefined> {
  for (let dir = root; ; dir = path.posix.dirname(dir)) {
    const text = await readText(path.join(repoDir, dir, '.yarnrc.yml'));
    if (text !== undefined) return text;
    if (dir === '.') return undefined;
  }
}

async function yarnRunner(
  repoDir: string,
  root: string,
  declared: string | undefined,
): Promise<{ runner: Argv; berry: boolean }> {
  const major = /^yarn@(\d+)/.exec(declared ?? '')?.[1];
  // corepack reads the pinned version (and its hash) from package.json itself.
  if (major !== undefined) {
    return Number(major) >= 2
      ? { runner: ['corepack', 'yarn'], berry: true }
      : { runner: ['yarn'], berry: false };
  }
  const yarnrc = await yarnrcYml(repoDir, root);
  if (yarnrc === undefined) return { runner: ['yarn'], berry: false };
  // yarn 1 hands over to the release the repo commits when its .yarnrc.yml names one.
  if (/^yarnPath\s*:/m.test(yarnrc)) return { runner: ['yarn'], berry: true };
  return { runner: ['corepack', DEFAULT_YARN_BERRY], berry: true };
}

export async function choosePackageManager(
  repoDir: string,
  root: string,
  declaredField: string | undefined,
): Promise<PackageManagerChoice> {
  const declared = /^(npm|pnpm|yarn)@/.exec(declaredField ?? '')?.[1];
  const locked = await lockedManager(repoDir, root);
  const pm: PackageManager = locked ?? (declared === 'pnpm' || declared === 'yarn' ? declared : 'npm');
  const yarn = pm === 'yarn' ? await yarnRunner(repoDir, root, declaredField) : undefined;
  return { pm, locked: locked !== undefined, runner: yarn?.runner ?? [pm], berry: yarn?.berry ?? false };
}

/** The install that must match the lockfile exactly: a lockfile out of date fails setup. */
export function setupCommand(choice: PackageManagerChoice): Argv {
  const { pm, locked, runner, berry } = choice;
  if (pm === 'npm') return locked ? ['npm', 'ci'] : ['npm', 'install'];
  if (pm === 'pnpm') return locked ? [...runner, 'install', '--frozen-lockfile'] : [...runner, 'install'];
  if (!locked) return [...runner, 'install'];
  return berry ? [...runner, 'install', '--immutable'] : [...runner, 'install', '--frozen-lockfile'];
}

export interface ManagerRun {
  env: Record<string, string>;
  binds: SandboxBind[];
}

/**
 * The environment that points a package manager at the repo's caches (data_dir/caches/<key>/npm),
 * writable in setup and read-only for tests, and keeps it off the network unless setup has it:
 * - npm and pnpm read npm_config_* (so an overridden setup command gets them too); pnpm's store
 *   is copied (or reflinked) into node_modules, never hard-linked, so a test cannot write through
 *   node_modules into the store the repo's next tasks install from;
 * - yarn 1 keeps its tarballs in YARN_CACHE_FOLDER and needs `--offline` on the command line;
 * - yarn 2+ keeps its zips in the project's cache folder, which Plug'n'Play reads at run time too
 *   (so tests see it, read-only), and YARN_ENABLE_NETWORK=0 makes a miss fail at once;
 * - corepack keeps the yarn 2+ release it fetched in COREPACK_HOME, from the registry the host's npm
 *   is configured for (corepack's own default is one more host to reach), never prompting, never
 *   editing package.json.
 */
export async function managerRun(
  options: Pick<RunProjectCommandOptions, 'cacheDir' | 'npmRegistry'>,
  writable: boolean,
  network: boolean,
): Promise<ManagerRun> {
  const cache = await ecosystemCache(options, 'npm', writable);
  if (cache && writable) await pinCommonJs(cache.dir);
  const mode = network ? 'prefer-offline' : 'offline';
  const dirs: Record<string, string> = cache
    ? {
        npm_config_cache: cache.dir,
        npm_config_store_dir: path.join(cache.dir, 'pnpm-store'),
        npm_config_cache_dir: path.join(cache.dir, 'pnpm-cache'),
        YARN_CACHE_FOLDER: path.join(cache.dir, 'yarn'),
        COREPACK_HOME: path.join(cache.dir, 'corepack'),
      }
    : {};
  return {
    env: {
      ...RUN_ENV,
      [`npm_config_${mode.replace('-', '_')}`]: 'true',
      // No progress display and no prompt: an install runs unattended, its output read as a log.
      npm_config_progress: 'false',
      npm_config_yes: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_package_import_method: 'clone-or-copy',
      YARN_ENABLE_GLOBAL_CACHE: '0',
      YARN_ENABLE_TELEMETRY: '0',
      YARN_ENABLE_PROGRESS_BARS: '0',
      YARN_ENABLE_NETWORK: network ? '1' : '0',
      COREPACK_ENABLE_DOWNLOAD_PROMPT: '0',
      COREPACK_ENABLE_AUTO_PIN: '0',
      COREPACK_ENABLE_NETWORK: network ? '1' : '0',
      // The registry the host's npm is configured for (a corporate mirror too); never a fixed address.
      ...(options.npmRegistry ? { COREPACK_NPM_REGISTRY: options.npmRegistry.replace(/\/+$/, '') } : {}),
      ...dirs,
    },
    binds: cache ? [cache.bind] : [],
  };
}

/**
 * corepack stores yarn 2+ as a bare yarn.js, which node reads as the nearest package.json says: a
 * data_dir inside an ESM project (autodev's own checkout, `"type": "module"`) made it an ES module
 * that fails at once ("Dynamic require of \"util\" is not supported"). A package.json above it pins it.
 */
async function pinCommonJs(cacheDir: string): Promise<void> {
  // In the cache folder itself (which the sandbox user is given), not in a folder created for it
  // here: one made by root would stay root's, and corepack could not write into it.
  await writeFile(path.join(cacheDir, 'package.json'), '{ "type": "commonjs" }\n');
}

/** The setup step: the install with the repo's caches writable, offline unless setup has network. */
export async function nodeSetupStep(
  argv: Argv,
  options: SetupOptions,
): Promise<{ step: SetupStep; binds: SandboxBind[] }> {
  const { env, binds } = await managerRun(options, true, options.network);
  // yarn 1 has no environment switch for offline; yarn 2+ has no --offline flag.
  const yarnClassic = argv[0] === 'yarn' && !argv.includes('--immutable');
  const offlineFlag = yarnClassic && !options.network ? ['--offline'] : [];
  return { step: { argv: [...argv, ...offlineFlag], env }, binds };
}

const SETUP_HINT = 'run scripts/setup.sh, which installs the pinned versions autodev is tested with';
// Node 20 ships pnpm and yarn only as corepack shims, which download the manager on first use: with
// no network in setup by default, autodev does not fetch package managers; the host provides them.
export const MANAGER_INSTALL_HINT: Record<string, string> = {
  pnpm: `the repo has a pnpm lockfile (or packageManager: pnpm); install pnpm on the host (${SETUP_HINT}, or \`npm install -g pnpm@9\`, or \`corepack enable pnpm\` and one run with network)`,
  yarn: `the repo has a yarn.lock (or packageManager: yarn); install yarn on the host (${SETUP_HINT}, or \`npm install -g yarn@1\`, or \`corepack enable yarn\` and one run with network)`,
  corepack: `the repo uses yarn 2+ (packageManager: yarn@2 or later, or a .yarnrc.yml), which autodev runs through corepack; install it on the host (${SETUP_HINT}, or \`npm install -g corepack\`)`,
};

/** A lockfile naming a package manager the machine lacks: a setup failure that says what to install. */
export function missingPackageManager(project: DetectedProject, argv: Argv, program: string): SetupReport {
  return {
    language: project.language,
    root: project.root,
    commands: [argv],
    ok: false,
    failedCommand: argv,
    exitCode: null,
    timedOut: false,
    durationMs: 0,
    outputTail: `${program} is not installed: ${MANAGER_INSTALL_HINT[program] ?? ''}`,
  };
}
