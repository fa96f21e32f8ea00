import { copyFile, mkdtemp, rm, stat, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnCapped } from '../sandbox/spawn-capped.js';
import { AutodevError, isAutodevError } from '../errors.js';
import { isValidRefName } from './ref-format.js';
import { parseRepoRef } from './repo-ref.js';
import type { CatFilePool } from './cat-file-pool.js';
import { createGitObjects, type GitPlace, type ObjectInfo } from './git-objects.js';
import type { GitWorktree, RunGit } from './run-git.js';
import { gitAuthConfig, type GitHttpAuth } from './token-transport.js';
import type { GitAuthor, Snapshot, WorkspaceGit } from './types.js';

/**
 * What a yarn 2+ Plug'n'Play install writes instead of node_modules/ (the loader and the install
 * state; the packages stay in the repo's cache): without it `yarn test` refuses to run ("doesn't seem
 * to have been installed"). Yarn's own .gitignore advice ignores these; tracked files under .yarn/
 * (releases, plugins, patches) are untouched by a clean either way.
 */
const YARN_PNP_INSTALL = ['/.pnp.cjs', '/.pnp.loader.mjs', '/.yarn/install-state.gz', '/.yarn/unplugged/'];

/**
 * Untracked folders that are setup's and the builds' (dependency installs, Cargo's output), never the
 * change's: a reset keeps them and a commit leaves them out, even in a repo that does not ignore
 * them (a package as published, without .gitignore). A reset keeps node_modules/ at any depth
 * (workspaces) and target/ at the top (Cargo's default), so a source folder named target deeper
 * down is not touched; a commit leaves out the top-level ones.
 */
const KEPT_UNTRACKED = ['node_modules/', '/target/', ...YARN_PNP_INSTALL];
/**
 * What a commit leaves out: node_modules/ at any depth (a workspace's install nests some in its
 * members), target/ at the top, Plug'n'Play's install files. Every pattern starts with a wildcard or
 * a bracket: git refuses an exclude pathspec with a literal prefix the repo ignores ("paths are
 * ignored by one of your .gitignore files"), but not a glob, so the list is fixed and no `ls-files`
 * has to find out first which of them exist unignored (two git processes per commit saved).
 */
const KEPT_EXCLUSIONS = [
  ':(exclude,glob,top)**/node_modules/**',
  ':(exclude,glob,top)[t]arget/**',
  ...YARN_PNP_INSTALL.map((kept) => {
    const name = kept.replace(/^\/|\/$/g, '');
    return `:(exclude,glob,top)[${name.charAt(0)}]${name.slice(1)}${kept.endsWith('/') ? '/**' : ''}`;
  }),
];

export interface WorkspaceGitDeps {
  git: RunGit;
  /**
   * The git dir and work tree of a workspace, from autodev's records (the workspace manager), so git
   * never trusts the worktree's own `.git` file. Undefined for a directory autodev did not prepare
   * (`autodev tools run --workspace .` on the operator's own checkout): git discovers it then.
   */
  locate?: (dir: string) => Promise<GitWorktree | undefined>;
  /** Long-lived readers of objects, one per repository; without it each read starts a git process. */
  catFiles?: CatFilePool;
  /**
   * Told the refs keepCommit is about to write in a recorded worktree's mirror, before git writes
   * them (the workspace manager's recordKept): its release deletes them without listing refs.
   */
  recordKept?: (dir: string, refs: readonly string[]) => Promise<void>;
}

// Diffs and file lists must be the same whatever the host's or the repo's config says.
const DIFF_FLAGS = ['--no-color', '--no-ext-diff', '--no-textconv', '--no-renames'];

/**
 * Tried in order; git apply is atomic (all files or none), so a failed try leaves the tree as it was.
 * Exact first: --recount misreads a hunk followed by a `--- a/file` header as removing that line.
 * Then --recount, for the wrong hunk line counts models write, then forgiving whitespace drift in
 * context lines. No --3way: model-written diffs carry no blob ids to merge from, and a 3-way merge
 * would leave conflict markers in files that then look like edits.
 */
