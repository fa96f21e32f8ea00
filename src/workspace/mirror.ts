import { createHash, randomBytes } from 'node:crypto';
import { appendFile, cp, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AutodevError, isAutodevError } from '../errors.js';
import type { RepoAllowlist } from '../governance/allowlist.js';
import { resolveAllowedRepo } from '../governance/repo-access.js';
import { createKeyedLock, type KeyedLock } from './file-lock.js';
import type { RepoRef } from './repo-ref.js';
import type { RunGit } from './run-git.js';
import { gitAuthConfig, type GitHttpAuth } from './token-transport.js';

/**
 * Remote branches live under refs/remotes/origin/ in the mirror, not refs/heads/: refs/heads/ holds the
 * tasks' branches (one per worktree), which `fetch --prune` must never delete or move.
 */
export const MIRROR_FETCH_REFSPEC = '+refs/heads/*:refs/remotes/origin/*';

export interface MirrorStoreDeps {
  git: RunGit;
  /** `<dataDir>/mirrors` */
  root: string;
  lock?: KeyedLock;
  /** allowlist_repos, checked again before every fetch (a local repo by its real path); all when absent. */
  allowlist?: RepoAllowlist;
  /** The forge's git credentials, for fetching a private repo over http(s); none when absent. */
  gitAuth?: () => GitHttpAuth | undefined;
}

