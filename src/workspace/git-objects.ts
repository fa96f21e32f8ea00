import path from 'node:path';
import { AutodevError } from '../errors.js';
import { batchable, type CatFilePlace, type CatFilePool } from './cat-file-pool.js';
import type { GitRunOptions, RunGit } from './run-git.js';

/** Where git runs: a recorded worktree (GIT_DIR/GIT_WORK_TREE) or a directory git discovers from. */
export type GitPlace = Pick<GitRunOptions, 'cwd' | 'worktree'>;

/** A file's object as `cat-file --batch-check` names it. */
export interface ObjectInfo {
  id: string;
  type: string;
  size: number;
}

export interface GitObjects {
  /**
   * Each revision as a commit id, in one git process (none for full ids already seen in this git
   * dir); GIT_FAILED naming the first that is not a commit. Revisions go to git on stdin, so no
   * caller value reaches it as an option.
   */
  resolveCommits(place: GitPlace, revs: readonly string[]): Promise<string[]>;
  /** Records `id` as a commit of `place`, one git itself just wrote (commit-tree's answer). */
  remember(place: GitPlace, id: string): void;
  /** The object at `commit:path`, or undefined when there is none. */
  info(place: GitPlace, commit: string, path: string): Promise<ObjectInfo | undefined>;
  /** The content of the blob at `commit:path` in one git process; undefined when there is no blob there. */
  readBlob(place: GitPlace, commit: string, path: string): Promise<string | undefined>;
  /** The content of the blob `id`. */
  blob(place: GitPlace, id: string): Promise<string>;
  /** The bytes of the blob `id` through the long-lived reader; undefined without one (no process started). */
  pooledBytes(place: GitPlace, id: string): Promise<Buffer | undefined>;
}

const FULL_ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const INFO_LINE = /^([0-9a-f]{40,64}) ([a-z]+) (\d+)$/;
/** Enough for every commit of every task a long-running server handles between restarts; then it starts over. */
const MAX_KNOWN_COMMITS = 100_000;

function checkNoNul(value: string): void {
  // -z batches are NUL-separated: a NUL inside one value would split it into two requests.
  if (value.includes('\0')) {
    throw new AutodevError('VALIDATION_FAILED', `${JSON.stringify(value)} contains a NUL byte`);
  }
}

function parseInfo(line: string): ObjectInfo | undefined {
  const match = INFO_LINE.exec(line);
  if (!match) return undefined; // "<spec> missing" or "<spec> ambiguous"
  return { id: match[1] ?? '', type: match[2] ?? '', size: Number(match[3]) };
}

/** A worktree's HEAD as its mirror names it: `worktrees/<name>/HEAD` (git 2.23+). */
const HEAD_SPEC = /^HEAD(?=$|[\^~:@])/;

/**
 * Where the long-lived reader of `place` runs and how a spec is named there: a recorded worktree is
 * read through its mirror (one process serves every worktree of the repo; its HEAD named by the
 * worktree), a directory autodev did not prepare through itself. Undefined: a one-shot process.
 */
function pooledPlace(place: GitPlace, spec: string): { where: CatFilePlace; spec: string } | undefined {
  if (!batchable(spec)) return undefined;
  if (place.worktree !== undefined) {
    const { gitDir } = place.worktree;
    const registry = path.dirname(gitDir);
    if (path.basename(registry) !== 'worktrees') return undefined;
    const name = path.basename(gitDir);
    return {
      where: { cwd: path.dirname(registry) },
      spec: spec.replace(HEAD_SPEC, `worktrees/${name}/HEAD`),
    };
  }
  return place.cwd === undefined ? undefined : { where: { cwd: place.cwd }, spec };
}

/**
 * Object reads through `git cat-file` batches: one process where a rev-parse per revision plus
 * `cat-file -e`, `-t`, `-s` and `blob` per file took five; with a pool, a long-lived process per
 * repository, so most reads start no process at all. A full commit id once seen as a commit in a
 * recorded worktree's git dir is remembered: objects never change, and autodev's mirrors (which the
 * sandbox cannot write) only gain commits while a task runs.
 */
