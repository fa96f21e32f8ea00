import { writeFile } from 'node:fs/promises';
import { createGoApiSurface } from './api-surface.js';
import { goReader } from './dependencies.js';
import path from 'node:path';
import { parseGoTestJson, parseGoTestText } from './parsers/go-test-json.js';
import { parseGoVetJson } from './parsers/go-vet.js';
import { requireCommand, runBuildCommand, runLintCommand, runTestCommand } from '../run.js';
import { ecosystemCache } from '../caches.js';
import { repoGoBuildDir, seedRepoGoBuild, taskGoBuildCache } from './build-cache.js';
import { SEED_MARKER, goStdSeed } from './std-seed.js';
import { GO_COMMANDS, GO_SUM_CHECK, OFFLINE_ENV, WARM_TEST } from './warm-commands.js';
import { describeRestored, restoreGoManifests, snapshotGoManifests } from './manifests.js';
import { vetFailedPackage, vetOffNote, withVetOff } from './test-vet.js';
import { candidateDirs, exists } from '../scan.js';
import { runSetupSteps, type SetupStep } from '../setup-run.js';
import type {
  DetectedProject,
  Language,
  RunProjectCommandOptions,
  SetupReport,
  TestReport,
} from '../types.js';

// Setup compiles what build, test and vet will need (the standard library included: Go no longer
// ships it precompiled) into the repo's GOCACHE, so a task starts warm instead of recompiling for
// minutes. The first warm-up starts from autodev's compiled standard library (std-seed.ts).
const WARM_MARKER = 'build-warmed';
// vet's results are cached under its flags (-json included): warm with the lint command as run.
function warmVet(project: DetectedProject): string[] {
  const lint = project.commands.lint;
  return lint?.[0] === 'go' && lint[1] === 'vet' ? [...lint] : ['go', 'vet', './...'];
}

// After the download, every package and test of the module must resolve from go.mod and go.sum
// as committed: Go's own `go test` fails the same way when go.sum lacks a line.
const MISSING_SUM = /missing go\.sum entry/;
const MISSING_SUM_REASON =
  "setup: go.sum lacks entries the module's packages or tests need (Go says `missing go.sum entry` above). autodev runs Go with -mod=readonly and never writes go.sum in the repository: run `go mod tidy` and commit go.sum.";

/**
 * The folder of the go.work that puts the project in workspace mode: Go looks for one in the
 * module's folder and upward; inside the repo is what autodev reads (a go.work above the checkout
 * is not the repo's).
 */
async function goWorkRoot(workspaceDir: string, root: string): Promise<string | undefined> {
  for (let dir = root; ; dir = path.posix.dirname(dir)) {
    if (await exists(path.join(workspaceDir, dir, 'go.work'))) return dir;
    if (dir === '.') return undefined;
  }
}

/**
 * GOMODCACHE and GOCACHE are the repo's Go cache in data_dir: written in setup (`go mod download`,
 * then the warm-up), read-only afterwards. Build, test and vet must write a GOCACHE, so they get
 * the task's own copy of the repo's (build-cache.ts). -mod=readonly: no command autodev runs
 * may rewrite go.mod or go.sum (with -mod=mod a go.mod without a `go` line gained today's, which
 * switched on that version's stricter vet inside `go test`). A vendored module keeps Go's default
 * (-mod=vendor), and so does a go.work workspace.
 */
async function goRun(
  project: Pick<DetectedProject, 'root'>,
  options: RunProjectCommandOptions,
  writable: boolean,
  offline: boolean,
) {
  const cache = await ecosystemCache(options, 'go', writable);
  const vendored = await exists(path.join(options.workspaceDir, project.root, 'vendor', 'modules.txt'));
  const workspace = (await goWorkRoot(options.workspaceDir, project.root)) !== undefined;
  const build =
    cache && !writable && options.homeDir !== undefined
      ? await taskGoBuildCache(cache.dir, options.homeDir)
      : undefined;
  const gocache = cache && writable ? repoGoBuildDir(cache.dir) : build?.dir;
  return {
    env: {
      // Online, go asks the proxies the host's go is configured for (GOPROXY and the sum checks).
      ...(offline ? OFFLINE_ENV : { ...options.registryEnv, GOTOOLCHAIN: 'local' }),
      ...(vendored || workspace ? {} : { GOFLAGS: '-mod=readonly' }),
      // A download that falls back to git must fail rather than wait for a password.
      ...(offline ? {} : { GIT_TERMINAL_PROMPT: '0' }),
      ...(cache ? { GOMODCACHE: path.join(cache.dir, 'mod') } : {}),
      ...(gocache ? { GOCACHE: gocache } : {}),
    },
    binds: [...(cache ? [cache.bind] : []), ...(build ? [build.bind] : [])],
    cacheDir: cache?.dir,
  };
}

