import type { GitHttpAuth } from './token-transport.js';
/** A task's private checkout: its own worktree on its own branch, created from a shared bare mirror. */
export interface Workspace {
  taskId: string;
  /** Absolute path of the worktree. */
  dir: string;
  /** The repo as the user gave it (path, file:// or remote URL). */
  repo: string;
  branch: string;
  baseBranch: string;
  /** Commit of base_branch the branch was created from. */
  baseCommit: string;
}

export interface PrepareWorkspaceInput {
  taskId: string;
  repo: string;
  baseBranch: string;
  branch: string;
  signal?: AbortSignal;
}

export interface GitAuthor {
  name: string;
  email: string;
  /**
   * Fixed author and committer date (ISO 8601). With it, the same change on the same parent is the same
   * commit id, so a step re-run after a crash does not make a branch that diverges from what was pushed.
   */
  date?: string;
}

export interface WorkspaceManager {
  /**
   * Fetches the repo's mirror (creating it on first use) and gives the task its worktree on `branch`,
   * starting at base_branch. Idempotent: a second call for the same task returns the existing worktree
   * as it is. Errors: REPO_UNREACHABLE (with git's reason), GIT_FAILED.
   */
  prepare(input: PrepareWorkspaceInput): Promise<Workspace>;
  /** The worktree of a task prepared earlier (after a restart), or undefined. */
  find(taskId: string): Promise<Workspace | undefined>;
  /** Keeps a failed task's worktree for debugging until sweep finds it older than keep_failed_workspaces_hours. */
  markFailed(taskId: string): Promise<void>;
  /**
   * Ends a task's workspace: its branch goes from the mirror, and the worktree, cleaned of everything
   * untracked and ignored, becomes the repo's spare, which the next prepare of that repo moves into
   * place and checks out in O(changed files) instead of O(files). Removes it when a spare exists.
   */
  release(taskId: string): Promise<void>;
  /** Removes the task's worktree and its branch from the mirror. Idempotent. */
  remove(taskId: string): Promise<void>;
  /** Removes worktrees no live task owns, and failed ones kept past their time. Called at start-up. */
  sweep(liveTaskIds: ReadonlySet<string>): Promise<{ removed: string[] }>;
  /**
   * The sweep in two halves, so the scheduler can start between them: resolves once the leftovers
   * are listed (tasks created after that are never among them); `done` settles when they are removed
   * and the mirrors no live task holds are pruned (a held mirror waits for the next start).
   */
  startSweep(liveTaskIds: ReadonlySet<string>): Promise<{ done: Promise<{ removed: string[] }> }>;
}

/** A commit of the worktree's files (WorkspaceGit.snapshot) and its tree. */
export interface Snapshot {
  commit: string;
  tree: string;
}

