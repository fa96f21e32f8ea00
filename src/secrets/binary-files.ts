import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AutodevError } from '../errors.js';
import { spawnCappedBytes } from '../sandbox/spawn-capped.js';
import { hardenedGitEnv } from '../workspace/run-git.js';

/** Largest binary file whose bytes are scanned; a larger one is a finding of its own (it cannot be read). */
export const MAX_BINARY_SCAN_BYTES = 16 * 1024 * 1024;
/** All binary files of one change together; past it the rest are findings too. */
export const MAX_BINARY_SCAN_TOTAL_BYTES = 64 * 1024 * 1024;

export const UNSCANNABLE_RULE = 'autodev-binary-too-large';

/** One git read of the scan (a listing, one blob of at most MAX_BINARY_SCAN_BYTES). */
const GIT_READ_TIMEOUT_MS = 120_000;
const GIT_READ_MAX_BYTES = MAX_BINARY_SCAN_TOTAL_BYTES + 1024 * 1024;

export interface BinaryFile {
  path: string;
  size: number;
}

/** A binary file's text as a scanner reads it, written to `decoded` for gitleaks' `dir` mode. */
export interface DecodedFile {
  path: string;
  /** The decoded text's file name inside the scan folder. */
  name: string;
}

interface GitDeps {
  env: Readonly<Record<string, string>>;
  gitDir: string;
  signal?: AbortSignal;
}

/**
 * Git's environment for the scan: attributes never come from the repository. Since git 2.43 a bare
 * repository (our mirror, and a linked worktree's git dir beside it) reads `.gitattributes` from
 * HEAD, the change itself: a change marking its own text file `binary` would hide it from gitleaks'
 * `git log -p` ("Binary files differ") while our binary check, git's own NUL test, calls it text.
 * `attr.tree` set to the empty tree keeps both sides on the NUL test on every git version (older ones
 * ignore the key, and read no attributes from HEAD anyway).
 */
export function scanGitEnv(host: Readonly<Record<string, string>>, base: string): Record<string, string> {
  const emptyTree = base.length === 64 ? EMPTY_TREE_SHA256 : EMPTY_TREE_SHA1;
  // autodev's git hardening, and no host or user config: the scan reads what autodev's git reads.
  const env = hardenedGitEnv(host);
  const count = Number(env['GIT_CONFIG_COUNT'] ?? '0') || 0;
  return {
    ...env,
    GIT_CONFIG_COUNT: String(count + 1),
    [`GIT_CONFIG_KEY_${String(count)}`]: 'attr.tree',
    [`GIT_CONFIG_VALUE_${String(count)}`]: emptyTree,
  };
}

const EMPTY_TREE_SHA1 = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
const EMPTY_TREE_SHA256 = '6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321';

async function git(deps: GitDeps, args: string[], input?: string): Promise<Buffer> {
  const fail = (reason: string, cause?: unknown): AutodevError =>
    new AutodevError('GIT_FAILED', `git ${args[0] ?? ''} failed during the secrets scan: ${reason}`, {
      cause,
    });
  const result = await spawnCappedBytes({
    argv: ['git', ...args],
    cwd: deps.gitDir,
    env: { ...deps.env, GIT_DIR: deps.gitDir },
    timeoutMs: GIT_READ_TIMEOUT_MS,
    maxOutputBytes: GIT_READ_MAX_BYTES,
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(input === undefined ? {} : { input }),
  }).catch((error: unknown) => {
    throw fail(String(error), error);
  });
  if (result.cancelled) throw new AutodevError('TASK_CANCELLED', 'cancelled during the secrets scan');
  // A cut-off blob or listing would scan less than the change holds: never a partial answer.
  if (result.truncated) throw fail(`output passed ${GIT_READ_MAX_BYTES} bytes`);
  if (result.timedOut) throw fail(`took longer than ${GIT_READ_TIMEOUT_MS} ms`);
  if (result.exitCode !== 0) throw fail(`exit ${String(result.exitCode)}: ${result.stderr.trim()}`);
  return result.stdout;
}

