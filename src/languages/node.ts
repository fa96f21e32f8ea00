import path from 'node:path';
import { z } from 'zod';
import { parseEslintJson } from './parsers/eslint.js';
import { parseJsTestOutput } from './parsers/js-test-output.js';
import { runLifecycleScript } from './npm-lifecycle.js';
import type { SandboxResult } from '../sandbox/types.js';
import { parseTscOutput } from './parsers/tsc.js';
import { requireCommand, runBuildCommand, runLintCommand, runTestCommand } from './run.js';
import { candidateDirs, exists, isInside, readText } from './scan.js';
import type { SandboxBind } from '../sandbox/types.js';
import { ecosystemCache } from './caches.js';
import { isWorkspaceMember, workspacePatterns } from './node-workspaces.js';
import { runSetupSteps, type SetupStep } from './setup-run.js';
import type { Argv, DetectedProject, Language, ProjectCommands, SetupOptions, SetupReport } from './types.js';
import { isAutodevError } from '../errors.js';

const PackageJson = z.object({
  scripts: z.record(z.string(), z.string()).optional(),
  workspaces: z.unknown().optional(),
  packageManager: z.string().optional(),
  eslintConfig: z.unknown().optional(),
});
type PackageJson = z.infer<typeof PackageJson>;

const ESLINT_CONFIGS = [
  'eslint.config.js',
  'eslint.config.mjs',
  'eslint.config.cjs',
  'eslint.config.ts',
  'eslint.config.mts',
  'eslint.config.cts',
  '.eslintrc',
  '.eslintrc.js',
  '.eslintrc.cjs',
  '.eslintrc.json',
  '.eslintrc.yml',
  '.eslintrc.yaml',
];
// What `npm init` writes: a placeholder that always fails, not a test suite.
const NPM_PLACEHOLDER_TEST = /no test specified/;
const TSC = ['tsc', '--noEmit', '--pretty', 'false'];
// Runners read CI to stay out of watch mode and drop spinners; colour would only get in the way.
const RUN_ENV = { CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0', npm_config_update_notifier: 'false' };

type PackageManager = 'npm' | 'pnpm' | 'yarn';

async function readPackageJson(dir: string): Promise<PackageJson | undefined> {
  const text = await readText(path.join(dir, 'package.json'));
  if (text === undefined) return undefined;
  try {
    const parsed = PackageJson.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** The lockfile decides, looked for in the project and up to the repo root (a workspace keeps one at the top). */
async function packageManager(
  repoDir: string,
  root: string,
  pkg: PackageJson,
): Promise<{ pm: PackageManager; locked: boolean }> {
  const declared = /^(npm|pnpm|yarn)@/.exec(pkg.packageManager ?? '')?.[1];
  for (let dir = root; ; dir = path.posix.dirname(dir)) {
    const abs = path.join(repoDir, dir);
    if (await exists(path.join(abs, 'pnpm-lock.yaml'))) return { pm: 'pnpm', locked: true };
    if (await exists(path.join(abs, 'yarn.lock'))) return { pm: 'yarn', locked: true };
    if (
      (await exists(path.join(abs, 'package-lock.json'))) ||
      (await exists(path.join(abs, 'npm-shrinkwrap.json')))
    ) {
      return { pm: 'npm', locked: true };
    }
    if (dir === '.') break;
  }
  return { pm: declared === 'pnpm' || declared === 'yarn' ? declared : 'npm', locked: false };
}

/** Yarn 2+ (berry) keeps its settings in .yarnrc.yml and spells the frozen install `--immutable`. */
async function isYarnBerry(repoDir: string, root: string, pkg: PackageJson): Promise<boolean> {
  const major = /^yarn@(\d+)/.exec(pkg.packageManager ?? '')?.[1];
  if (major !== undefined) return Number(major) >= 2;
  for (let dir = root; ; dir = path.posix.dirname(dir)) {
    if (await exists(path.join(repoDir, dir, '.yarnrc.yml'))) return true;
    if (dir === '.') return false;
  }
}

function setupCommand(pm: PackageManager, locked: boolean, berry: boolean): Argv {
  if (pm === 'pnpm') return locked ? ['pnpm', 'install', '--frozen-lockfile'] : ['pnpm', 'install'];
  if (pm === 'yarn') {
    if (!locked) return ['yarn', 'install'];
    return berry ? ['yarn', 'install', '--immutable'] : ['yarn', 'install', '--frozen-lockfile'];
  }
  return locked ? ['npm', 'ci'] : ['npm', 'install'];
}

/**
 * npm's cache is the repo's npm cache in data_dir, written only by setup. Offline by default:
 * `--offline` installs from that cache alone and fails at once on a miss; with network,
 * `--prefer-offline` still takes what the cache has. npm and pnpm read the npm_config_*
 * variables (so an overridden setup command gets them too); yarn only its own flag.
 */
async function nodeSetupStep(
  argv: Argv,
  options: SetupOptions,
): Promise<{ step: SetupStep; binds: SandboxBind[] }> {
  const cache = await ecosystemCache(options, 'npm', true);
  const mode = options.network ? 'prefer-offline' : 'offline';
  const yarnFlag =
    argv[0] === 'yarn' && !options.network && !argv.includes('--immutable') ? ['--offline'] : [];
  return {
    step: {
      argv: [...argv, ...yarnFlag],
      env: {
        ...RUN_ENV,
        [`npm_config_${mode.replace('-', '_')}`]: 'true',
        npm_config_audit: 'false',
        npm_config_fund: 'false',
        ...(cache
          ? { npm_config_cache: cache.dir, npm_config_store_dir: path.join(cache.dir, 'pnpm-store') }
          : {}),
      },
    },
    binds: cache ? [cache.bind] : [],
  };
}

// Node 20 ships pnpm and yarn only as corepack shims, which download the manager on first use: with
// no network in setup by default, autodev does not fetch package managers; the host provides them.
const MANAGER_INSTALL_HINT: Record<string, string> = {
  pnpm: 'the repo has a pnpm lockfile (or packageManager: pnpm); install pnpm on the host (`corepack enable pnpm` and one run with network, or `npm install -g pnpm`)',
  yarn: 'the repo has a yarn.lock (or packageManager: yarn); install yarn on the host (`corepack enable yarn` and one run with network, or `npm install -g yarn`)',
};

/** A lockfile naming a package manager the machine lacks: a setup failure that says what to install. */
function missingPackageManager(project: DetectedProject, argv: Argv, program: string): SetupReport {
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

/**
 * ESLint runs only where the repository configured it: in the project, or in a folder above it inside
 * the repo (ESLint looks upward for its config). Without one, a TypeScript project is checked by tsc.
 */
async function hasEslintConfig(repoDir: string, root: string, pkg: PackageJson): Promise<boolean> {
  if (pkg.eslintConfig !== undefined) return true;
  for (let dir = root; ; dir = path.posix.dirname(dir)) {
    for (const name of ESLINT_CONFIGS) if (await exists(path.join(repoDir, dir, name))) return true;
    if (dir === '.') return false;
  }
}

async function commandsFor(
  repoDir: string,
  root: string,
  pkg: PackageJson,
): Promise<{ toolchain: PackageManager; commands: ProjectCommands }> {
  const dir = path.join(repoDir, root);
  const { pm, locked } = await packageManager(repoDir, root, pkg);
  const scripts = pkg.scripts ?? {};
  const tsconfig = await exists(path.join(dir, 'tsconfig.json'));
  const test = scripts['test'];
  const berry = pm === 'yarn' && (await isYarnBerry(repoDir, root, pkg));
  const commands: ProjectCommands = { setup: setupCommand(pm, locked, berry) };
  if (scripts['build']) commands.build = [pm, 'run', 'build'];
  else if (tsconfig) commands.build = [...TSC];
  if (test && !NPM_PLACEHOLDER_TEST.test(test)) commands.test = [pm, 'test'];
  if (await hasEslintConfig(repoDir, root, pkg)) commands.lint = ['eslint', '-f', 'json', '.'];
  else if (tsconfig) commands.lint = [...TSC];
  return { toolchain: pm, commands };
}

/**
 * A member of a workspace root that has no test script, as a project of its own when it has one:
 * no setup (the root's install covers every member), and no build or lint where the root's
 * already covers it (a root build script, ESLint over the whole tree).
 */
async function memberProject(
  repoDir: string,
  root: string,
  pkg: PackageJson,
  owner: { root: string; patterns: string[] | undefined; commands: ProjectCommands },
): Promise<DetectedProject | undefined> {
  const relative = owner.root === '.' ? root : path.posix.relative(owner.root, root);
  if (!isWorkspaceMember(relative, owner.patterns ?? [])) return undefined;
  const { toolchain, commands } = await commandsFor(repoDir, root, pkg);
  if (commands.test === undefined) return undefined;
  const rootLintsAll = owner.commands.lint?.[0] === 'eslint';
  const memberCommands: ProjectCommands = {
    test: commands.test,
    ...(commands.build && !owner.commands.build ? { build: commands.build } : {}),
    ...(commands.lint && !rootLintsAll ? { lint: commands.lint } : {}),
  };
  return { language: 'node', root, toolchain, commands: memberCommands, overridden: false };
}

/**
 * Prefers the project's own installed binary (node_modules/.bin, in the project or a parent
 * up to the workspace root), as `npm exec` would, without npx's habit of downloading what is missing.
 */
async function resolveLocalBin(argv: Argv, projectDir: string, workspaceDir: string): Promise<Argv> {
  const [program, ...rest] = argv;
  if (!program || program.includes('/')) return argv;
  for (let dir = projectDir; ; dir = path.dirname(dir)) {
    const bin = path.join(dir, 'node_modules', '.bin', program);
    if (await exists(bin)) return [bin, ...rest];
    if (dir === workspaceDir || !dir.startsWith(workspaceDir) || dir === path.dirname(dir)) return argv;
  }
}

/** The linter's name for the report: eslint or tsc as detected, else the overriding command. */
function lintTool(argv: Argv | undefined): string {
  const program = path.basename(argv?.[0] ?? '');
  if (!argv) return 'none';
  return program === 'eslint' || program === 'tsc' ? program : argv.join(' ');
}

export const node: Language = {
  id: 'node',

  /**
   * One project per package.json; packages inside a workspace root (npm/yarn workspaces,
   * pnpm-workspace.yaml) belong to it. A workspace root without a test script of its own is tested
   * the way its maintainers do (`npm test --workspaces --if-present`): each member with a test script
   * is a project of its own, installed by the root's setup, so every member's suite runs and its
   * test names stay apart from the others'.
   */
  async detect(repoDir) {
    const projects: DetectedProject[] = [];
    const workspaces: { root: string; patterns: string[] | undefined; commands: ProjectCommands }[] = [];
    for (const root of await candidateDirs(repoDir)) {
      const owner = workspaces.find((w) => isInside(root, w.root));
      if (owner && (owner.commands.test !== undefined || owner.patterns === undefined)) continue;
      const pkg = await readPackageJson(path.join(repoDir, root));
      if (!pkg) continue;
      if (owner) {
        const member = await memberProject(repoDir, root, pkg, owner);
        if (member) projects.push(member);
        continue;
      }
      const { toolchain, commands } = await commandsFor(repoDir, root, pkg);
      if (pkg.workspaces !== undefined || (await exists(path.join(repoDir, root, 'pnpm-workspace.yaml'))))
        workspaces.push({ root, patterns: await workspacePatterns(repoDir, root, pkg.workspaces), commands });
      projects.push({ language: 'node', root, toolchain, commands, overridden: false });
    }
    return projects;
  },

  async runSetup(project, options) {
    const argv = project.commands.setup;
    if (!argv || argv.length === 0) return runSetupSteps(project, [], options, []);
    const { step, binds } = await nodeSetupStep(argv, options);
    try {
      return await runSetupSteps(project, [step], options, binds);
    } catch (error) {
      const program = argv[0] ?? '';
      if (!isAutodevError(error, 'COMMAND_NOT_FOUND') || !MANAGER_INSTALL_HINT[program]) throw error;
      return missingPackageManager(project, step.argv, program);
    }
  },

  async runTests(project, options) {
    const configured = requireCommand(project, 'test');
    const dir = path.resolve(options.workspaceDir, project.root);
    const scripts = (await readPackageJson(dir))?.scripts ?? {};
    const lifecycle = !project.overridden && configured.join(' ') === 'npm test';
    const parse = (r: SandboxResult) => parseJsTestOutput(`${r.stdout}\n${r.stderr}`);
    if (!lifecycle || (scripts['pretest'] === undefined && scripts['posttest'] === undefined)) {
      const argv = await resolveLocalBin(configured, dir, options.workspaceDir);
      return runTestCommand(project, argv, options, parse, { env: RUN_ENV });
    }
    const notes: string[] = [];
    if (scripts['pretest'] !== undefined) {
      const pre = await runLifecycleScript(project, 'pretest', options, RUN_ENV);
      notes.push(pre.note);
      // A pretest that fails for its own reasons (a build) fails the run, as npm test would.
      if (!pre.ok && !pre.needsNetwork) {
        const report = await runTestCommand(project, ['npm', 'run', 'pretest'], options, parse, {
          env: RUN_ENV,
        });
        return { ...report, ok: false, notes };
      }
    }
    const report = await runTestCommand(project, ['npm', 'test', '--ignore-scripts'], options, parse, {
      env: RUN_ENV,
    });
    if (scripts['posttest'] !== undefined) {
      notes.push((await runLifecycleScript(project, 'posttest', options, RUN_ENV)).note);
    }
    return { ...report, notes };
  },

  runBuild(project, options) {
    return runBuildCommand(project, options, (argv) =>
      resolveLocalBin(argv, path.resolve(options.workspaceDir, project.root), options.workspaceDir),
    );
  },

  async runLint(project, options) {
    const configured = project.commands.lint;
    const argv = configured
      ? await resolveLocalBin(
          configured,
          path.resolve(options.workspaceDir, project.root),
          options.workspaceDir,
        )
      : undefined;
    const tool = lintTool(argv);
    return runLintCommand(project, tool, argv, options, (r) =>
      tool === 'eslint' ? parseEslintJson(r.stdout) : parseTscOutput(`${r.stdout}\n${r.stderr}`),
    );
  },
};