export function createGitObjects(git: RunGit, pool?: CatFilePool): GitObjects {
  const knownCommits = new Set<string>();
  const keyOf = (place: GitPlace, rev: string): string | undefined =>
    place.worktree !== undefined && FULL_ID.test(rev) ? `${place.worktree.gitDir}\0${rev}` : undefined;

  const remember = (place: GitPlace, id: string): void => {
    const key = keyOf(place, id);
    if (key === undefined) return;
    if (knownCommits.size >= MAX_KNOWN_COMMITS) knownCommits.clear();
    knownCommits.add(key);
  };

  const batchCheck = async (place: GitPlace, specs: readonly string[]): Promise<string[]> => {
    specs.forEach(checkNoNul);
    const pooled = specs.map((spec) => pooledPlace(place, spec));
    if (pool !== undefined && pooled.every((p) => p !== undefined)) {
      const answers = await Promise.all(pooled.map((p) => pool.info(p.where, p.spec)));
      return answers.map((a) => (a === undefined ? 'missing' : `${a.id} ${a.type} ${a.size}`));
    }
    const res = await git(['cat-file', '--batch-check', '-z'], {
      ...place,
      input: specs.map((s) => `${s}\0`).join(''),
    });
    return res.stdout.split('\n').slice(0, specs.length);
  };

  return {
    async resolveCommits(place, revs) {
      const unknown = revs.filter((rev) => {
        const key = keyOf(place, rev);
        return key === undefined || !knownCommits.has(key);
      });
      const resolved = new Map<string, string>();
      if (unknown.length > 0) {
        const lines = await batchCheck(
          place,
          unknown.map((rev) => `${rev}^{commit}`),
        );
        unknown.forEach((rev, i) => {
          const info = parseInfo(lines[i] ?? '');
          if (info?.type !== 'commit') {
            const where = place.worktree?.workTree ?? place.cwd ?? '.';
            throw new AutodevError('GIT_FAILED', `${JSON.stringify(rev)} is not a commit in ${where}`);
          }
          resolved.set(rev, info.id);
          remember(place, info.id);
        });
      }
      return revs.map((rev) => resolved.get(rev) ?? rev);
    },

    remember,

    async info(place, commit, path) {
      const [line = ''] = await batchCheck(place, [`${commit}:${path}`]);
      return parseInfo(line);
    },

    async readBlob(place, commit, path) {
      const spec = `${commit}:${path}`;
      checkNoNul(spec);
      const pooled = pool === undefined ? undefined : pooledPlace(place, spec);
      if (pool !== undefined && pooled !== undefined) {
        const object = await pool.contents(pooled.where, pooled.spec);
        return object?.type === 'blob' ? (object.content ?? Buffer.alloc(0)).toString('utf8') : undefined;
      }
      const res = await git(['cat-file', '--batch', '-z'], { ...place, input: `${spec}\0` });
      // "<id> <type> <size>\n<content>\n", or "<spec> missing\n".
      const newline = res.stdout.indexOf('\n');
      const info = parseInfo(res.stdout.slice(0, newline));
      if (info?.type !== 'blob') return undefined;
      return res.stdout.slice(newline + 1, -1);
    },

    async blob(place, id) {
      const pooled = pool === undefined ? undefined : pooledPlace(place, id);
      if (pool !== undefined && pooled !== undefined) {
        const object = await pool.contents(pooled.where, pooled.spec);
        if (object?.type !== 'blob') throw new AutodevError('GIT_FAILED', `${id} is not a blob`);
        return (object.content ?? Buffer.alloc(0)).toString('utf8');
      }
      return (await git(['cat-file', 'blob', id], place)).stdout;
    },

    async pooledBytes(place, id) {
      const pooled = pool === undefined ? undefined : pooledPlace(place, id);
      if (pool === undefined || pooled === undefined) return undefined;
      const object = await pool.contents(pooled.where, pooled.spec);
      if (object?.type !== 'blob') throw new AutodevError('GIT_FAILED', `${id} is not a blob`);
      return object.content ?? Buffer.alloc(0);
    },
  };
}
