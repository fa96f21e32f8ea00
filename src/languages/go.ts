import path from 'node:path';
import { parseGoTestJson, parseGoTestText } from './parsers/go-test-json.js';
import { parseGoVetJson } from './parsers/go-vet.js';
import { requireCommand, runBuildCommand, runLintCommand, runTestCommand } from './run.js';
import { ecosystemCache } from './caches.js';
import { candidateDirs, exists } from './scan.js';
import { runSetupSteps } from './setup-run.js';
import type { DetectedProject, Language, RunProjectCommandOptions } from './types.js';

// Offline and on the installed toolchain: a missing module or a newer `go` line fails with
// Go's own message rather than a download attempt.
const OFFLINE_ENV = { GOPROXY: 'off', GOTOOLCHAIN: 'local' };

/**
 * GOMODCACHE is the repo's Go cache in data_dir: written by `go mod download` in setup, read-only
 * afterwards. GOCACHE (compiled packages) stays in the task's HOME (also under data_dir), since
 * `go build` and `go test` must write it. -mod=mod lets a go.sum that lacks a line for a cached
 * module still build offline; a vendored module keeps Go's default (-mod=vendor).
 */
async function goRun(
  project: DetectedProject,
  options: RunProjectCommandOptions,
  writable: boolean,
  offline: boolean,
) {
  const cache = await ecosystemCache(options, 'go', writable);
  const vendored = await exists(path.join(options.workspaceDir, project.root, 'vendor', 'modules.txt'));
  return {
    env: {
      ...(offline ? OFFLINE_ENV : { GOTOOLCHAIN: 'local' }),
      ...(vendored ? {} : { GOFLAGS: '-mod=mod' }),
      ...(cache ? { GOMODCACHE: path.join(cache.dir, 'mod') } : {}),
    },
    binds: cache ? [cache.bind] : [],
  };
}

export const go: Language = {
  id: 'go',

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
    return runSetupSteps(project, steps, options, run.binds);
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
      await goRun(project, options, false, true),
    );
  },

  async runBuild(project, options) {
    return runBuildCommand(project, options, undefined, await goRun(project, options, false, true));
  },

  async runLint(project, options) {
    // go vet -json exits 0 with findings; it exits non-zero when the code does not type-check.
    return runLintCommand(
      project,
      'go vet',
      project.commands.lint,
      options,
      (r) => parseGoVetJson(`${r.stdout}\n${r.stderr}`),
      await goRun(project, options, false, true),
    );
  },
};
