import { lstat, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { AutodevError } from '../../errors.js';
import { SYSTEM_TOOL_ENV } from '../../sandbox/host-tool-env.js';
import { spawnCapped } from '../../sandbox/spawn-capped.js';
import type { SandboxBind } from '../../sandbox/types.js';

/** ~0.2 s for a 70 MB cache; a cache of gigabytes on a slow disk still fits, a hung one does not. */
const COPY_TIMEOUT_MS = 600_000;

/** The task's own copy, at the top of its HOME (which only autodev creates). */
const TASK_DIR = 'go-build';

/** The repo's compiled-package cache, inside its Go cache folder; written only by setup. */
export function repoGoBuildDir(goCacheDir: string): string {
  return path.join(goCacheDir, 'build');
}

async function isPlainDir(dir: string): Promise<boolean> {
  try {
    return (await lstat(dir)).isDirectory();
  } catch {
    return false;
  }
}

async function isPlainFile(file: string): Promise<boolean> {
  try {
    return (await lstat(file)).isFile();
  } catch {
    return false;
  }
}

/** `cp -a` of a folder's contents: owners, modes and times kept, reflinks where the filesystem has them. */
async function copyTree(from: string, to: string): Promise<void> {
  const result = await spawnCapped({
    argv: ['cp', '-a', '--reflink=auto', `${from}/.`, to],
    cwd: to,
    env: SYSTEM_TOOL_ENV,
    timeoutMs: COPY_TIMEOUT_MS,
    maxOutputBytes: 64 * 1024,
  });
  if (result.exitCode !== 0) {
    const why = result.timedOut ? `took longer than ${COPY_TIMEOUT_MS} ms` : result.stderr.trim();
    throw new AutodevError('COMMAND_FAILED', `could not copy the Go build cache ${from}: ${why}`);
  }
}

/**
 * Starts a repo's build cache from the standard-library seed (std-seed.ts) unless it already holds
 * it; true when it copied. The repo's cache folder was writable in its setup, so whatever sits at
 * `build` may be the sandbox's (a symlink out of data_dir, say): the copy goes to a fresh folder
 * that is then renamed over it, never into what is there. What it replaces is only a cache.
 */
export async function seedRepoGoBuild(goCacheDir: string, seed: string, marker: string): Promise<boolean> {
  const build = repoGoBuildDir(goCacheDir);
  if (await isPlainFile(path.join(build, marker))) return false;
  const staging = await mkdtemp(path.join(goCacheDir, 'build-seed-'));
  try {
    await copyTree(seed, staging);
    await rm(build, { recursive: true, force: true });
    await rename(staging, build);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return true;
}

/**
 * GOCACHE for build, test and vet: `go` must write there, so it cannot be the repo's cache (the
 * sandbox would then write what the repo's later tasks trust). It is a copy of it in the run's
 * HOME, made once per HOME (per step: verification steps get a fresh HOME each, so a cache the
 * model's commands poisoned never reaches them) and then that HOME's own. The copy keeps owners
 * (`cp -a`: the sandbox user wrote the repo cache in setup, so it can write its copy) and uses
 * reflinks where the filesystem has them; plain copying costs ~0.2 s for a 70 MB cache.
 *
 * Whatever already sits at that name is the sandbox's: a planted symlink (to the repo cache, say)
 * is removed rather than bound, so only a real folder inside HOME is ever handed back.
 */
export async function taskGoBuildCache(
  goCacheDir: string,
  homeDir: string,
): Promise<{ dir: string; bind: SandboxBind }> {
  await mkdir(homeDir, { recursive: true });
  const dir = path.join(homeDir, TASK_DIR);
  const bind = { path: dir, writable: true };
  if (await isPlainDir(dir)) return { dir, bind };
  await rm(dir, { recursive: true, force: true });
  const seed = repoGoBuildDir(goCacheDir);
  if (!(await isPlainDir(seed))) {
    await mkdir(dir);
    return { dir, bind };
  }
  const staging = await mkdtemp(path.join(homeDir, `${TASK_DIR}-seed-`));
  try {
    await copyTree(seed, staging);
    await rename(staging, dir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return { dir, bind };
}