export interface MirrorStore {
  /** Where the mirror of `ref` lives: `<root>/<hash of normalized>.git`. */
  pathFor(ref: RepoRef): string;
  /**
   * Holding the mirror's lock, creates the mirror on first use or fetches it (`--prune`), then runs `fn`
   * with its path while still holding the lock (`created`: this call made it). REPO_UNREACHABLE with
   * git's reason when the fetch fails.
   */
  syncThen<T>(
    ref: RepoRef,
    fn: (mirrorDir: string, sync: { created: boolean }) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T>;
  /** Runs `fn` holding the lock of the mirror at `mirrorDir` (for worktree and branch changes). */
  withLock<T>(mirrorDir: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Paths of the existing mirrors. */
  list(): Promise<string[]>;
  /** Deletes half-created mirrors a crash left behind; returns their paths. */
  sweepPartial(): Promise<string[]>;
}

const TMP_MARK = '.tmp-';
/**
 * An empty bare repository git made once per data_dir, beside (not among) the mirrors, which each
 * new mirror starts as a copy of: a `git init` saved per new repository. Never written after.
 */
const BARE_TEMPLATE = 'empty-bare.git';

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

const STALE_GIT_LOCK_MS = 60_000;

/**
 * Deletes git lock files older than a minute that only a fetch takes (remote-tracking refs,
 * packed-refs, config). Refs under refs/heads/ are the worktrees' and are left to them.
 */
async function clearStaleRefLocks(mirrorDir: string): Promise<number> {
  const candidates = ['packed-refs.lock', 'config.lock', 'shallow.lock'].map((n) => join(mirrorDir, n));
  const remotes = join(mirrorDir, 'refs', 'remotes');
  const entries = await readdir(remotes, { recursive: true }).catch(() => []);
  candidates.push(...entries.filter((e) => e.endsWith('.lock')).map((e) => join(remotes, e)));
  let cleared = 0;
  for (const path of candidates) {
    const info = await stat(path).catch(() => undefined);
    if (info !== undefined && Date.now() - info.mtimeMs > STALE_GIT_LOCK_MS) {
      await rm(path, { force: true });
      cleared += 1;
    }
  }
  return cleared;
}

function unreachable(ref: RepoRef, error: unknown): AutodevError {
  if (isAutodevError(error) && error.code !== 'GIT_FAILED') return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new AutodevError('REPO_UNREACHABLE', `cannot fetch ${ref.normalized}: ${reason}`, { cause: error });
}

/**
 * A value as git's config file quotes it: in double quotes, `\` and `"` escaped. A newline or NUL has
 * no place in a url or a repo name, and would end the value early: refused.
 */
function configValue(value: string): string {
  if (/[\n\r\0]/.test(value)) {
    throw new AutodevError('VALIDATION_FAILED', `${JSON.stringify(value)} holds a line break or NUL byte`);
  }
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export function createMirrorStore(deps: MirrorStoreDeps): MirrorStore {
  const { git, root } = deps;
  const lock = deps.lock ?? createKeyedLock();
  const allowlist = deps.allowlist ?? (() => true);

  const pathFor = (ref: RepoRef): string =>
    join(root, `${createHash('sha256').update(ref.normalized).digest('hex').slice(0, 24)}.git`);

  /**
   * The url this process last wrote as each mirror's remote.origin.url: written again only when a task
   * gives the repo in another form, a git process saved per task. The fetch names the url itself, so
   * a value another process wrote meanwhile never decides where this task fetches from.
   */
  const originUrls = new Map<string, string>();
  const setOrigin = async (mirrorDir: string, configDir: string, url: string): Promise<void> => {
    if (originUrls.get(mirrorDir) === url) return;
    await git(['config', 'remote.origin.url', url], { cwd: configDir });
    originUrls.set(mirrorDir, url);
  };

  const fetch = async (mirrorDir: string, url: string, signal?: AbortSignal): Promise<void> => {
    const args = ['fetch', '--prune', '--no-tags', '--quiet', '--end-of-options', url, MIRROR_FETCH_REFSPEC];
    // A hosted forge's repo is often private: the token goes as a header scoped to its origin.
    const secretConfig = gitAuthConfig(url, deps.gitAuth?.());
    const options = { cwd: mirrorDir, signal, ...(secretConfig ? { secretConfig } : {}) };
    try {
      await git(args, options);
    } catch (error) {
      // A fetch killed mid-way (crash, cancel) leaves ref lock files that fail every later fetch.
      if ((await clearStaleRefLocks(mirrorDir)) === 0) throw error;
      await git(args, options);
    }
  };

  /**
   * The empty bare repository new mirrors are copied from, made by `git init --bare` the first time
   * (in a temp dir renamed into place, as a mirror is: a crash leaves no half-made one, and of two
   * processes making it at once one rename wins and the other's copy is dropped).
   */
  const bareTemplate = async (signal?: AbortSignal): Promise<string> => {
    const template = join(dirname(root), BARE_TEMPLATE);
    if (await exists(join(template, 'HEAD'))) return template;
    const tmp = `${template}${TMP_MARK}${randomBytes(4).toString('hex')}`;
    try {
      await git(['init', '--quiet', '--bare', tmp], { signal });
      await rename(tmp, template).catch(async (error: unknown) => {
        if (!(await exists(join(template, 'HEAD')))) throw error;
      });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
    return template;
  };

  // Built in a temp dir and renamed into place, so a crash never leaves a mirror that looks complete.
  const create = async (
    ref: RepoRef,
    url: string,
    mirrorDir: string,
    signal?: AbortSignal,
  ): Promise<void> => {
    const tmp = `${mirrorDir}${TMP_MARK}${randomBytes(4).toString('hex')}`;
    try {
      await cp(await bareTemplate(signal), tmp, { recursive: true, errorOnExist: true, force: false });
      // Written into the new (not yet used) repository's config directly: three `git config` saved.
      await appendFile(
        join(tmp, 'config'),
        [
          '[remote "origin"]',
          `\turl = ${configValue(url)}`,
          `\tfetch = ${configValue(MIRROR_FETCH_REFSPEC)}`,
          '[autodev]',
          `\trepo = ${configValue(ref.normalized)}`,
          '',
        ].join('\n'),
      );
      originUrls.set(mirrorDir, url);
      await fetch(tmp, url, signal);
      await rename(tmp, mirrorDir);
    } catch (error) {
      originUrls.delete(mirrorDir);
      await rm(tmp, { recursive: true, force: true });
      throw error;
    }
  };

  const withLock = <T>(mirrorDir: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> =>
    lock.run(`${mirrorDir}.lock`, fn, { signal });

  return {
    pathFor,
    withLock,
    async syncThen(ref, fn, signal) {
      await mkdir(root, { recursive: true });
      const mirrorDir = pathFor(ref);
      return withLock(
        mirrorDir,
        async () => {
          let created = false;
          try {
            // Checked now, not only at submission: a link swapped since then must not lead git elsewhere.
            // git is given the real git directory of a local repo, so it follows no link of its own.
            const url = await resolveAllowedRepo(ref, allowlist);
            if (await exists(mirrorDir)) {
              // The same repo may come as https today and ssh tomorrow: fetch from the form this task gave.
              await setOrigin(mirrorDir, mirrorDir, url);
              await fetch(mirrorDir, url, signal);
            } else {
              await create(ref, url, mirrorDir, signal);
              created = true;
            }
          } catch (error) {
            throw unreachable(ref, error);
          }
          return fn(mirrorDir, { created });
        },
        signal,
      );
    },
    async list() {
      const names = await readdir(root).catch(() => []);
      return names.filter((n) => n.endsWith('.git') && !n.includes(TMP_MARK)).map((n) => join(root, n));
    },
    async sweepPartial() {
      const names = await readdir(root).catch(() => []);
      const removed: string[] = [];
      // A template a crash left half-made (never renamed into place). Taken by age, as it has no
      // lock: one being made now by another process sharing data_dir is seconds old.
      const parent = dirname(root);
      for (const name of await readdir(parent).catch(() => [])) {
        if (!name.startsWith(`${BARE_TEMPLATE}${TMP_MARK}`)) continue;
        const info = await stat(join(parent, name)).catch(() => undefined);
        if (info === undefined || Date.now() - info.mtimeMs < STALE_GIT_LOCK_MS) continue;
        await rm(join(parent, name), { recursive: true, force: true });
        removed.push(join(parent, name));
      }
      for (const name of names.filter((n) => n.includes(TMP_MARK))) {
        const path = join(root, name);
        const mirrorDir = join(root, name.slice(0, name.indexOf(TMP_MARK)));
        // Under the mirror's lock: a temp dir of a creation still running elsewhere is left alone.
        await withLock(mirrorDir, () => rm(path, { recursive: true, force: true }));
        removed.push(path);
      }
      return removed;
    },
  };
}
