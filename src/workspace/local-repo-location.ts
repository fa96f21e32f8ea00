import { lstat, open, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { AutodevError } from '../errors.js';

/** Where a local repository really is, once every symlink and `.git` indirection is followed. */
export interface LocalRepoLocation {
  /** The real git directory to hand to git, so it follows no link or `.git` file of its own. */
  gitDir: string;
  /**
   * Every real directory git would read or write through `gitDir`: the git directory itself and, for
   * a worktree-style git directory, the common directory its `commondir` file names, and every
   * repository whose objects it borrows through `objects/info/alternates` (followed in turn).
   */
  reached: string[];
}

// git's enter_repo() (what upload-pack and receive-pack run on a local path) tries these in order.
const GIT_SUFFIXES = ['/.git', '', '.git/.git', '.git'];
// A `.git` file may name a directory that has a `.git` file again; git follows a few, so do we.
const MAX_HOPS = 8;

// `.git` and `commondir` files hold one path; a bigger file (a bundle, a trap) is read no further.
const MAX_POINTER_BYTES = 4096;

/** The start of a regular file, or undefined when it is none or cannot be read. */
async function readHead(file: string): Promise<string | undefined> {
  // Only regular files: opening a FIFO planted as `commondir` would block a thread for good.
  if (!(await stat(file).catch(() => undefined))?.isFile()) return undefined;
  const handle = await open(file, 'r').catch(() => undefined);
  if (handle === undefined) return undefined;
  try {
    const buffer = Buffer.alloc(MAX_POINTER_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, MAX_POINTER_BYTES, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

const exists = (p: string) =>
  lstat(p).then(
    () => true,
    () => false,
  );

/** The common directory of a git directory: where its refs and objects live (`commondir` moves them). */
async function commonDirOf(gitDir: string): Promise<string> {
  const named = await readHead(path.join(gitDir, 'commondir'));
  if (named === undefined) return gitDir;
  return realpath(path.resolve(gitDir, named.trim())).catch(() => path.resolve(gitDir, named.trim()));
}

/** git's is_git_directory(): a HEAD, and objects and refs in the common directory. */
async function isGitDirectory(dir: string): Promise<boolean> {
  if (!(await exists(path.join(dir, 'HEAD')))) return false;
  const common = await commonDirOf(dir);
  return (await exists(path.join(common, 'objects'))) && (await exists(path.join(common, 'refs')));
}

/** The directory a `gitdir: <path>` file names (relative to the file's folder), or undefined. */
async function gitFileTarget(file: string): Promise<string | undefined> {
  const text = await readHead(file);
  const match = text === undefined ? null : /^gitdir: (.+?)\s*$/m.exec(text);
  return match?.[1] === undefined ? undefined : path.resolve(path.dirname(file), match[1]);
}

/** One step of git's lookup from `given`: the real path of what it would open, or undefined. */
async function step(given: string): Promise<string | undefined> {
  for (const suffix of GIT_SUFFIXES) {
    const candidate = `${given}${suffix}`;
    const info = await stat(candidate).catch(() => undefined);
    if (info?.isFile()) {
      // A `.git` file points elsewhere; any other file (a bundle) is read where it really is.
      const target = await gitFileTarget(candidate);
      return realpath(target ?? candidate).catch(() => target ?? candidate);
    }
    if (info?.isDirectory() && (await isGitDirectory(candidate))) return realpath(candidate);
  }
  return undefined;
}

/** The real path of the longest existing ancestor of `given`, with the missing rest appended. */
async function realPathOfExistingPart(given: string): Promise<string> {
  const missing: string[] = [];
  let current = given;
  for (;;) {
    const real = await realpath(current).catch(() => undefined);
    if (real !== undefined) return path.join(real, ...missing.reverse());
    const parent = path.dirname(current);
    if (parent === current) return given;
    missing.push(path.basename(current));
    current = parent;
  }
}

/**
 * Finds the repository git reaches from a local path as given by a user: symlinks anywhere in it,
 * `.git` files (`gitdir: ...`), `.git` directories, the `.git` suffix git tries and `commondir`. A
 * path that leads to no repository (yet) resolves to the real path of its existing part, so that a
 * link in its folders is still seen.
 */
export async function locateLocalRepo(given: string): Promise<LocalRepoLocation> {
  let current = await step(given);
  if (current === undefined) {
    const real = await realPathOfExistingPart(given);
    return { gitDir: real, reached: [real] };
  }
  // git is given `current` and runs the same lookup on it: follow until it lands on itself.
  for (let hop = 0; ; hop += 1) {
    const next = await step(current);
    if (next === undefined || next === current) break;
    if (hop === MAX_HOPS) {
      throw new AutodevError(
        'REPO_REFUSED',
        `repository ${given} refused: more than ${MAX_HOPS} .git files chained`,
        {
          details: { problem: 'too many .git indirections' },
        },
      );
    }
    current = next;
  }
  const common = await commonDirOf(current);
  const reached = common === current ? [current] : [current, common];
  for (const borrowed of await alternatesOf(given, path.join(common, 'objects'))) {
    if (!reached.includes(borrowed)) reached.push(borrowed);
  }
  return { gitDir: current, reached };
}

// git follows alternates of alternates up to this depth (link_alt_odb_entry's limit).
const MAX_ALTERNATE_DEPTH = 5;
// An alternates file lists a few paths; a bigger one is refused rather than read in part, so that no
// entry can hide past the part that was read.
const MAX_ALTERNATES_BYTES = 64 * 1024;

/**
 * The real paths of every repository whose objects git reads through `objects/info/alternates`, with
 * the alternates of those in turn: an allowed repo must not serve another's objects. An alternate
 * named `<repo>/objects` is reported as `<repo>` (what an allowlist pattern names); any other object
 * directory as itself.
 */
async function alternatesOf(given: string, objectsDir: string): Promise<string[]> {
  const found: string[] = [];
  const seen = new Set<string>();
  const walk = async (objects: string, depth: number): Promise<void> => {
    const file = path.join(objects, 'info', 'alternates');
    const info = await stat(file).catch(() => undefined);
    if (info === undefined) return;
    const refuse = (problem: string) =>
      new AutodevError(
        'REPO_REFUSED',
        `repository ${given} refused: its objects/info/alternates ${problem}`,
        {
          details: { problem: `alternates ${problem}` },
        },
      );
    if (!info.isFile() || info.size > MAX_ALTERNATES_BYTES) throw refuse('is not a small regular file');
    if (depth > MAX_ALTERNATE_DEPTH) throw refuse(`chain is deeper than ${MAX_ALTERNATE_DEPTH}`);
    const text = await readFile(file, 'utf8');
    for (const line of text.split('\n')) {
      const entry = line.trim();
      if (entry === '' || entry.startsWith('#')) continue;
      // git reads a line starting with `"` as a C-quoted path; such a path is refused, not guessed.
      if (entry.startsWith('"')) throw refuse('names a quoted path');
      const named = path.resolve(objects, entry);
      const real = await realpath(named).catch(() => named);
      if (seen.has(real)) continue;
      seen.add(real);
      found.push(path.basename(real) === 'objects' ? path.dirname(real) : real);
      await walk(real, depth + 1);
    }
  };
  await walk(objectsDir, 1);
  return found;
}