/**
 * The files `base..HEAD` added or changed that git calls binary (a NUL in the first 8000 bytes: a
 * UTF-16 file is one, and so is any text with a NUL up front). `git log -p`, which gitleaks' git mode
 * reads, shows them as "Binary files differ": their bytes are scanned here instead.
 */
export async function changedBinaryFiles(deps: GitDeps, base: string): Promise<BinaryFile[]> {
  const numstat = (
    await git(deps, ['diff', '--numstat', '-z', '--no-renames', '--diff-filter=d', base, 'HEAD'])
  ).toString('utf8');
  const paths = numstat
    .split('\0')
    .filter((entry) => entry.startsWith('-\t-\t'))
    .map((entry) => entry.slice(4));
  if (paths.length === 0) return [];
  const sizes = (
    await git(
      deps,
      ['cat-file', '--batch-check=%(objectsize)'],
      paths.map((p) => `HEAD:${p}`).join('\n') + '\n',
    )
  )
    .toString('utf8')
    .trim()
    .split('\n');
  return paths.map((path, i) => ({ path, size: Number(sizes[i]) }));
}

/** A buffer's UTF-16 byte order, by its BOM or, without one, by which half of its code units is NUL. */
export function utf16Order(bytes: Buffer): 'le' | 'be' | undefined {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return 'le';
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return 'be';
  const sample = bytes.subarray(0, Math.min(bytes.length, 4096) & ~1);
  if (sample.length < 8) return undefined;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < sample.length; i += 2) {
    if (sample[i] === 0) evenNul += 1;
    if (sample[i + 1] === 0) oddNul += 1;
  }
  const units = sample.length / 2;
  // ASCII-range text in UTF-16: nearly every high byte is NUL, nearly no low byte is.
  if (oddNul >= units * 0.7 && evenNul <= units * 0.1) return 'le';
  if (evenNul >= units * 0.7 && oddNul <= units * 0.1) return 'be';
  return undefined;
}

/**
 * What a secret scanner can read of binary bytes: runs of printable ASCII, one per line, everything
 * else (NULs, control and high bytes) a line break. A secret behind a NUL or inside a blob keeps its
 * own characters together. Bytes that look like UTF-16 (a BOM, or the NUL pattern) are read both
 * ways: random bytes open with a BOM now and then, and the UTF-16 reading alone would lose the ASCII.
 */
export function textOfBinary(bytes: Buffer): string {
  const bytewise = printableRuns(bytes.toString('latin1'));
  const order = utf16Order(bytes);
  if (order === undefined) return bytewise;
  const even = Buffer.from(bytes.subarray(0, bytes.length & ~1));
  if (order === 'be') even.swap16();
  return `${printableRuns(even.toString('utf16le'))}\n${bytewise}`;
}

function printableRuns(text: string): string {
  return text.replace(/[^\t\x20-\x7e]+/g, '\n');
}

/**
 * Reads each binary file at HEAD (bounded per file and in total) and writes its decoded text into
 * `folder` under a neutral name (`0.txt`, ...), so no path-based allowance of the scanner (images,
 * lockfiles) applies to it. Files past a bound come back in `unscannable`.
 */
export async function decodeBinaryFiles(
  deps: GitDeps,
  files: readonly BinaryFile[],
  folder: string,
): Promise<{ decoded: DecodedFile[]; unscannable: string[] }> {
  const decoded: DecodedFile[] = [];
  const unscannable: string[] = [];
  let total = 0;
  await mkdir(folder, { recursive: true });
  for (const file of files) {
    const tooLarge =
      !Number.isFinite(file.size) ||
      file.size > MAX_BINARY_SCAN_BYTES ||
      total + file.size > MAX_BINARY_SCAN_TOTAL_BYTES;
    // A path with a line break cannot be named to `cat-file --batch-check`: unread, so reported.
    if (tooLarge || file.path.includes('\n')) {
      unscannable.push(file.path);
      continue;
    }
    total += file.size;
    const bytes = await git(deps, ['cat-file', 'blob', `HEAD:${file.path}`]);
    const name = `${decoded.length}.txt`;
    await writeFile(join(folder, name), textOfBinary(bytes));
    decoded.push({ path: file.path, name });
  }
  return { decoded, unscannable };
}