/** Git operations on a worktree; every call takes argv internally, never a shell string. */
export interface WorkspaceGit {
  head(dir: string): Promise<string>;
  /** Resets the worktree to `commit`, dropping uncommitted and untracked (not ignored) files. */
  resetTo(dir: string, commit: string): Promise<void>;
  /** Applies a unified diff; PATCH_FAILED with git's reason when it does not apply. Returns the files touched. */
  applyUnifiedDiff(dir: string, diff: string): Promise<string[]>;
  /** Stages everything and commits; returns the new commit, or the current HEAD when nothing changed. */
  commitAll(dir: string, message: string, author: GitAuthor): Promise<{ commit: string; changed: boolean }>;
  /**
   * The worktree's files as commitAll would commit them, as a commit on `parent`, staged in an index
   * of autodev's own: neither HEAD, the worktree's index nor its files move. When the files' tree is
   * `previous`'s, `previous` is returned and nothing is written (a turn that changed no file).
   */
  snapshot(
    dir: string,
    input: { parent: string; message: string; author: GitAuthor; previous?: Snapshot },
  ): Promise<Snapshot>;
  /** Files changed between `base` and `commit`, and the unified diff of them, in one git process. */
  changeBetween(dir: string, base: string, commit: string): Promise<{ files: string[]; patch: string }>;
  /** Files changed between `base` and HEAD. */
  changedFiles(dir: string, base: string): Promise<string[]>;
  /**
   * The files `base..HEAD` added or changed that git's diff calls binary on either side (a NUL in
   * the first 8000 bytes), with their size at HEAD: what `git diff --numstat` run on the git dir alone
   * (no work tree, so no .gitattributes) shows as `-\t-`, answered without a git process. Undefined
   * when it cannot be (no long-lived object reader, a directory autodev did not prepare, a blob over
   * 4 MiB): the caller asks git.
   */
  changedBinaryFiles(dir: string, base: string): Promise<{ path: string; size: number }[] | undefined>;
  /** Every file of the worktree git does not track, ignored ones included (node_modules/, target/, .venv/). */
  untrackedFiles(dir: string): Promise<string[]>;
  /** Unified diff between `base` and HEAD. */
  diff(dir: string, base: string): Promise<string>;
  /**
   * Content of `file` (repo-relative) as committed at `rev`, read from git's objects, never from the
   * worktree; undefined when the commit has no such file. With `maxBytes`, a larger file is refused
   * (CHANGE_TOO_LARGE) before any of it is read.
   */
  fileAt(
    dir: string,
    rev: string,
    file: string,
    options?: { maxBytes?: number },
  ): Promise<string | undefined>;
  /**
   * Pushes HEAD to `branch` on `remote` (the repo URL or path). Idempotent: when the remote branch is
   * already at HEAD nothing is sent, and a push that fails is a success when the remote turns out to
   * be at HEAD (or, unforced, past it) anyway, as when an earlier push of the same commit won a race.
   * `auth` is given to git through an auth header, never in a URL. `signal` stops the push, with
   * every process it started (a local remote's receive-pack and hooks), and fails it TASK_CANCELLED.
   */
  push(
    dir: string,
    remote: string,
    branch: string,
    options?: { auth?: GitHttpAuth; force?: boolean; signal?: AbortSignal },
  ): Promise<{ pushed: boolean; remoteCommit: string }>;
  /** Commit of `branch` on `remote`, or undefined when it does not exist. */
  remoteBranchCommit(
    dir: string,
    remote: string,
    branch: string,
    options?: { auth?: GitHttpAuth },
  ): Promise<string | undefined>;
  /**
   * Fetches the objects of `branch` on `remote` (no ref, no FETCH_HEAD moves) and returns its commit,
   * or undefined when the branch does not exist. `auth` goes through a header, as for push.
   */
  fetchBranch(
    dir: string,
    remote: string,
    branch: string,
    options?: { auth?: GitHttpAuth },
  ): Promise<string | undefined>;
  /**
   * The change `head` carries (since its merge base with `onto`) replayed onto `onto` as one commit,
   * by a three-way merge as a rebase would: the new commit, or the files that conflict. Neither the
   * worktree nor any branch moves; the same inputs (author date included) give the same commit id.
   */
  replayOnto(
    dir: string,
    input: { head: string; onto: string; message: string; author: GitAuthor },
  ): Promise<{ commit: string } | { conflicts: string[] }>;
  /**
   * Commits the undoing of `commit` on HEAD: of a merge commit against its first parent, else of the
   * commits `since..commit` (or `commit` alone). The new commit, or the files that conflict (the
   * worktree is then left as it was).
   */
  revertCommits(
    dir: string,
    input: { commit: string; since?: string; message: string; author: GitAuthor },
  ): Promise<{ commit: string } | { conflicts: string[] }>;
  /**
   * Points `ref` (under refs/autodev/) at `commit` in the repository autodev keeps (the mirror, which
   * the sandbox cannot write), so that the commit, and the exact work in it, outlives worktree resets.
   * Several refs are written in one transaction (one git process): all of them, or none.
   */
  keepCommit(dir: string, ref: string | readonly string[], commit: string): Promise<void>;
  /** The commit a ref of autodev's (`keepCommit`) points at; undefined when there is no such ref. */
  keptCommit(dir: string, ref: string): Promise<string | undefined>;
  /**
   * A new commit with the tree of `source` on `parent`, with `message` and `author` (the same inputs,
   * date included, give the same commit id). Neither the worktree nor any branch moves.
   */
  commitTreeOf(
    dir: string,
    source: string,
    parent: string,
    message: string,
    author: GitAuthor,
  ): Promise<string>;
  /**
   * Writes the files of `rev` (as committed: no untracked or ignored file) into `dest`, an existing
   * empty folder outside the worktree; used to build the base side of a benchmark next to the head.
   */
  exportTree(dir: string, rev: string, dest: string): Promise<void>;
}
