import { owningTaskId } from '../multirepo/task-workspaces.js';
import { mkdir, readFile, readdir, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { AutodevConfig } from '../config/schema.js';
import { createRepoAllowlist } from '../governance/allowlist.js';
import { AutodevError } from '../errors.js';
import { createMirrorStore, type MirrorStore } from './mirror.js';
import { isValidRefName } from './ref-format.js';
import { parseRepoRef } from './repo-ref.js';
import type { CatFilePool } from './cat-file-pool.js';
import type { GitWorktree, RunGit } from './run-git.js';
import { isWithin } from './real-path.js';
import type { GitHttpAuth } from './token-transport.js';
import type { PrepareWorkspaceInput, Workspace, WorkspaceManager } from './types.js';
import { createWorkspaceRecords, type WorkspaceRecord } from './workspace-meta.js';

export interface WorktreeManager extends WorkspaceManager {
  /** Keeps the task's workspace for keep_failed_workspaces_hours from now (or `at`) instead of the next sweep. */
  markFailed(taskId: string, at?: Date): Promise<void>;
  /**
   * The git dir and work tree of a prepared workspace, found from autodev's records and the mirror's
   * worktree registry, never from the worktree's `.git` file (the sandbox can write the worktree).
   * Undefined for a directory outside data_dir; WORKSPACE_MISSING for one inside it that is not a
   * workspace autodev prepared.
   */
  locate(dir: string): Promise<GitWorktree | undefined>;
  /**
   * Records refs about to be written for the workspace at `dir` (WorkspaceGit.keepCommit), so that
   * its release deletes them without listing the mirror's refs. Nothing for a directory that is no
   * workspace of autodev's.
   */
  recordKept(dir: string, refs: readonly string[]): Promise<void>;
}

export interface WorktreeManagerDeps {
  git: RunGit;
  /** Long-lived object readers per mirror: a task's ref lookups start no git process of their own. */
  catFiles?: CatFilePool;
  /** Clock for the failed-workspace retention; Date.now by default. */
  now?: () => number;
  mirrors?: MirrorStore;
  /** The forge's git credentials, for fetching private repos (see MirrorStoreDeps.gitAuth). */
  gitAuth?: () => GitHttpAuth | undefined;
  /**
   * Called on a new worktree's folder while it is still empty, before the checkout: the sandbox gives
   * its user access there once (a default ACL every checked-out file inherits), instead of walking
   * every file before each task. A recycled worktree keeps what was granted.
   */
  onWorktreeCreated?: (dir: string) => Promise<void>;
}

const TASK_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Git's lock files in a worktree's git dir and in a mirror that a killed git can leave behind. */
const WORKTREE_LOCKS = ['index.lock', 'HEAD.lock', 'ORIG_HEAD.lock'];
const MIRROR_LOCKS = ['packed-refs.lock', 'config.lock', 'HEAD.lock', 'shallow.lock'];

function checkTaskId(taskId: string): void {
  if (!TASK_ID.test(taskId) || taskId.includes('..')) {
    throw new AutodevError('VALIDATION_FAILED', `task id ${JSON.stringify(taskId)} cannot name a workspace`);
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function toWorkspace(record: WorkspaceRecord): Workspace {
  const { taskId, dir, repo, branch, baseBranch, baseCommit } = record;
  return { taskId, dir, repo, branch, baseBranch, baseCommit };
}

/**
 * Workspaces are git worktrees of a shared bare mirror, at `<dataDir>/workspaces/<taskId>`, each on its
 * own branch in the mirror. The worktree's `origin` is the mirror's remote, i.e. the user's repo as the
 * task gave it (shared by all worktrees of that repo); pushes still name the URL explicitly.
 */
export function createWorkspaceManager(
  config: Pick<AutodevConfig, 'dataDir' | 'keep_failed_workspaces_hours'> &
    Partial<Pick<AutodevConfig, 'allowlist_repos'>>,
  deps: WorktreeManagerDeps,
): WorktreeManager {
  const { git } = deps;
  const now = deps.now ?? Date.now;
  const workspacesDir = join(config.dataDir, 'workspaces');
  const records = createWorkspaceRecords(join(config.dataDir, 'workspace-meta'));
  const mirrors =
    deps.mirrors ??
    createMirrorStore({
      git,
      root: join(config.dataDir, 'mirrors'),
      allowlist: createRepoAllowlist(config.allowlist_repos ?? ['**']),
      ...(deps.gitAuth ? { gitAuth: deps.gitAuth } : {}),
    });
  const dirOf = (taskId: string): string => resolve(workspacesDir, taskId);
  const sparesDir = join(config.dataDir, 'spares');
  /**
   * One spare worktree per mirror, kept from the last task that ended well, in that task's own
   * folder: `spares/<mirror>` is a file naming it (a move saved per task; the next task moves it into
   * its own folder). A folder there is a spare an earlier version moved in, taken as it is.
   */
  const spareMarkerOf = (mirrorDir: string): string => resolve(sparesDir, basename(mirrorDir, '.git'));

  /** The folder of the mirror's spare, as its marker names it; undefined when there is none. */
  const spareOf = async (mirrorDir: string): Promise<string | undefined> => {
    const marker = spareMarkerOf(mirrorDir);
    const info = await stat(marker).catch(() => undefined);
    if (info === undefined) return undefined;
    if (info.isDirectory()) return marker;
    const named = resolve((await readFile(marker, 'utf8').catch(() => '')).trim());
    // Autodev's own file, but a wrong one must move nothing outside workspaces/.
    if (dirname(named) !== resolve(workspacesDir) || !TASK_ID.test(basename(named))) return undefined;
    return named;
  };

  /** Names `dir` as the mirror's spare (written whole: a crash leaves the old marker or the new). */
  const markSpare = async (mirrorDir: string, dir: string): Promise<void> => {
    await mkdir(sparesDir, { recursive: true });
    const marker = spareMarkerOf(mirrorDir);
    await writeFile(`${marker}.tmp`, `${dir}\n`);
    await rename(`${marker}.tmp`, marker);
  };

  /** The folders of workspaces/ that are spares (the sweep leaves them: no task owns them). */
  const spareFolders = async (): Promise<Set<string>> => {
    const names = await readdir(sparesDir).catch(() => []);
    const folders = new Set<string>();
    for (const name of names.filter((n) => !n.endsWith('.tmp'))) {
      const dir = await spareOf(join(sparesDir, `${name}.git`));
      if (dir !== undefined) folders.add(dir);
    }
    return folders;
  };

  const checkBranch = (name: string, what: string): void => {
    if (name.startsWith('-') || !isValidRefName(`refs/heads/${name}`))
      throw new AutodevError(
        'VALIDATION_FAILED',
        `${what} ${JSON.stringify(name)} is not a valid branch name`,
      );
  };

  /**
   * The worktree's git dir, `<mirror>/worktrees/<name>`, found by the mirror's own back-pointer (its
   * `gitdir` file names the worktree's `.git`). The mirror lives in data_dir, where no sandbox reaches.
   */
  const worktreeOf = async (mirrorDir: string, dir: string): Promise<GitWorktree | undefined> => {
    const registry = join(mirrorDir, 'worktrees');
    const names = await readdir(registry).catch(() => []);
    const wanted = new Set([join(resolve(dir), '.git')]);
    const real = await realpath(dir).catch(() => undefined);
    if (real !== undefined) wanted.add(join(real, '.git'));
    for (const name of names) {
      const pointer = await readFile(join(registry, name, 'gitdir'), 'utf8').catch(() => undefined);
      if (pointer !== undefined && wanted.has(pointer.trim())) {
        return { gitDir: join(registry, name), workTree: resolve(dir) };
      }
    }
    return undefined;
  };

  /**
   * The commit `rev` names in the mirror, or undefined: through the mirror's long-lived reader when
   * there is one (a worktree's HEAD as `worktrees/<name>/HEAD`), else one rev-parse.
   */
  const commitOf = async (
    mirrorDir: string,
    rev: string,
    worktree?: GitWorktree,
  ): Promise<string | undefined> => {
    if (deps.catFiles !== undefined) {
      const spec = worktree === undefined ? rev : `worktrees/${basename(worktree.gitDir)}/${rev}`;
      const object = await deps.catFiles.info({ cwd: mirrorDir }, `${spec}^{commit}`);
      return object?.type === 'commit' ? object.id : undefined;
    }
    const res = await git(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`], {
      ...(worktree === undefined ? { cwd: mirrorDir } : { worktree }),
      okExitCodes: [1, 128],
    });
    const commit = res.stdout.trim();
    return res.exitCode === 0 && commit !== '' ? commit : undefined;
  };

  /**
   * A spare is a registered worktree of the mirror whose folder is there; its HEAD names the branch
   * its last task deleted (release), so HEAD is not asked for. A registration whose folder is gone
   * is pruned: the branch its HEAD names must not count as checked out when a task makes it again.
   */
  const isSpare = async (mirrorDir: string, dir: string): Promise<boolean> => {
    // A folder some task's record names is that task's workspace, whatever a marker says.
    if (dirname(dir) === resolve(workspacesDir) && (await records.read(basename(dir))) !== undefined) {
      return false;
    }
    const registered = (await worktreeOf(mirrorDir, dir)) !== undefined;
    if (registered && (await exists(dir))) return true;
    if (registered) await git(['worktree', 'prune'], { cwd: mirrorDir });
    return false;
  };

  const isWorktree = async (mirrorDir: string, dir: string): Promise<boolean> => {
    const worktree = await worktreeOf(mirrorDir, dir);
    if (worktree === undefined || !(await exists(dir))) return false;
    return (await commitOf(mirrorDir, 'HEAD', worktree)) !== undefined;
  };

  /** Git options for a worktree autodev made; refuses to fall back on the worktree's `.git` file. */
  const on = async (mirrorDir: string, dir: string): Promise<{ worktree: GitWorktree }> => {
    const worktree = await worktreeOf(mirrorDir, dir);
    if (worktree === undefined) {
      throw new AutodevError('WORKSPACE_MISSING', `${dir} is not a worktree of ${mirrorDir}`);
    }
    return { worktree };
  };

  /**
   * The refs kept for the task in the mirror (codegen's turns and changes, the rebase's commit): as
   * its record lists them (no git process), or, for a record that does not (written before they were
   * recorded, or none at all: a crash's leftovers), as the mirror lists them.
   */
  const taskRefs = async (mirrorDir: string, taskId: string, record?: WorkspaceRecord): Promise<string[]> => {
    if (record?.keptRefs !== undefined) {
      // Only names keepCommit could have written: each line below is a command to update-ref.
      return record.keptRefs.filter(
        (ref) => ref.startsWith('refs/autodev/') && isValidRefName(ref) && !ref.includes('\n'),
      );
    }
    const refs = await git(
      [
        'for-each-ref',
        '--format=%(refname)',
        `refs/autodev/changes/${taskId}/`,
        `refs/autodev/turns/${taskId}/`,
        `refs/autodev/rebased/${taskId}`,
      ],
      { cwd: mirrorDir },
    );
    return refs.stdout.split('\n').filter((r) => r !== '');
  };

  /** Deletes the task's kept refs, in one git process. */
  const dropTaskRefs = async (mirrorDir: string, taskId: string, record?: WorkspaceRecord): Promise<void> => {
    const refs = await taskRefs(mirrorDir, taskId, record);
    if (refs.length === 0) return;
    await git(['update-ref', '--stdin'], {
      cwd: mirrorDir,
      input: refs.map((ref) => `delete ${ref}\n`).join(''),
    });
  };

  /** Removes the worktree dir, its registration, its branch and kept refs; tolerant of any of them missing. */
  const discard = async (
    taskId: string,
    mirrorDir: string | undefined,
    branch: string | undefined,
    record?: WorkspaceRecord,
  ) => {
    const dir = dirOf(taskId);
    // The owner comes from autodev's record only: the worktree's `.git` file may have been rewritten.
    if (mirrorDir !== undefined && (await exists(mirrorDir))) {
      await mirrors.withLock(mirrorDir, async () => {
        await rm(dir, { recursive: true, force: true });
        await git(['worktree', 'prune'], { cwd: mirrorDir });
        if (branch !== undefined) {
          await git(['branch', '-D', '--', branch], { cwd: mirrorDir, okExitCodes: [1] });
        }
        await dropTaskRefs(mirrorDir, taskId, record);
      });
    }
    await rm(dir, { recursive: true, force: true });
  };

  /**
   * Whether a task without a record left anything behind (a crash between `worktree add` and the
   * record): its directory, its worktree registration, its branch or its kept change refs. One git
   * process, where discarding nothing took three and the mirror's lock.
   */
  const hasLeftovers = async (taskId: string, mirrorDir: string, branch: string): Promise<boolean> => {
    const dir = dirOf(taskId);
    if (!(await exists(mirrorDir))) return exists(dir);
    if ((await exists(dir)) || (await worktreeOf(mirrorDir, dir)) !== undefined) return true;
    if (deps.catFiles !== undefined) {
      // Through the mirror's reader, no process: the branch, or the first round's change ref (a
      // prepare that crashed before its record made no later one). A ref missed here does no harm:
      // `worktree add -B` resets the branch and a new round's ref replaces the old one.
      const found = await Promise.all(
        [`refs/heads/${branch}`, `refs/autodev/changes/${taskId}/1`].map((ref) =>
          deps.catFiles?.info({ cwd: mirrorDir }, ref),
        ),
      );
      return found.some((object) => object !== undefined);
    }
    const refs = await git(
      [
        'for-each-ref',
        '--count=1',
        '--format=%(refname)',
        `refs/heads/${branch}`,
        `refs/autodev/changes/${taskId}/`,
      ],
      { cwd: mirrorDir },
    );
    return refs.stdout.trim() !== '';
  };

  const find = async (taskId: string): Promise<WorkspaceRecord | undefined> => {
    const record = await records.read(taskId);
    if (record === undefined || !(await isWorktree(record.mirrorDir, record.dir))) return undefined;
    return record;
  };

  const remove = async (taskId: string): Promise<void> => {
    checkTaskId(taskId);
    const record = await records.read(taskId);
    await discard(taskId, record?.mirrorDir, record?.branch, record);
    await records.delete(taskId);
  };

  const release = async (taskId: string): Promise<void> => {
    checkTaskId(taskId);
    const record = await find(taskId);
    if (record === undefined) return remove(taskId);
    const marker = spareMarkerOf(record.mirrorDir);
    // A spare is already there (read without the lock: a wrong guess only costs a clean or a removal).
    if (await exists(marker)) return remove(taskId);
    // Build output, dependencies and stray files of this task must not reach the next one. Cleaned
    // before it is named the spare: from that moment the next task of the repo may take it and clean
    // it too, and two `git clean`s of one node_modules delete each other's files ("could not lstat
    // ...: No such file or directory"), which failed the next task with GIT_FAILED.
    // No reset: the next task's `checkout --force` writes every tracked file anew.
    const taskGit = await on(record.mirrorDir, record.dir);
    await git(['clean', '-ffdxq'], taskGit);
    const kept = await mirrors.withLock(record.mirrorDir, async () => {
      if (await exists(marker)) return false;
      // The branch and the change refs deleted together, in one transaction; a missing one is no
      // error. The worktree's HEAD is not detached first (one git process more: git refuses that and
      // the branch's deletion in one transaction): the spare's HEAD names a branch that no longer
      // exists, and the next task's `checkout --force -B` sets it, whatever it named.
      const deletions = [
        `refs/heads/${record.branch}`,
        ...(await taskRefs(record.mirrorDir, taskId, record)),
      ];
      await git(['update-ref', '--stdin'], {
        cwd: record.mirrorDir,
        input: deletions.map((ref) => `delete ${ref}\n`).join(''),
      });
      // It stays in its folder (no move: the next task moves it once, into its own). The record goes
      // first: a spare is a folder no record names, and a crash in between leaves a folder without
      // either, which the next start-up's sweep removes.
      await records.delete(taskId);
      await markSpare(record.mirrorDir, record.dir);
      return true;
    });
    if (!kept) return remove(taskId);
  };

  /** Deletes mirror branches no worktree has checked out: leftovers of crashes between add and remove. */
  const pruneMirror = async (mirrorDir: string): Promise<void> => {
    await mirrors.withLock(mirrorDir, async () => {
      await git(['worktree', 'prune'], { cwd: mirrorDir });
      // Each branch with the worktree that has it checked out (empty for none): one git process, and
      // one more for all the deletions, at every start-up for every mirror.
      const refs = await git(['for-each-ref', '--format=%(refname)%00%(worktreepath)', 'refs/heads/'], {
        cwd: mirrorDir,
      });
      const orphans = refs.stdout
        .split('\n')
        .map((line) => line.split('\0'))
        .filter(([ref = '', worktree = '']) => ref !== '' && worktree === '')
        .map(([ref = '']) => ref);
      if (orphans.length > 0) {
        const input = orphans.map((ref) => `delete ${ref}\n`).join('');
        await git(['update-ref', '--stdin'], { cwd: mirrorDir, input });
      }
    });
  };

  /**
   * At start-up no git of this process runs yet, and the last one's died with it (setpriv): a git it
   * killed mid-write (a reset, a checkout, a commit) left its lock behind, and every later git in that
   * worktree failed "index.lock: File exists" — a resumed task failed GIT_FAILED after a SIGKILL. The
   * locks of the live tasks' worktrees (a multi-repo task's consumers too) and their mirrors' go.
   */
  const removeStaleLocks = async (liveTaskIds: ReadonlySet<string>): Promise<void> => {
    for (const taskId of await records.taskIds()) {
      if (!TASK_ID.test(taskId) || !liveTaskIds.has(owningTaskId(taskId))) continue;
      const record = await records.read(taskId);
      if (record === undefined) continue;
      const worktree = await worktreeOf(record.mirrorDir, record.dir);
      const locks = [
        ...(worktree ? WORKTREE_LOCKS.map((name) => join(worktree.gitDir, name)) : []),
        ...MIRROR_LOCKS.map((name) => join(record.mirrorDir, name)),
      ];
      await Promise.all(locks.map((lock) => rm(lock, { force: true })));
    }
  };

  const startSweep = async (
    liveTaskIds: ReadonlySet<string>,
  ): Promise<{ done: Promise<{ removed: string[] }> }> => {
    await mirrors.sweepPartial();
    const keepMs = config.keep_failed_workspaces_hours * 3_600_000;
    const spares = await spareFolders();
    const dirs = (await readdir(workspacesDir).catch(() => [])).filter(
      (name) => !spares.has(resolve(workspacesDir, name)),
    );
    // Listed now, before the scheduler starts: a task it starts later is never taken for a leftover.
    const taskIds = [...new Set([...dirs, ...(await records.taskIds())])].filter(
      // A multi-repo task's consumer worktree (`<task>.repo-N`) lives as long as its task.
      (taskId) => !liveTaskIds.has(owningTaskId(taskId)) && TASK_ID.test(taskId),
    );
    const held = new Set<string>();
    for (const taskId of liveTaskIds) {
      if (!TASK_ID.test(taskId)) continue;
      const record = await records.read(taskId);
      if (record !== undefined) held.add(resolve(record.mirrorDir));
    }
    await removeStaleLocks(liveTaskIds);
    const mirrorDirs = await mirrors.list();
    const finish = async (): Promise<{ removed: string[] }> => {
      const removed: string[] = [];
      for (const taskId of taskIds) {
        const record = await records.read(taskId);
        if (record?.failedAt !== undefined && now() - record.failedAt < keepMs) continue;
        await remove(taskId);
        removed.push(taskId);
      }
      // A mirror a resumed task works in is left alone: its prune would only make that task wait.
      for (const mirrorDir of mirrorDirs) {
        if (!held.has(resolve(mirrorDir))) await pruneMirror(mirrorDir);
      }
      return { removed };
    };
    return { done: finish() };
  };

  return {
    async prepare(input: PrepareWorkspaceInput): Promise<Workspace> {
      const { taskId, repo, baseBranch, branch, signal } = input;
      checkTaskId(taskId);
      const ref = parseRepoRef(repo);
      checkBranch(branch, 'branch');
      checkBranch(baseBranch, 'base branch');

      const existing = await find(taskId);
      if (existing !== undefined) {
        if (parseRepoRef(existing.repo).normalized !== ref.normalized || existing.branch !== branch) {
          throw new AutodevError(
            'VALIDATION_FAILED',
            `task ${taskId} already has a workspace of ${existing.repo} on ${existing.branch}`,
          );
        }
        return toWorkspace(existing);
      }
      // Leftovers of a prepare that crashed before recording its workspace.
      const stale = await records.read(taskId);
      const staleMirror = stale?.mirrorDir ?? mirrors.pathFor(ref);
      // The task's own folder may be the repo's spare (released, now prepared again: a review round):
      // no leftover, it is taken as the spare below.
      const ownSpare = stale === undefined && (await spareOf(staleMirror)) === dirOf(taskId);
      if (stale !== undefined || (!ownSpare && (await hasLeftovers(taskId, staleMirror, branch)))) {
        await discard(taskId, staleMirror, stale?.branch ?? branch);
        await records.delete(taskId);
      }

      const dir = dirOf(taskId);
      const { mirrorDir, baseCommit, recycled, checkedOut } = await mirrors.syncThen(
        ref,
        async (mirrorDir, { created }) => {
          const baseCommit = await commitOf(mirrorDir, `refs/remotes/origin/${baseBranch}`);
          if (baseCommit === undefined) {
            throw new AutodevError(
              'GIT_FAILED',
              `base branch ${baseBranch} does not exist in ${ref.normalized}`,
            );
          }
          // A spare worktree of this repo is moved into place: its files are already there, so only the
          // files that differ from the base commit are written below.
          const spare = await spareOf(mirrorDir);
          const marker = spareMarkerOf(mirrorDir);
          if (spare !== undefined && (await isSpare(mirrorDir, spare))) {
            await mkdir(workspacesDir, { recursive: true });
            if (spare !== dir) await git(['worktree', 'move', spare, dir], { cwd: mirrorDir, signal });
            await rm(marker, { force: true });
            return { mirrorDir, baseCommit, recycled: true, checkedOut: false };
          }
          // A marker naming no usable spare goes; a spare folder an earlier version moved into
          // spares/ goes with it. A folder in workspaces/ is left to the sweep (a record may name it).
          await rm(marker, { recursive: spare === marker, force: true });
          if (created) {
            // The repository's first worktree, in the call that made its mirror: the lock was held
            // for the whole first fetch already, and the checkout under it, in the same git process
            // as the registration, adds less (one process saved for a repository's first task). The
            // folder is made first, so the sandbox's access is set before git writes any file in it.
            await mkdir(dir, { recursive: true });
            await deps.onWorktreeCreated?.(dir);
            await git(['worktree', 'add', '--quiet', '-B', branch, dir, baseCommit], {
              cwd: mirrorDir,
              signal,
            });
            return { mirrorDir, baseCommit, recycled: false, checkedOut: true };
          }
          // Only the registration happens under the mirror's lock; the checkout (O(files)) runs after it,
          // so tasks of one repo do not wait for each other's checkouts.
          await git(['worktree', 'add', '--quiet', '--no-checkout', '-B', branch, dir, baseCommit], {
            cwd: mirrorDir,
            signal,
          });
          return { mirrorDir, baseCommit, recycled: false, checkedOut: false };
        },
        signal,
      );
      const worktreeGit = await on(mirrorDir, dir);
      // A spare's `.git` file was visible to the last task's sandbox: it is written anew from the mirror's
      // record, so git inside the sandbox (and any tool that reads it) finds the right repository.
      await writeFile(join(dir, '.git'), `gitdir: ${worktreeGit.worktree.gitDir}\n`);
      if (recycled) {
        // The spare was cleaned (-ffdx) in its own task's folder before it became the spare, and
        // nothing writes to a spare; the checkout writes every tracked file anew.
        await git(['checkout', '--quiet', '--force', '-B', branch, baseCommit], { ...worktreeGit, signal });
      } else if (!checkedOut) {
        await deps.onWorktreeCreated?.(dir);
        await git(['reset', '--hard', '--quiet', 'HEAD'], { ...worktreeGit, signal });
      }

      const record: WorkspaceRecord = {
        taskId,
        dir,
        repo,
        branch,
        baseBranch,
        baseCommit,
        mirrorDir,
        createdAt: now(),
        keptRefs: [],
      };
      await records.write(record);
      return toWorkspace(record);
    },

    async find(taskId) {
      checkTaskId(taskId);
      const record = await find(taskId);
      return record === undefined ? undefined : toWorkspace(record);
    },

    remove,

    release,

    async locate(dir) {
      const abs = resolve(dir);
      if (!isWithin(abs, resolve(config.dataDir))) return undefined;
      const taskId = basename(abs);
      const record = dirname(abs) === resolve(workspacesDir) ? await records.read(taskId) : undefined;
      if (record === undefined || record.dir !== abs) {
        throw new AutodevError('WORKSPACE_MISSING', `${dir} is not a workspace autodev prepared`);
      }
      return (await on(record.mirrorDir, abs)).worktree;
    },

    async recordKept(dir, refs) {
      const abs = resolve(dir);
      if (dirname(abs) !== resolve(workspacesDir) || !TASK_ID.test(basename(abs))) return;
      const record = await records.read(basename(abs));
      if (record === undefined || record.dir !== abs || record.keptRefs === undefined) return;
      const added = refs.filter((ref) => !record.keptRefs?.includes(ref));
      if (added.length > 0) await records.write({ ...record, keptRefs: [...record.keptRefs, ...added] });
    },

    async markFailed(taskId, at) {
      checkTaskId(taskId);
      const record = await records.read(taskId);
      if (record !== undefined) await records.write({ ...record, failedAt: at?.getTime() ?? now() });
    },

    async sweep(liveTaskIds) {
      return (await startSweep(liveTaskIds)).done;
    },

    startSweep,
  };
}
