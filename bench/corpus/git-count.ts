import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Counts the git processes the server starts, for the bench only: a `git` script first on the
 * server's PATH appends one line to a log and execs the real git. The log lies outside the wrapper's
 * folder, so git run inside the sandbox (shown the PATH folders read-only, not the log) is not counted:
 * the figure is autodev's own git. The script adds ~1-2 ms per call to every figure measured with it,
 * before and after alike. Each line carries bash's clock (EPOCHREALTIME, a variable: no process), so a
 * count can be split by the task's steps (their spans as the API reports them).
 */
export interface GitCounter {
  /** The folder to put first on the server's PATH. */
  binDir: string;
  /** git processes started so far. */
  count(): Promise<number>;
  /** The subcommands of the git processes started since the count `from`, most frequent first. */
  subcommands(from: number): Promise<string>;
  /** The git processes started since the count `from`: when (epoch ms) and which subcommand. */
  started(from: number): Promise<GitStart[]>;
  close(): Promise<void>;
}

export interface GitStart {
  atMs: number;
  name: string;
}

export async function startGitCounter(): Promise<GitCounter> {
  const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
  if (!realGit) throw new Error('git is not on PATH');
  const root = await mkdtemp(path.join(tmpdir(), 'autodev-git-count-'));
  const binDir = path.join(root, 'wrapper', 'bin');
  const logDir = path.join(root, 'log');
  const log = path.join(logDir, 'git.log');
  await mkdir(binDir, { recursive: true });
  await mkdir(logDir, { recursive: true });
  await writeFile(log, '');
  // One line per process, its start time and subcommand: the first argument after the hardening `-c`
  // pairs (and a `-C <dir>`, as gitleaks runs `git -C <dir> log`). Shell builtins only, so the count costs no process of its own.
  const script = [
    '#!/bin/bash',
    'skip=',
    'name=-',
    'for arg; do',
    '  if [ -n "$skip" ]; then skip=; continue; fi',
    '  case "$arg" in',
    '    -c|-C) skip=1 ;;',
    '    -*) ;;',
    '    *) name=$arg; break ;;',
    '  esac',
    'done',
    `{ echo "$EPOCHREALTIME $name" >> '${log}'; } 2>/dev/null`,
    `exec '${realGit}' "$@"`,
    '',
  ].join('\n');
  await writeFile(path.join(binDir, 'git'), script);
  await chmod(path.join(binDir, 'git'), 0o755);
  const lines = async (): Promise<GitStart[]> =>
    (await readFile(log, 'utf8'))
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const space = line.indexOf(' ');
        return { atMs: Number(line.slice(0, space)) * 1000, name: line.slice(space + 1) };
      });
  return {
    binDir,
    async count() {
      return (await lines()).length;
    },
    async subcommands(from) {
      const counts = new Map<string, number>();
      for (const { name } of (await lines()).slice(from)) counts.set(name, (counts.get(name) ?? 0) + 1);
      return [...counts]
        .sort((a, b) => b[1] - a[1])
        .map(([name, n]) => `${name} ${n}`)
        .join(', ');
    },
    async started(from) {
      return (await lines()).slice(from);
    },
    async close() {
      await rm(root, { recursive: true, force: true });
    },
  };
}
