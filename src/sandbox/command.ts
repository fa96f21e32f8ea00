import { constants } from 'node:fs';
import { access, lstat, mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AutodevError } from '../errors.js';
import { realPathInside } from '../workspace/real-path.js';
import type { SandboxCommand } from './types.js';

/** Rejects a command no backend could run meaningfully, before anything starts. */
export function validateCommand(command: SandboxCommand): void {
  if (command.argv.length === 0 || command.argv[0] === '') {
    throw new AutodevError('VALIDATION_FAILED', 'argv must name a program');
  }
  if (!path.isAbsolute(command.cwd)) {
    throw new AutodevError('VALIDATION_FAILED', `cwd must be an absolute path: ${command.cwd}`);
  }
  if (!Number.isFinite(command.timeoutMs) || command.timeoutMs <= 0) {
    throw new AutodevError('VALIDATION_FAILED', `timeoutMs must be positive: ${command.timeoutMs}`);
  }
}

async function isExecutable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(
    () => true,
    () => false,
  );
}

/**
 * Finds the program the way execvp would, on the sandbox's PATH. Needed where the launcher
 * (bwrap) would otherwise report a missing program as its own exit status 1.
 */
export async function assertProgramExists(program: string, cwd: string, searchPath: string): Promise<void> {
  const candidates = program.includes('/')
    ? [path.resolve(cwd, program)]
    : searchPath
        .split(':')
        .filter((dir) => dir !== '')
        .map((dir) => path.join(dir, program));
  for (const candidate of candidates) {
    if (await isExecutable(candidate)) return;
  }
  throw new AutodevError('COMMAND_NOT_FOUND', `command not found: ${program}`, { details: { program } });
}

/** Runs `fn` with the caller's HOME, or with a fresh one removed afterwards. */
export async function withHome<T>(homeDir: string | undefined, fn: (home: string) => Promise<T>): Promise<T> {
  if (homeDir !== undefined) return fn(homeDir);
  const home = await mkdtemp(path.join(os.tmpdir(), 'autodev-home-'));
  try {
    return await fn(home);
  } finally {
    // Best effort: a leftover temp dir must not turn a finished run into a failure.
    await rm(home, { recursive: true, force: true }).catch(() => undefined);
  }
}

export interface CommandPaths {
  /** Real path of the tree the command may write (its workspace). */
  workspace: string;
  /** Real path of the working directory, inside the workspace. */
  cwd: string;
  /** The workspace's `.git` (a worktree pointer file, or a folder) when it is a plain file or folder. */
  gitEntry?: string;
}

/**
 * The paths a backend binds and enters, checked in one place: the real path of the working directory
 * (a project root from `.autodev.toml` may be a committed symlink such as `up -> ../..`) must lie inside
 * the real path of the workspace, or the command is refused with WORKSPACE_ESCAPE. Binding a path that
 * is a symlink would mount its target writable.
 */
export async function resolveCommandPaths(command: SandboxCommand): Promise<CommandPaths> {
  const workspaceArg = command.workspace ?? command.cwd;
  const workspace = await realpath(workspaceArg).catch((error: unknown) => {
    throw new AutodevError('WORKSPACE_MISSING', `the workspace ${workspaceArg} does not exist`, {
      cause: error,
    });
  });
  const cwd = await realPathInside(workspace, command.cwd, { what: 'working directory' });
  const gitPath = path.join(workspace, '.git');
  const git = await lstat(gitPath).catch(() => undefined);
  const plain = git !== undefined && (git.isFile() || git.isDirectory());
  return { workspace, cwd, ...(plain ? { gitEntry: gitPath } : {}) };
}