const APPLY_ATTEMPTS: readonly (readonly string[])[] = [
  [],
  ['--recount'],
  ['--ignore-whitespace'],
  ['--recount', '--ignore-whitespace'],
  // Last: a hunk with less context after the change than before it (models trim trailing context)
  // makes git anchor it to the end of the file; --unidiff-zero lifts that anchoring.
  ['--recount', '--unidiff-zero'],
  ['--recount', '--unidiff-zero', '--ignore-whitespace'],
];

/** `git apply --numstat` names only the new path of a rename; the old one is touched too (deleted). */
function renamedFrom(diff: string): string[] {
  return [...diff.matchAll(/^rename from (.+)$/gm)].map((m) => m[1] ?? '').filter((p) => p !== '');
}

function splitZ(text: string): string[] {
  return text.split('\0').filter((s) => s !== '');
}

/**
 * Files named by `git apply --numstat -z`: `added\tdeleted\tpath\0`, or in the rename form
 * `added\tdeleted\t\0old\0new\0`; the last tab field of each entry is a path (or empty).
 */
function numstatFiles(output: string): string[] {
  return splitZ(output)
    .map((entry) => entry.split('\t').at(-1) ?? '')
    .filter((path) => path !== '');
}

/**
 * `git diff --raw --patch -z`: the raw entries (`:<modes ids status>\0<path>\0` each, one path as
 * renames are off), a NUL, then the patch exactly as `git diff` alone prints it.
 */
function splitRawAndPatch(output: string): { files: string[]; patch: string } {
  const files: string[] = [];
  let at = 0;
  while (output.startsWith(':', at)) {
    const metaEnd = output.indexOf('\0', at);
    const pathEnd = metaEnd < 0 ? -1 : output.indexOf('\0', metaEnd + 1);
    if (pathEnd < 0) throw new AutodevError('GIT_FAILED', 'git diff --raw printed an unterminated entry');
    files.push(output.slice(metaEnd + 1, pathEnd));
    at = pathEnd + 1;
  }
  if (output.startsWith('\0', at)) at += 1;
  return { files, patch: output.slice(at) };
}

/** git's diff reads this much of a file to tell binary from text (a NUL in it: binary). */
const GIT_BINARY_SNIFF_BYTES = 8000;
/** Larger blobs are not read whole to look for that NUL: `git diff --numstat` is asked instead. */
const MAX_SNIFFED_BLOB_BYTES = 4 * 1024 * 1024;

/** Diffs of commit pairs remembered (a few per task); then the memory starts over. */
const MAX_DIFFS_KEPT = 1_000;

/** One push, and one more when the first failed without the remote holding our commit (a lost race). */
const PUSH_ATTEMPTS = 2;
const PUSH_RETRY_PAUSE_MS = 500;

