import path from 'node:path';
import { createTypescriptApiSurface } from './api-surface.js';
import { npmReader } from './dependencies.js';
import { z } from 'zod';
import { parseEslintJson } from './parsers/eslint.js';
import { parseJsTestOutput } from './parsers/js-test-output.js';
import { runLifecycleScript } from './npm-lifecycle.js';
import { runDefaultJsLint } from './default-lint.js';
import type { SandboxResult } from '../../sandbox/types.js';
import { parseTscOutput } from './parsers/tsc.js';
import { requireCommand, runBuildCommand, runLintCommand, runTestCommand, type RunOptions } from '../run.js';
import { candidateDirs, exists, isInside, readText } from '../scan.js';
import { isWorkspaceMember, workspacePatterns } from './workspaces.js';
import { runSetupSteps } from '../setup-run.js';
import {
  MANAGER_INSTALL_HINT,
  RUN_ENV,
  choosePackageManager,
  managerRun,
  missingPackageManager,
  nodeSetupStep,
  setupCommand,
  type PackageManager,
} from './setup.js';
import type { Argv, DetectedProject, Language, ProjectCommands, RunProjectCommandOptions } from '../types.js';
import { isAutodevError } from '../../errors.js';

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
  const choice = await choosePackageManager(repoDir, root, pkg.packageManager);
  const scripts = pkg.scripts ?? {};
  const tsconfig = await exists(path.join(dir, 'tsconfig.json'));
  const test = scripts['test'];
  const commands: ProjectCommands = { setup: setupCommand(choice) };
  if (scripts['build']) commands.build = [...choice.runner, 'run', 'build'];
  else if (tsconfig) commands.build = [...TSC];
  if (test && !NPM_PLACEHOLDER_TEST.test(test)) commands.test = [...choice.runner, 'test'];
  if (await hasEslintConfig(repoDir, root, pkg)) commands.lint = ['eslint', '-f', 'json', '.'];
  else if (tsconfig) commands.lint = [...TSC];
  return { toolchain: choice.pm, commands };
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

/** How each manager runs the test script alone, without its pretest and posttest. */
const LIFECYCLE_MANAGERS: Record<string, { runner: Argv; testOnly: Argv; env: Record<string, string> }> = {
  'npm test': { runner: ['npm'], testOnly: ['npm', 'test', '--ignore-scripts'], env: {} },
  // pnpm has no --ignore-scripts for run; its setting turns pre/post scripts off.
  'pnpm test': {
    runner: ['pnpm'],
    testOnly: ['pnpm', 'test'],
    env: { npm_config_enable_pre_post_scripts: 'false' },
  },
};

/**
 * The environment of a build or test run. pnpm and yarn get the repo's caches read-only and no network:
 * yarn 2+'s Plug'n'Play loads packages from its cache, and corepack runs the yarn release kept in
 * it. npm's runs and tsc need no cache (npm would only try to write its logs there), but npm is told
 * it is offline, which it is: an `npx aud` in a posttest (object-inspect's audit) otherwise retried
 * the registry's name lookup for 71 s per run before failing, where offline it fails at once
 * (ENOTCACHED), read as the same "needs the network".
 */
const MANAGED = new Set(['pnpm', 'yarn', 'corepack']);
const NPM_OFFLINE = { npm_config_offline: 'true' };
async function managerRunFor(configured: Argv, options: RunProjectCommandOptions): Promise<RunOptions> {
  if (!MANAGED.has(configured[0] ?? '')) return { env: NPM_OFFLINE };
  const { env, binds } = await managerRun(options, false, false);
  return { env, binds };
}

/** The linter's name for the report: eslint or tsc as detected, else the overriding command. */
function lintTool(argv: Argv | undefined): string {
  const program = path.basename(argv?.[0] ?? '');
  if (!argv) return 'none';
  return program === 'eslint' || program === 'tsc' ? program : argv.join(' ');
}

export const node: Language = {
  id: 'node',
  dependencies: npmReader,
  apiSurface: () => createTypescriptApiSurface(),

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
    const parse = (r: SandboxResult) => parseJsTestOutput(`${r.stdout}\n${r.stderr}`);
    const managed = await managerRunFor(configured, options);
    const run: RunOptions = { ...managed, env: { ...RUN_ENV, ...managed.env } };
    // npm and pnpm run pretest and posttest around the test script: autodev runs them apart (see
    // npm-lifecycle.ts). yarn 2+ runs no pre/post scripts; yarn 1 runs them as part of `yarn test`.
    const manager = project.overridden ? undefined : LIFECYCLE_MANAGERS[configured.join(' ')];
    if (!manager || (scripts['pretest'] === undefined && scripts['posttest'] === undefined)) {
      const argv = await resolveLocalBin(configured, dir, options.workspaceDir);
      return runTestCommand(project, argv, options, parse, run);
    }
    const notes: string[] = [];
    if (scripts['pretest'] !== undefined) {
      const pre = await runLifecycleScript(project, 'pretest', options, run, manager.runner);
      notes.push(pre.note);
      // A pretest that fails for its own reasons (a build) fails the run, as npm test would.
      if (!pre.ok && !pre.needsNetwork) {
        const report = await runTestCommand(
          project,
          [...manager.runner, 'run', 'pretest'],
          options,
          parse,
          run,
        );
        return { ...report, ok: false, notes };
      }
    }
    const report = await runTestCommand(project, manager.testOnly, options, parse, {
      ...run,
      env: { ...run.env, ...manager.env },
    });
    if (scripts['posttest'] !== undefined) {
      notes.push((await runLifecycleScript(project, 'posttest', options, run, manager.runner)).note);
    }
    return { ...report, notes };
  },

  async runBuild(project, options) {
    return runBuildCommand(
      project,
      options,
      (argv) => resolveLocalBin(argv, path.resolve(options.workspaceDir, project.root), options.workspaceDir),
      await managerRunFor(project.commands.build ?? [], options),
    );
  },

  async runLint(project, options) {
    const configured = project.commands.lint;
    // No ESLint config, no tsconfig, no `.autodev.toml` lint: autodev's own conservative rules,
    // as ruff --isolated does for Python, rather than no static analysis at all.
    if (!configured || configured.length === 0) return runDefaultJsLint(project, options);
    const argv = await resolveLocalBin(
      configured,
      path.resolve(options.workspaceDir, project.root),
      options.workspaceDir,
    );
    const tool = lintTool(argv);
    return runLintCommand(project, tool, argv, options, (r) =>
      tool === 'eslint' ? parseEslintJson(r.stdout) : parseTscOutput(`${r.stdout}\n${r.stderr}`),
    );
  },
};
