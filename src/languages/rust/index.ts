import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createRustApiSurface } from './api-surface.js';
import { cargoReader } from './dependencies.js';
import { parse as parseToml } from 'smol-toml';
import { parseClippyJson } from './parsers/clippy.js';
import { parseLibtestOutput } from './parsers/libtest.js';
import { requireCommand, runBuildCommand, runLintCommand, runTestCommand } from '../run.js';
import { ecosystemCache } from '../caches.js';
import { candidateDirs, exists, isInside, readText } from '../scan.js';
import { runSetupSteps } from '../setup-run.js';
import type { DetectedProject, Language, RunProjectCommandOptions } from '../types.js';

// Build and test run offline: a crate whose dependencies were not fetched in setup fails
// at once with cargo's own message instead of waiting on the network.
// No progress bar and no colour in any cargo run: its output is read as a log.
const QUIET_ENV = { CARGO_TERM_COLOR: 'never', CARGO_TERM_PROGRESS_WHEN: 'never' };
const OFFLINE_ENV = { CARGO_NET_OFFLINE: 'true', ...QUIET_ENV };

/**
 * The machine's cargo sources in the repo cache's CARGO_HOME (the machine's own config.toml is not
 * read there), rewritten from the host before every run: what a setup left in that file is never
 * what the next run trusts. Without host sources, a file left behind is removed.
 */
async function writeCargoSourceConfig(cargoHome: string, config: string | undefined): Promise<void> {
  const file = path.join(cargoHome, 'config.toml');
  await rm(file, { force: true });
  // 'wx' (O_CREAT|O_EXCL): never through a symlink a sandbox planted after the removal.
  if (config !== undefined) await writeFile(file, config, { mode: 0o644, flag: 'wx' });
}

/**
 * CARGO_HOME is the repo's cargo cache in data_dir (the host's is read-only in the sandbox, and
 * shared by nobody else): writable while setup fetches, read-only afterwards. The rustup proxies
 * on PATH still find the toolchains through RUSTUP_HOME.
 */
async function cargoRun(options: RunProjectCommandOptions, writable: boolean, offline: boolean) {
  const cache = await ecosystemCache(options, 'cargo', writable);
  if (cache) await writeCargoSourceConfig(cache.dir, options.cargoSourceConfig);
  return {
    env: {
      ...(offline ? OFFLINE_ENV : QUIET_ENV),
      ...(cache ? { CARGO_HOME: cache.dir } : {}),
    },
    binds: cache ? [cache.bind] : [],
  };
}

/**
 * `--workspace` where plain cargo would test only part of the repo: a root crate that is also a
 * workspace (`[package]` beside `[workspace]`) builds and tests just itself by default, leaving the
 * members' tests unrun. A virtual manifest already covers every member, and `default-members` is
 * the maintainers' own choice of what a plain `cargo test` means: both keep cargo's default.
 */
async function workspaceFlag(repoDir: string, root: string): Promise<string[]> {
  const text = await readText(path.join(repoDir, root, 'Cargo.toml'));
  if (text === undefined) return [];
  let manifest: Record<string, unknown>;
  try {
    manifest = parseToml(text);
  } catch {
    // cargo reports a broken manifest itself, naming the line, when the command runs.
    return [];
  }
  const workspace = manifest['workspace'];
  if (typeof workspace !== 'object' || workspace === null || manifest['package'] === undefined) return [];
  return 'default-members' in workspace ? [] : ['--workspace'];
}

export const rust: Language = {
  id: 'rust',
  dependencies: cargoReader,
  apiSurface: () => createRustApiSurface(),

  /** One project per Cargo.toml; a crate inside another's folder is its workspace member, built from there. */
  async detect(repoDir) {
    const roots: string[] = [];
    for (const dir of await candidateDirs(repoDir)) {
      if (roots.some((root) => isInside(dir, root))) continue;
      if (await exists(path.join(repoDir, dir, 'Cargo.toml'))) roots.push(dir);
    }
    const locked = await Promise.all(roots.map((root) => exists(path.join(repoDir, root, 'Cargo.lock'))));
    const scopes = await Promise.all(roots.map((root) => workspaceFlag(repoDir, root)));
    return roots.map((root, i): DetectedProject => ({
      language: 'rust',
      root,
      toolchain: 'cargo',
      commands: {
        // --locked: the lockfile the repo committed is what gets fetched, never re-resolved.
        setup: ['cargo', 'fetch', ...(locked[i] ? ['--locked'] : [])],
        build: ['cargo', 'build', ...(scopes[i] ?? [])],
        // Every test binary runs even after one fails, so the report names all failures.
        test: ['cargo', 'test', ...(scopes[i] ?? []), '--no-fail-fast'],
        lint: ['cargo', 'clippy', ...(scopes[i] ?? []), '--message-format=json'],
      },
      overridden: false,
    }));
  },

  async runSetup(project, options) {
    const argv = project.commands.setup;
    const run = await cargoRun(options, true, !options.network);
    const steps = argv && argv.length > 0 ? [{ argv, env: run.env }] : [];
    return runSetupSteps(project, steps, options, run.binds);
  },

  async runTests(project: DetectedProject, options: RunProjectCommandOptions) {
    const argv = requireCommand(project, 'test');
    return runTestCommand(
      project,
      argv,
      options,
      (r) => parseLibtestOutput(`${r.stdout}\n${r.stderr}`),
      await cargoRun(options, false, true),
    );
  },

  async runBuild(project, options) {
    return runBuildCommand(project, options, undefined, await cargoRun(options, false, true));
  },

  async runLint(project, options) {
    return runLintCommand(
      project,
      'clippy',
      project.commands.lint,
      options,
      (r) =>
        // `cargo clippy` without the clippy component says "no such command"; run.ts reads that as missing.
        r.stdout.includes('"reason"') ? parseClippyJson(r.stdout) : r.exitCode === 0 ? [] : undefined,
      await cargoRun(options, false, true),
    );
  },
};
