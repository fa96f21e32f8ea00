import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { fetchArchive } from './fetch.js';
import type { CorpusWorkspace } from './types.js';
import { unpack } from './unpack.js';

const exec = promisify(execFile);

const LOCK_TIMEOUT_MS = 600_000;
const LOCK_OUTPUT_BYTES = 16 * 1024 * 1024;

/**
 * The lock step resolves against the registry once: its own caches (never the host's, never
 * autodev's data_dir) and only the variables the toolchains need to find themselves.
 */
function lockEnv(toolsDir: string): Record<string, string> {
  const passed = ['PATH', 'HOME', 'RUSTUP_HOME', 'RUSTUP_TOOLCHAIN', 'GOROOT'];
  const env: Record<string, string> = {};
  for (const name of passed) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return {
    ...env,
    CARGO_HOME: path.join(toolsDir, 'cargo'),
    CARGO_TERM_COLOR: 'never',
    npm_config_cache: path.join(toolsDir, 'npm'),
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    GOMODCACHE: path.join(toolsDir, 'go', 'mod'),
    GOCACHE: path.join(toolsDir, 'go', 'build'),
    // The module cache is read-only by default: -modcacherw lets `rm -rf` of the bench cache work.
    GOFLAGS: '-modcacherw',
    GOTOOLCHAIN: 'local',
  };
}

/** Names the lock by everything that decides it, so a changed manifest or part re-locks instead of reusing. */
function lockKey(workspace: CorpusWorkspace): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([workspace.parts, workspace.files, workspace.lock]));
  return hash.digest('hex').slice(0, 16);
}

/**
 * The lockfiles the ecosystem's own tool writes for the assembled tree: run once (with network),
 * then copied from the bench cache, so the origin's commits stay the same from run to run and a
 * later registry release never changes what the instance resolves to.
 */
async function writeLock(
  name: string,
  workspace: CorpusWorkspace,
  cacheDir: string,
  dir: string,
): Promise<void> {
  const lock = workspace.lock;
  if (!lock) return;
  const saved = path.join(cacheDir, 'locks', `${name}-${lockKey(workspace)}`);
  const cached = await Promise.all(
    lock.writes.map((file) => readFile(path.join(saved, file)).catch(() => undefined)),
  );
  if (cached.every((bytes) => bytes !== undefined)) {
    for (const file of lock.writes) await copyFile(path.join(saved, file), path.join(dir, file));
    return;
  }
  const [program, ...args] = lock.argv;
  if (!program) throw new Error(`${name}: the workspace's lock command is empty`);
  await exec(program, args, {
    cwd: dir,
    env: lockEnv(path.join(cacheDir, 'lock-tools')),
    timeout: LOCK_TIMEOUT_MS,
    maxBuffer: LOCK_OUTPUT_BYTES,
  }).catch((error: unknown) => {
    throw new Error(`${name}: \`${lock.argv.join(' ')}\` failed while locking the workspace`, {
      cause: error,
    });
  });
  const scratch = `${saved}.part`;
  await rm(scratch, { recursive: true, force: true });
  await mkdir(scratch, { recursive: true });
  for (const file of lock.writes) {
    const written = await readFile(path.join(dir, file)).catch(() => undefined);
    if (written === undefined)
      throw new Error(
        `${name}: \`${lock.argv.join(' ')}\` did not write ${file}, which the instance expects`,
      );
    await mkdir(path.dirname(path.join(scratch, file)), { recursive: true });
    await writeFile(path.join(scratch, file), written);
  }
  await rm(saved, { recursive: true, force: true });
  await rename(scratch, saved);
}

/**
 * An assembled workspace in `dir`: each part's archive unpacked into its folder, the root files
 * (the workspace manifest autodev's bench writes) on top, then the lockfile.
 */
export async function assembleWorkspace(
  name: string,
  workspace: CorpusWorkspace,
  cacheDir: string,
  dir: string,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const part of workspace.parts) {
    const into = path.join(dir, part.folder);
    await mkdir(path.dirname(into), { recursive: true });
    await unpack(part.source, await fetchArchive(part.source, cacheDir), into);
  }
  for (const [file, text] of Object.entries(workspace.files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  await writeLock(name, workspace, cacheDir, dir);
}
