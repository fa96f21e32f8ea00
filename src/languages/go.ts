import path from 'node:path';
import { parseGoTestJson, parseGoTestText } from './parsers/go-test-json.js';
import { parseGoVetJson } from './parsers/go-vet.js';
import { requireCommand, runBuildCommand, runLintCommand, runTestCommand } from './run.js';
import { candidateDirs, exists } from './scan.js';
import type { DetectedProject, Language } from './types.js';

// Offline and on the installed toolchain: a missing module or a newer `go` line fails with
// Go's own message rather than a download attempt.
const OFFLINE_ENV = { GOPROXY: 'off', GOTOOLCHAIN: 'local' };

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

  runTests(project, options) {
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
      { env: OFFLINE_ENV },
    );
  },

  runBuild(project, options) {
    return runBuildCommand(project, options);
  },

  runLint(project, options) {
    // go vet -json exits 0 with findings; it exits non-zero when the code does not type-check.
    return runLintCommand(project, 'go vet', project.commands.lint, options, (r) =>
      parseGoVetJson(`${r.stdout}\n${r.stderr}`),
    );
  },
};