/**
 * A dependency update's `go get` and `go mod tidy` at the module in `root`: online like setup, into
 * the repo's module cache (writable), so the offline build and tests after it find what they fetched.
 */
export async function goDownloadRun(root: string, options: RunProjectCommandOptions) {
  const { env, binds } = await goRun({ root }, options, true, false);
  return { env, binds };
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
          setup: [...GO_COMMANDS.setup],
          build: [...GO_COMMANDS.build],
          test: [...GO_COMMANDS.test],
          lint: [...GO_COMMANDS.lint],
        },
        overridden: false,
      });
    }
    return projects;
  },

  async runSetup(project, options) {
    const argv = project.commands.setup;
    const run = await goRun(project, options, true, !options.network);
    const manifests = await manifestsOf(project, options);
    const download = await runSetupSteps(
      project,
      argv && argv.length > 0 ? [{ argv, env: run.env }] : [],
      options,
      run.binds,
    );
    // `go mod download` writes go.sum even under -mod=readonly: put back before anything reads it.
    const notes = restoredNote(await restoreGoManifests(manifests), 'setup');
    if (!download.ok) return withNotes(download, notes);
    // Only a repo's first good setup warms its cache; later tasks compile just what changed.
    // One marker a module: a go.work repo's second module has packages the first's warm-up never built.
    const markerName =
      project.root === '.' ? WARM_MARKER : `${WARM_MARKER}-${encodeURIComponent(project.root)}`;
    const marker = run.cacheDir === undefined ? undefined : path.join(run.cacheDir, markerName);
    const warm = marker !== undefined && !(await exists(marker));
    const check: SetupStep = {
      argv: [...GO_SUM_CHECK],
      env: run.env,
      bestEffort: true,
      failsSetup: { when: MISSING_SUM, reason: MISSING_SUM_REASON },
    };
    const warmSteps = warm
      ? [[...WARM_TEST], warmVet(project)].map((w) => ({ argv: w, env: run.env, bestEffort: true }))
      : [];
    if (warm && run.cacheDir !== undefined) await seedFromStd(run.cacheDir, options);
    const checked = await runSetupSteps(project, [check, ...warmSteps], options, run.binds);
    notes.push(...restoredNote(await restoreGoManifests(manifests), 'the go.sum check and build warm-up'));
    const report = withNotes(joinReports(download, checked), notes);
    if (warm && marker && report.ok) await writeFile(marker, '');
    return report;
  },

  async runTests(project, options) {
    const argv = requireCommand(project, 'test');
    const env = await goEnv(project, options);
    const manifests = await manifestsOf(project, options);
    let vetPackage: string | undefined;
    const run = (command: string[]) =>
      runTestCommand(
        project,
        command,
        options,
        (r) => {
          const output = `${r.stdout}\n${r.stderr}`;
          vetPackage = r.exitCode === 0 ? undefined : vetFailedPackage(output);
          const json = parseGoTestJson(output);
          return json.found ? json : parseGoTestText(output);
        },
        env,
      );
    let report = await run(argv);
    const notes: string[] = [];
    const vetFailed = vetPackage;
    const vetOff = vetFailed === undefined ? undefined : withVetOff(argv);
    if (vetFailed !== undefined && vetOff !== undefined) {
      report = await run(vetOff);
      notes.push(vetOffNote(vetFailed));
    }
    notes.push(...restoredNote(await restoreGoManifests(manifests), 'the test run'));
    return notes.length > 0 ? withTestNotes(report, notes) : report;
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

/** A repo's first warm-up starts from the compiled standard library when the server has one. */
async function seedFromStd(goCacheDir: string, options: RunProjectCommandOptions): Promise<void> {
  const seed = await goStdSeed(options);
  if (seed !== undefined) await seedRepoGoBuild(goCacheDir, seed, SEED_MARKER);
}

async function manifestsOf(project: DetectedProject, options: RunProjectCommandOptions) {
  const workRoot = await goWorkRoot(options.workspaceDir, project.root);
  return snapshotGoManifests(options.workspaceDir, project.root, workRoot);
}

function restoredNote(changed: string[], what: string): string[] {
  return changed.length > 0 ? [describeRestored(changed, what)] : [];
}

function withNotes(report: SetupReport, notes: string[]): SetupReport {
  if (notes.length === 0) return report;
  return { ...report, notes: [...(report.notes ?? []), ...notes] };
}

function withTestNotes(report: TestReport, notes: string[]): TestReport {
  return { ...report, notes: [...(report.notes ?? []), ...notes] };
}

/** The download's report followed by the check's: one setup, every command in order. */
function joinReports(first: SetupReport, second: SetupReport): SetupReport {
  return {
    ...second,
    commands: [...first.commands, ...second.commands],
    durationMs: first.durationMs + second.durationMs,
    outputTail: [first.outputTail, second.outputTail]
      .filter((t) => t !== '')
      .join('\n')
      .slice(-8_000),
  };
}