export function createWorkspaceGit(deps: WorkspaceGitDeps): WorkspaceGit {
  const { git } = deps;
  const objects = createGitObjects(git, deps.catFiles);
  /** The files changed between two commits of a recorded worktree, by git dir and ids. */
  const changedFilesSeen = new Map<string, readonly string[]>();

  const rememberFiles = (key: string, files: readonly string[]): void => {
    if (changedFilesSeen.size >= MAX_DIFFS_KEPT) changedFilesSeen.clear();
    changedFilesSeen.set(key, [...files]);
  };

  /**
   * What a diff of two commits is remembered by: their trees, read through the long-lived reader (no
   * process), so a commit made again of the same files (git_apply's of codegen's change) is known.
   * By commit ids without a reader; nothing for a directory autodev did not prepare.
   */
  const diffKey = async (place: GitPlace, from: string, to: string): Promise<string | undefined> => {
    if (place.worktree === undefined) return undefined;
    if (deps.catFiles === undefined) return `${place.worktree.gitDir}\0${from}\0${to}`;
    const [fromTree, toTree] = await Promise.all([
      objects.info(place, from, ''),
      objects.info(place, to, ''),
    ]);
    if (fromTree?.type !== 'tree' || toTree?.type !== 'tree') return undefined;
    return `${place.worktree.gitDir}\0${fromTree.id}\0${toTree.id}`;
  };

  /** Where git runs for a workspace: its recorded git dir and work tree, or discovery for a foreign one. */
  const at = async (dir: string): Promise<GitPlace> => {
    const worktree = await deps.locate?.(dir);
    return worktree ? { worktree } : { cwd: dir };
  };

  /** Resolves a revision given by a caller to a commit id, so no caller value reaches git as an option. */
  const resolveCommit = async (dir: string, rev: string, place?: GitPlace): Promise<string> => {
    const [commit = ''] = await objects.resolveCommits(place ?? (await at(dir)), [rev]);
    return commit;
  };

  const head = (dir: string): Promise<string> => resolveCommit(dir, 'HEAD');

  const changedFiles = async (dir: string, base: string): Promise<string[]> => {
    const place = await at(dir);
    // Both ends as commit ids (one read of the long-lived reader): a diff of two commits never
    // changes, so the checks that each ask for it after a commit share one git process.
    const [from = '', to = ''] = await objects.resolveCommits(place, [base, 'HEAD']);
    const key = await diffKey(place, from, to);
    const known = key === undefined ? undefined : changedFilesSeen.get(key);
    if (known !== undefined) return [...known];
    const res = await git(['diff', '--name-only', '-z', ...DIFF_FLAGS, from, to, '--'], place);
    const files = splitZ(res.stdout);
    if (key !== undefined) rememberFiles(key, files);
    return [...files];
  };

  /**
   * Whether git's diff calls the blob binary: a NUL in its first 8000 bytes (git's own test). Read
   * through the long-lived reader; undefined when that cannot be done (no reader, a larger blob).
   */
  const isBinaryBlob = async (place: GitPlace, blob: ObjectInfo): Promise<boolean | undefined> => {
    if (blob.size > MAX_SNIFFED_BLOB_BYTES) return undefined;
    const bytes = await objects.pooledBytes(place, blob.id);
    return bytes === undefined ? undefined : bytes.subarray(0, GIT_BINARY_SNIFF_BYTES).includes(0);
  };

  /** Only refs of autodev's own, under refs/autodev/, are kept or read back. */
  const checkKeptRef = (ref: string): void => {
    if (!ref.startsWith('refs/autodev/') || !isValidRefName(ref)) {
      throw new AutodevError('VALIDATION_FAILED', `${JSON.stringify(ref)} is not a ref under refs/autodev/`);
    }
  };

  const checkBranch = (branch: string): void => {
    if (branch.startsWith('-') || !isValidRefName(`refs/heads/${branch}`)) {
      throw new AutodevError('VALIDATION_FAILED', `${JSON.stringify(branch)} is not a valid branch name`);
    }
  };

  const remoteBranchCommit = async (
    dir: string,
    remote: string,
    branch: string,
    options: { auth?: GitHttpAuth } = {},
  ): Promise<string | undefined> => {
    checkBranch(branch);
    const url = parseRepoRef(remote).cloneUrl;
    const res = await git(['ls-remote', '--refs', url, `refs/heads/${branch}`], {
      ...(await at(dir)),
      secretConfig: gitAuthConfig(url, options.auth),
      errorCode: 'REPO_UNREACHABLE',
    });
    const line = res.stdout.split('\n').find((l) => l.endsWith(`\trefs/heads/${branch}`));
    return line?.split('\t')[0];
  };

  /** Whether `remoteTip` (of `branch` on `url`) has `commit` in its history; fetches its objects when not here. */
  const remoteContains = async (
    dir: string,
    url: string,
    branch: string,
    remoteTip: string,
    commit: string,
    options: { auth?: GitHttpAuth },
  ): Promise<boolean> => {
    // 128: the remote's commit is not here to compare with.
    const where = await at(dir);
    const isAncestor = () =>
      git(['merge-base', '--is-ancestor', commit, remoteTip], { ...where, okExitCodes: [1, 128] });
    const first = await isAncestor();
    if (first.exitCode !== 128) return first.exitCode === 0;
    // Objects only: no ref, no FETCH_HEAD of the workspace changes.
    await git(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', url, `refs/heads/${branch}`], {
      ...where,
      secretConfig: gitAuthConfig(url, options.auth),
      errorCode: 'REPO_UNREACHABLE',
    });
    return (await isAncestor()).exitCode === 0;
  };

  const commitAll = async (
    dir: string,
    message: string,
    author: GitAuthor,
  ): Promise<{ commit: string; changed: boolean }> => {
    const place = await at(dir);
    // Tracked changes everywhere; new files everywhere but in the kept paths.
    await git(['add', '--update'], place);
    await git(['add', '--all', '--', '.', ...KEPT_EXCLUSIONS], place);
    const staged = await git(['diff', '--cached', '--quiet'], { ...place, okExitCodes: [1] });
    if (staged.exitCode === 0) return { commit: await resolveCommit(dir, 'HEAD', place), changed: false };
    await git(
      [
        '-c',
        `user.name=${author.name}`,
        '-c',
        `user.email=${author.email}`,
        'commit',
        '--quiet',
        '--no-verify',
        '--file=-',
      ],
      { ...place, input: message, ...(author.date ? { commitDate: author.date } : {}) },
    );
    return { commit: await resolveCommit(dir, 'HEAD', place), changed: true };
  };

  /**
   * The index with its own modification time: git trusts an entry's cached stat only when the file
   * is older than the index, and re-reads the ones written in the index's second ("racily clean").
   * A plain copy is newer than every file, so a same-size edit made in the second the worktree's
   * index was written looked unchanged and the model's fix was missing from the round (NO_EDIT_FOUND).
   */
  const copyIndex = async (from: string, to: string): Promise<void> => {
    await copyFile(from, to);
    const { atime, mtime } = await stat(from);
    await utimes(to, atime, mtime);
  };

  const snapshot = async (
    dir: string,
    input: { parent: string; message: string; author: GitAuthor; previous?: Snapshot },
  ): Promise<Snapshot> => {
    const place = await at(dir);
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'autodev-snapshot-'));
    const indexFile = path.join(scratch, 'index');
    try {
      // The worktree's own index as the start (autodev's file, out of the sandbox's reach): what is
      // tracked is known, and the files git saw unchanged are not read again. A workspace autodev did
      // not prepare starts from HEAD's tree instead (one git process more).
      const copied =
        place.worktree !== undefined &&
        (await copyIndex(path.join(place.worktree.gitDir, 'index'), indexFile).then(
          () => true,
          () => false,
        ));
      const staged = { ...place, indexFile };
      if (!copied) await git(['read-tree', 'HEAD'], staged);
      // What commitAll stages: tracked changes everywhere, new files everywhere but in the kept paths.
      await git(['add', '--update'], staged);
      await git(['add', '--all', '--', '.', ...KEPT_EXCLUSIONS], staged);
      const tree = (await git(['write-tree'], staged)).stdout.trim();
      if (input.previous?.tree === tree) return input.previous;
      const parent = await resolveCommit(dir, input.parent, place);
      const { author } = input;
      const res = await git(
        [
          '-c',
          `user.name=${author.name}`,
          '-c',
          `user.email=${author.email}`,
          'commit-tree',
          tree,
          '-p',
          parent,
          '-F',
          '-',
        ],
        { ...place, input: input.message, ...(author.date ? { commitDate: author.date } : {}) },
      );
      const commit = res.stdout.trim();
      objects.remember(place, commit);
      return { commit, tree };
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  };

  const resetTo = async (dir: string, commit: string): Promise<void> => {
    const place = await at(dir);
    const target = await resolveCommit(dir, commit, place);
    await git(['reset', '--hard', '--quiet', target, '--'], place);
    // Setup's installs and build output stay even where the repo does not ignore them (a package
    // published without .gitignore): without node_modules/ the tests that follow cannot run, and
    // without target/ every attempt rebuilds from scratch. What a commit added is removed by the
    // hard reset above, since it was tracked.
    await git(['clean', '-fd', '--quiet', ...KEPT_UNTRACKED.flatMap((p) => ['-e', p])], place);
  };

  return {
    head,

    resetTo,

    async applyUnifiedDiff(dir, diff) {
      const input = diff.endsWith('\n') ? diff : `${diff}\n`;
      let first: AutodevError | undefined;
      for (const flags of APPLY_ATTEMPTS) {
        try {
          await git(['apply', '--whitespace=nowarn', ...flags, '-'], { ...(await at(dir)), input });
          // --numstat only parses (applies nothing), so it names the touched files of the applied diff.
          const stat = await git(['apply', ...flags, '--numstat', '-z', '-'], { ...(await at(dir)), input });
          return [...new Set([...numstatFiles(stat.stdout), ...renamedFrom(input)])];
        } catch (error) {
          if (!isAutodevError(error, 'GIT_FAILED')) throw error;
          first ??= error;
        }
      }
      // A diff that does not apply may be one the files already hold: its reverse applies cleanly.
      for (const flags of APPLY_ATTEMPTS) {
        const reverse = await git(['apply', '--reverse', '--check', ...flags, '-'], {
          ...(await at(dir)),
          input,
        }).then(
          () => true,
          (error: unknown) => {
            if (!isAutodevError(error, 'GIT_FAILED')) throw error;
            return false;
          },
        );
        if (reverse) {
          throw new AutodevError('EDIT_ALREADY_APPLIED', 'the diff is already applied to the files');
        }
      }
      const reason = (first?.message ?? '').replace(/^git apply failed: /, '');
      throw new AutodevError('PATCH_FAILED', `the diff does not apply: ${reason}`, { cause: first });
    },

    commitAll,

    snapshot,

    async changeBetween(dir, base, commit) {
      const place = await at(dir);
      const [from = '', to = ''] = await objects.resolveCommits(place, [base, commit]);
      const res = await git(['diff', '--raw', '--patch', '-z', ...DIFF_FLAGS, from, to, '--'], place);
      const change = splitRawAndPatch(res.stdout);
      // The commit made of this change later (git_apply's, same tree) asks for its files again.
      const key = await diffKey(place, from, to);
      if (key !== undefined) rememberFiles(key, change.files);
      return change;
    },

    changedFiles,

    async changedBinaryFiles(dir, base) {
      const place = await at(dir);
      if (deps.catFiles === undefined || place.worktree === undefined) return undefined;
      const [from = '', to = ''] = await objects.resolveCommits(place, [base, 'HEAD']);
      const binary: { path: string; size: number }[] = [];
      // The changed files are known from the change's own diff (no process); each one's blobs on
      // either side are read through the long-lived reader, as `diff --numstat` judges both.
      for (const file of await changedFiles(dir, from)) {
        const [now, before] = await Promise.all([
          objects.info(place, to, file),
          objects.info(place, from, file),
        ]);
        // Deleted (or now a folder or a submodule's commit): no bytes of the change to scan.
        if (now?.type !== 'blob') continue;
        const sides = await Promise.all(
          [now, ...(before?.type === 'blob' ? [before] : [])].map((blob) => isBinaryBlob(place, blob)),
        );
        if (sides.includes(undefined)) return undefined;
        if (sides.includes(true)) binary.push({ path: file, size: now.size });
      }
      return binary;
    },

    async untrackedFiles(dir) {
      // No exclude rules: ignored files are listed too, and a .gitignore of the change cannot hide one.
      const res = await git(['ls-files', '--others', '-z'], await at(dir));
      return splitZ(res.stdout);
    },

    async diff(dir, base) {
      const place = await at(dir);
      const from = await resolveCommit(dir, base, place);
      return (await git(['diff', ...DIFF_FLAGS, from, 'HEAD', '--'], place)).stdout;
    },

    async push(dir, remote, branch, options = {}) {
      checkBranch(branch);
      const place = await at(dir);
      const local = await resolveCommit(dir, 'HEAD', place);
      const url = parseRepoRef(remote).cloneUrl;
      for (let attempt = 1; ; attempt += 1) {
        // A forced push only replaces what was just seen there, never a commit pushed meanwhile by
        // someone else, so it asks the remote first. An unforced one is sent straight away: git says
        // itself when the branch is already there ("=" in --porcelain), and a refusal (the branch is
        // elsewhere) is sorted out below, as a lost race is.
        let lease: string[] = [];
        if (options.force) {
          const remoteCommit = await remoteBranchCommit(dir, remote, branch, options);
          if (remoteCommit === local) return { pushed: false, remoteCommit: local };
          lease = [`--force-with-lease=refs/heads/${branch}:${remoteCommit ?? ''}`];
        }
        try {
          const res = await git(
            ['push', '--porcelain', '--no-verify', ...lease, url, `${local}:refs/heads/${branch}`],
            {
              ...place,
              secretConfig: gitAuthConfig(url, options.auth),
              ...(options.signal ? { signal: options.signal } : {}),
            },
          );
          return { pushed: !/^=\t/m.test(res.stdout), remoteCommit: local };
        } catch (error) {
          // Cancelled: the push's whole process tree is gone, and nothing else is tried.
          if (options.signal?.aborted || !isAutodevError(error, 'GIT_FAILED')) throw error;
          // The push may have lost a race to another push of this very commit: the orphaned `git push`
          // of a server killed mid-push, still running when the resumed task pushes. What counts is
          // the remote, so it is asked again: already at (or, unforced, already past) our commit is done.
          const now = await remoteBranchCommit(dir, remote, branch, options);
          if (now === local) return { pushed: false, remoteCommit: local };
          if (
            !options.force &&
            now !== undefined &&
            (await remoteContains(dir, url, branch, now, local, options))
          ) {
            return { pushed: false, remoteCommit: now };
          }
          // Once more, after a pause: the racing push may still hold the ref's lock, about to land (or
          // to fail). Never for a forced push, whose new lease would cover a commit pushed meanwhile.
          if (options.force || attempt >= PUSH_ATTEMPTS) throw error;
          await sleep(PUSH_RETRY_PAUSE_MS);
        }
      }
    },

    remoteBranchCommit,

    async fetchBranch(dir, remote, branch, options = {}) {
      const tip = await remoteBranchCommit(dir, remote, branch, options);
      if (tip === undefined) return undefined;
      const place = await at(dir);
      // Already here (most often: the base did not move since the task began): nothing to fetch.
      const here = await resolveCommit(dir, tip, place).catch((error: unknown) => {
        if (!isAutodevError(error, 'GIT_FAILED')) throw error;
        return undefined;
      });
      if (here !== undefined) return here;
      const url = parseRepoRef(remote).cloneUrl;
      // Objects only, as remoteContains: the workspace's refs stay autodev's own records.
      await git(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', url, `refs/heads/${branch}`], {
        ...place,
        secretConfig: gitAuthConfig(url, options.auth),
        errorCode: 'REPO_UNREACHABLE',
      });
      return resolveCommit(dir, tip, place);
    },

    async revertCommits(dir, { commit, since, message, author }) {
      const where = await at(dir);
      const target = await resolveCommit(dir, commit);
      const parents = (await git(['rev-list', '--parents', '-n', '1', target], where)).stdout
        .trim()
        .split(' ');
      // A merge commit is undone against its first parent (the base); a fast-forwarded change is the
      // range of its commits since the base it started from.
      const what =
        parents.length > 2
          ? ['-m', '1', target]
          : since !== undefined
            ? [`${await resolveCommit(dir, since)}..${target}`]
            : [target];
      const res = await git(['revert', '--no-commit', '--no-edit', ...what], { ...where, okExitCodes: [1] });
      if (res.exitCode !== 0) {
        const unmerged = await git(['diff', '--name-only', '-z', '--diff-filter=U'], where);
        await git(['revert', '--abort'], { ...where, okExitCodes: [128] });
        return { conflicts: [...new Set(splitZ(unmerged.stdout))] };
      }
      const done = await commitAll(dir, message, author);
      return { commit: done.commit };
    },

    async replayOnto(dir, { head: source, onto, message, author }) {
      const where = await at(dir);
      const ours = await resolveCommit(dir, onto);
      const theirs = await resolveCommit(dir, source);
      // merge-tree's merge base is the commit both descend from (the task's base), so the merged tree
      // is the task's change on top of `onto`: a rebase of it, squashed. 1: conflicts, listed by name.
      const res = await git(
        ['merge-tree', '--write-tree', '--name-only', '--no-messages', '-z', ours, theirs],
        { ...where, okExitCodes: [1] },
      );
      const [tree = '', ...files] = splitZ(res.stdout);
      if (res.exitCode === 1) return { conflicts: [...new Set(files)] };
      const commit = await git(
        [
          '-c',
          `user.name=${author.name}`,
          '-c',
          `user.email=${author.email}`,
          'commit-tree',
          tree,
          '-p',
          ours,
          '-F',
          '-',
        ],
        { ...where, input: message, ...(author.date ? { commitDate: author.date } : {}) },
      );
      return { commit: commit.stdout.trim() };
    },

    async fileAt(dir, rev, file, options = {}) {
      const place = await at(dir);
      const commit = await resolveCommit(dir, rev, place);
      if (options.maxBytes === undefined) return objects.readBlob(place, commit, file);
      // Bounded: the size is asked first, so a larger file is refused before any of it is read.
      const info = await objects.info(place, commit, file);
      if (info?.type !== 'blob') return undefined;
      if (!(info.size <= options.maxBytes)) {
        throw new AutodevError(
          'CHANGE_TOO_LARGE',
          `${file} at ${rev} is ${info.size} bytes; at most ${options.maxBytes} are read`,
        );
      }
      return objects.blob(place, info.id);
    },

    async keepCommit(dir, refs, commit) {
      const names = typeof refs === 'string' ? [refs] : [...refs];
      names.forEach(checkKeptRef);
      if (names.length === 0) return;
      const place = await at(dir);
      const target = await resolveCommit(dir, commit, place);
      if (place.worktree !== undefined) await deps.recordKept?.(dir, names);
      // Several refs in one transaction (one git process): all are written, or none.
      await git(['update-ref', '--stdin'], {
        ...place,
        input: names.map((ref) => `update ${ref} ${target}\n`).join(''),
      });
    },

    async keptCommit(dir, ref) {
      checkKeptRef(ref);
      // The name is checked above (refs/autodev/..., never an option); exit 1: no such ref.
      const res = await git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], {
        ...(await at(dir)),
        okExitCodes: [1],
      });
      return res.exitCode === 0 ? res.stdout.trim() : undefined;
    },

    async commitTreeOf(dir, source, parent, message, author) {
      const place = await at(dir);
      // Both in one git process (none when both were seen before).
      const [tree = '', from = ''] = await objects.resolveCommits(place, [source, parent]);
      const res = await git(
        [
          '-c',
          `user.name=${author.name}`,
          '-c',
          `user.email=${author.email}`,
          'commit-tree',
          `${tree}^{tree}`,
          '-p',
          from,
          '-F',
          '-',
        ],
        { ...place, input: message, ...(author.date ? { commitDate: author.date } : {}) },
      );
      const commit = res.stdout.trim();
      objects.remember(place, commit);
      return commit;
    },

    async exportTree(dir, rev, dest) {
      const place = await at(dir);
      const commit = await resolveCommit(dir, rev, place);
      // git writes the archive itself (-o): a tar is binary, which git's captured stdout is not for.
      const archive = path.join(dest, '.autodev-tree.tar');
      await git(['archive', '--format=tar', '-o', archive, commit], place);
      try {
        const untar = await spawnCapped({
          argv: ['tar', '-x', '--no-same-owner', '--no-same-permissions', '-f', archive, '-C', dest],
          cwd: dest,
          env: { PATH: '/usr/bin:/bin', LC_ALL: 'C' },
          timeoutMs: 300_000,
          maxOutputBytes: 64 * 1024,
        });
        if (untar.exitCode !== 0) {
          throw new AutodevError(
            'GIT_FAILED',
            `could not unpack ${commit} into ${dest}: ${untar.stderr.trim()}`,
          );
        }
      } finally {
        await rm(archive, { force: true });
      }
    },
  };
}
