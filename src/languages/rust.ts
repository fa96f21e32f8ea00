import path from 'node:path';
import { parseClippyJson } from './parsers/clippy.js';
import { parseLibtestOutput } from './parsers/libtest.js';
import { requireCommand, runBuildCommand, runLintCommand, runTestCommand } from './run.js';
import { candidateDirs, exists, isInside } from './scan.js';
import type { DetectedProject, Language, RunProjectCommandOptions } from './types.js';

// Build and test run offline: a crate whose dependencies were not fetched in setup fails
// at once with cargo's own message instead of waiting on the network.
const OFFLINE_ENV = { CARGO_NET_OFFLINE: 'true', CARGO_TERM_COLOR: 'never' };

export const rust: Language = {
  id: 'rust',

  /** One project per Cargo.toml; a crate inside another's folder is its workspace member, built from there. */
  async detect(repoDir) {
    const roots: string[] = [];
    for (const dir of await candidateDirs(repoDir)) {
      if (roots.some((root) => isInside(dir, root))) continue;
      if (await exists(path.join(repoDir, dir, 'Cargo.toml'))) roots.push(dir);
    }
    return roots.map((root): DetectedProject => ({
      language: 'rust',
      root,
      toolchain: 'cargo',
      commands: {
        setup: ['cargo', 'fetch'],
        build: ['cargo', 'build'],
        // Every test binary runs even after one fails, so the report names all failures.
        test: ['cargo', 'test', '--no-fail-fast'],
        lint: ['cargo', 'clippy', '--message-format=json'],
      },
      overridden: false,
    }));
  },

  runTests(project: DetectedProject, options: RunProjectCommandOptions) {
    const argv = requireCommand(project, 'test');
    return runTestCommand(project, argv, options, (r) => parseLibtestOutput(`${r.stdout}\n${r.stderr}`), {
      env: OFFLINE_ENV,
    });
  },

  runBuild(project, options) {
    return runBuildCommand(project, options);
  },

  runLint(project, options) {
    return runLintCommand(project, 'clippy', project.commands.lint, options, (r) =>
      // `cargo clippy` without the clippy component says "no such command"; run.ts reads that as missing.
      r.stdout.includes('"reason"') ? parseClippyJson(r.stdout) : r.exitCode === 0 ? [] : undefined,
    );
  },
};
