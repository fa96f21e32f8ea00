import { writeFile } from 'node:fs/promises';
import { createGoApiSurface } from './api-surface.js';
import { goReader } from './dependencies.js';
import path from 'node:path';
import { parseGoTestJson, parseGoTestText } from './parsers/go-test-json.js';
import { parseGoVetJson } from './parsers/go-vet.js';
import { requireCommand, runBuildCommand, runLintCommand, runTestCommand } from '../run.js';
import { ecosystemCache } from '../caches.js';
import { repoGoBuildDir, taskGoBuildCache } from './build-cache.js';
import { candidateDirs, exists } from '../scan.js';
import { runSetupSteps } from '../setup-run.js';
import type { DetectedProject, Language, RunProjectCommandOptions } from '../types.js';

// Offline and on the installed toolchain: a missing module or a newer `go` line fails with
// Go's own message rather than a download attempt.
const OFFLINE_ENV = { GOPROXY: 'off', GOTOOLCHAIN: 'local' };

// Setup compiles what build, test and vet will need (the standard library included: Go no longer
// ships it precompiled) into the repo's GOCACHE, so a task starts warm instead of recompiling for
// minutes. `-exec=true` builds the test binaries without running them: setup runs no repo code.
const WARM_MARKER = 'build-warmed';
const WARM_TEST = ['go', 'test', '-exec=true', '-run=^$', './...'];
// vet's results are cached under its flags (-json included): warm with the lint command as run.
function warmVet(project: DetectedProject): string[] {
  const lint = project.commands.lint;
  return lint?.[0] === 'go' && lint[1] === 'vet' ? [...lint] : ['go', 'vet', './...'];
}

/**
 * The go.work that puts the project in workspace mode: Go looks for one in the module's folder
 * and upward; inside the repo is what autodev reads (a go.work above the checkout is not the repo's).
 */
async function inGoWorkspace(workspaceDir: string, root: string): Promise<boolean> {
  for (let dir = root; ; dir = path.posix.dirname(dir)) {
    if (await exists(path.join(workspaceDir, dir, 'go.work'))) return true;
    if (dir === '.') return false;
  }
}

/**
 * GOMODCACHE and GOCACHE are the repo's Go cache in data_dir: written in setup (`go mod download`,
 * then the warm-up), read-only afterwards. Build, test and vet must write a GOCACHE, so they get
 * the task's own copy of the repo's (build-cache.ts). -mod=mod lets a go.sum that lacks a line
 * for a cached module still build offline; a vendored module keeps Go's default (-mod=vendor), and
 * so does a go.work workspace, where Go refuses -mod=mod outright (every command would fail).
 */
async function goRun(
  project: DetectedProject,
  options: RunProjectCommandOptions,
  writable: boolean,
  offline: boolean,
) {
  const cache = await ecosystemCache(options, 'go', writable);
  const vendored = await exists(path.join(options.workspaceDir, project.root, 'vendor', 'modules.txt'));
  const workspace = await inGoWorkspace(options.workspaceDir, project.root);
  const build =
    cache && !writable && options.homeDir !== undefined
      ? await taskGoBuildCache(cache.dir, options.homeDir)
      : undefined;
  const gocache = cache && writable ? repoGoBuildDir(cache.dir) : build?.dir;
  return {
    env: {
      ...(offline ? OFFLINE_ENV : { GOTOOLCHAIN: 'local' }),
      ...(vendored || workspace ? {} : { GOFLAGS: '-mod=mod' }),
      ...(cache ? { GOMODCACHE: path.join(cache.dir, 'mod') } : {}),
      ...(gocache ? { GOCACHE: gocache } : {}),
    },
    binds: [...(cache ? [cache.bind] : []), ...(build ? [build.bind] : [])],
    cacheDir: cache?.dir,
  };
}

/** Build, test and vet: offline, the repo's caches read-only, the task's own GOCACHE. */
async function goEnv(project: DetectedProject, options: RunProjectCommandOptions) {
  const { env, binds } = await goRun(project, options, false, true);
  return { env, binds };
}

export const go: Language = {
  id: 'go',
  dependencies: goReader,
  apiSurface: () => createGoApiSurface(),

  /** One project per go.mod; a nested go.mod is its own module, which `./...` of the parent skips. */
  async detect(repoDir) {
    const projects: DetectedProject[] = [];
    for (const root of await candidateDirs(repoDir)) {
      if (!(await exists(path.join(repoDir, root, 'go.mod')))) continue;
      projects.push({
        language: 'go',
        root,
        toolchain: 'go',
        commands: {
          setup: ['go', 'mod', 'download'],
          build: ['go', 'build', './...'],
          test: ['go', 'test', '-json', './...'],
          lint: ['go', 'vet', '-json', './...'],
        },
        overridden: false,
      });
    }
    return projects;
  },

  async runSetup(project, options) {
    const argv = project.commands.setup;
    const run = await goRun(project, options, true, !options.network);
    const steps = argv && argv.length > 0 ? [{ argv, env: run.env }] : [];
    // Only a repo's first good setup warms its cache; later tasks compile just what changed.
    // One marker a module: a go.work repo's second module has packages the first's warm-up never built.
    const markerName =
      project.root === '.' ? WARM_MARKER : `${WARM_MARKER}-${encodeURIComponent(project.root)}`;
    const marker = run.cacheDir === undefined ? undefined : path.join(run.cacheDir, markerName);
    const warm = marker !== undefined && !(await exists(marker));
    const warmSteps = warm
      ? [WARM_TEST, warmVet(project)].map((w) => ({ argv: w, env: run.env, bestEffort: true }))
      : [];
    const report = await runSetupSteps(project, [...steps, ...warmSteps], options, run.binds);
    if (warm && marker && report.ok) await writeFile(marker, '');
    return report;
  },

  async runTests(project, options) {
    const argv = requireCommand(project, 'test');
    return runTestCommand(
      project,
      argv,
      options,
      (r) => {
        const output = `${r.stdout}\n${r.stderr}`;
        const json = parseGoTestJson(output);
        return json.found ? json : parseGoTestText(output);
      },
      await goEnv(project, options),
    );
  },

  async runBuild(project, options) {
    return runBuildCommand(project, options, undefined, await goEnv(project, options));
  },

  async runLint(project, options) {
    // go vet -json exits 0 with findings; it exits non-zero when the code does not type-check.
    return runLintCommand(
      project,
      'go vet',
      project.commands.lint,
      options,
      (r) => parseGoVetJson(`${r.stdout}\n${r.stderr}`),
      await goEnv(project, options),
    );
  },
};
