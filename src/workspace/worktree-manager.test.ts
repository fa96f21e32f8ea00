import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failure } from '../../test/helpers/failure.js';
import { createFixtureRepo, type FixtureRepo } from '../../test/fixtures/repo.js';
import { createMirrorStore } from './mirror.js';
import { parseRepoRef } from './repo-ref.js';
import { createCatFilePool, type CatFilePool } from './cat-file-pool.js';
import { createGitRunner, createGitStarter } from './run-git.js';
import { createWorkspaceGit } from './workspace-git.js';
import { createWorkspaceManager } from './worktree-manager.js';

const git = createGitRunner({ env: process.env });

// Each case with one-shot git reads and with the server's long-lived reader (a different code path for
// the base, the worktree checks and leftover detection).
describe.each([
  ['one-shot git reads', false],
  ['the long-lived object reader', true],
])('createWorkspaceManager, %s', (_label, pooled) => {
  let fixture: FixtureRepo;
  let dataDir: string;
  let clock: number;
  let catFiles: CatFilePool | undefined;
  const manager = () =>
    createWorkspaceManager(
      { dataDir, keep_failed_workspaces_hours: 24 },
      { git, now: () => clock, ...(catFiles ? { catFiles } : {}) },
    );
  const input = (taskId: string, branch = `autodev/${taskId}`) => ({
    taskId,
    repo: fixture.origin,
    baseBranch: 'main',
    branch,
  });
  const mirrorDir = () =>
    createMirrorStore({ git, root: join(dataDir, 'mirrors') }).pathFor(parseRepoRef(fixture.origin));
  const mirrorBranches = async () =>
    (await git(['for-each-ref', '--format=%(refname:short)', 'refs/heads/'], { cwd: mirrorDir() })).stdout
      .split('\n')
      .filter(Boolean);

  beforeEach(async () => {
    clock = Date.parse('2025-01-01T00:00:00Z');
    fixture = await createFixtureRepo({ files: { 'README.md': '# demo\n', 'src/main.ts': 'export {};\n' } });
    dataDir = await mkdtemp(join(tmpdir(), 'autodev-data-'));
    catFiles = pooled ? createCatFilePool(createGitStarter({ env: process.env })) : undefined;
  });
  afterEach(async () => {
    catFiles?.closeAll();
    await fixture.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('gives a task a checked-out worktree on its branch, from the base branch, with origin = the repo', async () => {
    const ws = await manager().prepare(input('t1'));
    expect(ws).toMatchObject({
      taskId: 't1',
      repo: fixture.origin,
      branch: 'autodev/t1',
      baseBranch: 'main',
    });
    expect(ws.baseCommit).toBe(await fixture.branchCommit('main'));
    expect(await readFile(join(ws.dir, 'src/main.ts'), 'utf8')).toBe('export {};\n');
    const head = await git(['symbolic-ref', 'HEAD'], { cwd: ws.dir });
    expect(head.stdout.trim()).toBe('refs/heads/autodev/t1');
    const status = await git(['status', '--porcelain'], { cwd: ws.dir });
    expect(status.stdout).toBe('');
    const origin = await git(['remote', 'get-url', 'origin'], { cwd: ws.dir });
    expect(origin.stdout.trim()).toBe(fixture.origin);
  });

  it('is idempotent: a second prepare returns the same worktree, untouched', async () => {
    const first = await manager().prepare(input('t1'));
    await writeFile(join(first.dir, 'README.md'), 'edited by the agent\n');
    await fixture.commit('main', { 'new.txt': 'upstream moved on\n' });
    const second = await manager().prepare(input('t1'));
    expect(second).toEqual(first);
    expect(await readFile(join(second.dir, 'README.md'), 'utf8')).toBe('edited by the agent\n');
    expect(existsSync(join(second.dir, 'new.txt'))).toBe(false);
  });

  it('refuses to reuse a task id for another repo or branch', async () => {
    await manager().prepare(input('t1'));
    expect((await failure(manager().prepare(input('t1', 'autodev/other')))).code).toBe('VALIDATION_FAILED');
  });

  it('fetches the mirror for each new task, so a later task starts from the new base', async () => {
    const m = manager();
    const a = await m.prepare(input('a'));
    const moved = await fixture.commit('main', { 'new.txt': 'x\n' });
    const b = await m.prepare(input('b'));
    expect(b.baseCommit).toBe(moved);
    expect(a.baseCommit).not.toBe(moved);
    expect(existsSync(join(b.dir, 'new.txt'))).toBe(true);
    expect(await readdir(join(dataDir, 'mirrors'))).toHaveLength(1);
  });

  it('prepares concurrent tasks of one repo without corrupting the shared mirror', async () => {
    const m = manager();
    const other = manager(); // a second instance, as a second worker process would have
    const all = await Promise.all(
      ['c1', 'c2', 'c3', 'c4'].map((id, i) => (i % 2 === 0 ? m : other).prepare(input(id))),
    );
    expect(new Set(all.map((w) => w.dir)).size).toBe(4);
    const fsck = await git(['fsck', '--no-progress'], { cwd: mirrorDir() });
    expect(fsck.exitCode).toBe(0);
    expect((await mirrorBranches()).sort()).toEqual(['autodev/c1', 'autodev/c2', 'autodev/c3', 'autodev/c4']);
  });

  it('is not blocked by a lock file left by a process that died', async () => {
    await manager().prepare(input('t1'));
    // pid 2^22+1 is above Linux's pid_max, so no process has it
    await writeFile(`${mirrorDir()}.lock`, `4194305\n${hostname()}\nsome-token\n`);
    const ws = await manager().prepare(input('t2'));
    expect(existsSync(ws.dir)).toBe(true);
  });

  it('reports an unreachable repo as REPO_UNREACHABLE with git reason', async () => {
    const error = await failure(manager().prepare({ ...input('t1'), repo: join(dataDir, 'nope.git') }));
    expect(error.code).toBe('REPO_UNREACHABLE');
    expect(error.message).toMatch(/does not appear to be a git repository|not found/i);
    expect(await readdir(join(dataDir, 'mirrors'))).toEqual([]);
  });

  it('fails with GIT_FAILED when the base branch does not exist', async () => {
    const error = await failure(manager().prepare({ ...input('t1'), baseBranch: 'develop' }));
    expect(error.code).toBe('GIT_FAILED');
    expect(error.message).toContain('develop');
  });

  it.each([
    ['../escape', 'autodev/x'],
    ['t1', '-evil'],
    ['t1', 'bad..name'],
    ['t1', 'has space'],
  ])('refuses task id %j / branch %j', async (taskId, branch) => {
    expect((await failure(manager().prepare({ ...input('t1'), taskId, branch }))).code).toBe(
      'VALIDATION_FAILED',
    );
  });

  it('refuses a repo reference it does not accept', async () => {
    const error = await failure(manager().prepare({ ...input('t1'), repo: 'ext::sh -c id' }));
    expect(error.code).toBe('REPO_REFUSED');
  });

  it('finds a prepared workspace from a new instance (restart) and nothing for unknown tasks', async () => {
    const ws = await manager().prepare(input('t1'));
    expect(await manager().find('t1')).toEqual(ws);
    expect(await manager().find('unknown')).toBeUndefined();
  });

  it('removes the worktree and its mirror branch, idempotently', async () => {
    const m = manager();
    const ws = await m.prepare(input('t1'));
    await m.remove('t1');
    expect(existsSync(ws.dir)).toBe(false);
    expect(await m.find('t1')).toBeUndefined();
    expect(await mirrorBranches()).toEqual([]);
    await m.remove('t1');
    // the same task id and branch can be prepared again afterwards
    expect(existsSync((await m.prepare(input('t1'))).dir)).toBe(true);
  });

  it('recycles a released worktree for the next task of the repo: new base, no trace of the last task', async () => {
    const m = manager();
    const first = await m.prepare(input('t1'));
    await writeFile(join(first.dir, 'stray.txt'), 'left by t1\n');
    await mkdir(join(first.dir, 'node_modules'), { recursive: true });
    await writeFile(join(first.dir, '.gitignore'), 'node_modules/\n');
    await writeFile(join(first.dir, 'node_modules', 'dep.js'), 'x\n');
    await writeFile(join(first.dir, 'README.md'), '# edited by t1\n');
    await m.release('t1');
    // The folder stays, as the repo's spare: no task's workspace any more.
    expect(await m.find('t1')).toBeUndefined();
    expect(await mirrorBranches()).toEqual([]);

    const moved = await fixture.commit('main', { 'src/new.ts': 'export const n = 1;\n' });
    const second = await m.prepare(input('t2'));
    expect(second.baseCommit).toBe(moved);
    expect((await git(['rev-parse', 'HEAD'], { cwd: second.dir })).stdout.trim()).toBe(moved);
    expect((await git(['symbolic-ref', '--short', 'HEAD'], { cwd: second.dir })).stdout.trim()).toBe(
      'autodev/t2',
    );
    expect((await git(['status', '--porcelain', '--ignored'], { cwd: second.dir })).stdout).toBe('');
    expect(await readFile(join(second.dir, 'README.md'), 'utf8')).toBe('# demo\n');
    expect(existsSync(join(second.dir, 'src/new.ts'))).toBe(true);
    expect(existsSync(join(second.dir, 'stray.txt'))).toBe(false);
    expect(existsSync(join(second.dir, 'node_modules'))).toBe(false);
    expect(await mirrorBranches()).toEqual(['autodev/t2']);
    // Moved once, from the released task's folder into the new one's.
    expect(existsSync(first.dir)).toBe(false);
  });

  it('offers a released worktree as the spare only once it is clean: the next task never cleans it at the same time', async () => {
    // The shape of the corpus's minimist run: an installed node_modules (packages with nested lib/
    // folders) that the release's `git clean -ffdxq` takes a while to delete. The next task of the
    // repo was prepared while that clean ran; both cleans walked one tree and each failed to lstat
    // what the other had just deleted (GIT_FAILED). The clean is held here while the next task is
    // prepared, so the interleaving is that one, every run.
    let holdClean: (() => void) | undefined;
    let cleanStarted: (() => void) | undefined;
    const cleanRunning = new Promise<void>((resolve) => (cleanStarted = resolve));
    const held = new Promise<void>((resolve) => (holdClean = resolve));
    let holding = false;
    const gatedGit: typeof git = async (args, options) => {
      if (holding && args.includes('clean')) {
        holding = false;
        cleanStarted?.();
        await held;
      }
      return git(args, options);
    };
    const m = createWorkspaceManager({ dataDir, keep_failed_workspaces_hours: 24 }, { git: gatedGit });
    const first = await m.prepare(input('t1'));
    for (const pkg of ['minimist', 'tap', 'tape', 'covert']) {
      await mkdir(join(first.dir, 'node_modules', pkg, 'lib'), { recursive: true });
      await writeFile(join(first.dir, 'node_modules', pkg, 'package.json'), `{"name":"${pkg}"}\n`);
      await writeFile(join(first.dir, 'node_modules', pkg, 'lib', 'index.js'), 'module.exports = {};\n');
    }

    holding = true;
    const released = m.release('t1');
    await cleanRunning;
    const second = await m.prepare(input('t2'));
    holdClean?.();
    await released;

    expect((await git(['status', '--porcelain', '--ignored'], { cwd: second.dir })).stdout).toBe('');
    // The released worktree did become the spare, clean: the task after takes it with nothing of t1.
    expect(await readdir(join(dataDir, 'spares'))).toHaveLength(1);
    await m.remove('t2');
    const third = await m.prepare(input('t3'));
    expect(existsSync(join(third.dir, 'node_modules'))).toBe(false);
    expect((await git(['status', '--porcelain', '--ignored'], { cwd: third.dir })).stdout).toBe('');
    expect(await readdir(join(dataDir, 'spares'))).toHaveLength(0);
  });

  it('releases a worktree in two git processes (writes), in place, and the spare keeps no branch: its HEAD names the deleted one', async () => {
    let started: string[] = [];
    const counting: typeof git = (args, options) => {
      started.push(args.find((a) => !a.startsWith('-')) ?? '');
      return git(args, options);
    };
    const m = createWorkspaceManager(
      { dataDir, keep_failed_workspaces_hours: 24 },
      { git: counting, ...(catFiles ? { catFiles } : {}) },
    );
    await m.prepare(input('t1'));
    started = [];
    await m.release('t1');
    // The untracked files cleaned, the branch and the kept refs (as recorded: none) deleted (and,
    // without the long-lived reader, one read of the worktree's HEAD); no move.
    expect(started).toEqual([...(pooled ? [] : ['rev-parse']), 'clean', 'update-ref']);
    expect(await mirrorBranches()).toEqual([]);
    const [spare = ''] = await readdir(join(dataDir, 'spares'));
    const gitDirs = await readdir(join(mirrorDir(), 'worktrees'));
    const heads = await Promise.all(
      gitDirs.map((name) => readFile(join(mirrorDir(), 'worktrees', name, 'HEAD'), 'utf8')),
    );
    expect(heads).toEqual(['ref: refs/heads/autodev/t1\n']);
    // The next task takes it all the same, on its own branch.
    const second = await m.prepare(input('t2'));
    expect(existsSync(join(dataDir, 'spares', spare))).toBe(false);
    expect((await git(['symbolic-ref', '--short', 'HEAD'], { cwd: second.dir })).stdout.trim()).toBe(
      'autodev/t2',
    );
    expect((await git(['status', '--porcelain', '--ignored'], { cwd: second.dir })).stdout).toBe('');
  });

  it("deletes every ref kept for the task at its release, as its record lists them, and a record's without the list", async () => {
    let started: string[] = [];
    const counting: typeof git = (args, options) => {
      started.push(args.find((a) => !a.startsWith('-')) ?? '');
      return git(args, options);
    };
    const m = createWorkspaceManager(
      { dataDir, keep_failed_workspaces_hours: 24 },
      { git: counting, ...(catFiles ? { catFiles } : {}) },
    );
    const wg = createWorkspaceGit({
      git: counting,
      locate: (dir) => m.locate(dir),
      recordKept: (dir, refs) => m.recordKept(dir, refs),
    });
    const autodevRefs = async () =>
      (await git(['for-each-ref', '--format=%(refname)', 'refs/autodev/'], { cwd: mirrorDir() })).stdout
        .split('\n')
        .filter(Boolean)
        .sort();
    const keep = async (dir: string, taskId: string, base: string) => {
      await wg.keepCommit(dir, [`refs/autodev/turns/${taskId}/1`, `refs/autodev/changes/${taskId}/1`], base);
      await wg.keepCommit(dir, `refs/autodev/turns/${taskId}/2`, base);
      await wg.keepCommit(dir, `refs/autodev/rebased/${taskId}`, base);
    };
    const t1 = await m.prepare(input('t1'));
    const other = await m.prepare(input('other'));
    await keep(t1.dir, 't1', t1.baseCommit);
    await keep(other.dir, 'other', other.baseCommit);
    started = [];
    await m.release('t1');
    expect(started.filter((name) => name === 'for-each-ref')).toEqual([]);
    expect(await autodevRefs()).toEqual([
      'refs/autodev/changes/other/1',
      'refs/autodev/rebased/other',
      'refs/autodev/turns/other/1',
      'refs/autodev/turns/other/2',
    ]);
    // A record written before the refs were recorded in it: they are listed, and go all the same.
    const recordFile = join(dataDir, 'workspace-meta', 'other.json');
    const { keptRefs: _listed, ...older } = JSON.parse(await readFile(recordFile, 'utf8')) as Record<
      string,
      unknown
    >;
    await writeFile(recordFile, JSON.stringify(older));
    await m.release('other');
    expect(await autodevRefs()).toEqual([]);
  });

  it('makes a branch again that the HEAD of a spare whose folder vanished still names', async () => {
    const m = manager();
    await m.prepare(input('t1'));
    await m.release('t1');
    // The spare's registration is left, its HEAD naming autodev/t1: git would call the branch
    // checked out there and refuse to make it again for t2's new worktree.
    await rm(join(dataDir, 'workspaces', 't1'), { recursive: true, force: true });
    await m.prepare(input('t2', 'autodev/t1'));
    const again = { dir: join(dataDir, 'workspaces', 't2') };
    expect((await git(['symbolic-ref', '--short', 'HEAD'], { cwd: again.dir })).stdout.trim()).toBe(
      'autodev/t1',
    );
    expect(await readFile(join(again.dir, 'README.md'), 'utf8')).toBe('# demo\n');
  });

  it("takes the spare in the released task's own folder when that task is prepared again, without a move", async () => {
    let started: string[] = [];
    const counting: typeof git = (args, options) => {
      started.push(args.find((a) => !a.startsWith('-')) ?? '');
      return git(args, options);
    };
    const m = createWorkspaceManager(
      { dataDir, keep_failed_workspaces_hours: 24 },
      { git: counting, ...(catFiles ? { catFiles } : {}) },
    );
    const first = await m.prepare(input('t1'));
    await writeFile(join(first.dir, 'stray.txt'), 'left by round 1\n');
    await m.release('t1');
    started = [];
    // A review round of the same task: its folder is the spare, taken where it is.
    const again = await m.prepare(input('t1'));
    expect(again.dir).toBe(first.dir);
    expect(started.filter((name) => name !== 'rev-parse')).toEqual(['fetch', 'checkout']);
    expect((await git(['symbolic-ref', '--short', 'HEAD'], { cwd: again.dir })).stdout.trim()).toBe(
      'autodev/t1',
    );
    expect(existsSync(join(again.dir, 'stray.txt'))).toBe(false);
    expect(await readdir(join(dataDir, 'spares'))).toEqual([]);
  });

  it('leaves the spare to the sweep at start-up (no task owns its folder), and the next task takes it', async () => {
    const m = manager();
    const first = await m.prepare(input('t1'));
    await m.release('t1');
    expect((await m.sweep(new Set())).removed).toEqual([]);
    expect(existsSync(first.dir)).toBe(true);
    const second = await m.prepare(input('t2'));
    expect(existsSync(first.dir)).toBe(false);
    expect(await readFile(join(second.dir, 'README.md'), 'utf8')).toBe('# demo\n');
    expect(await readdir(join(dataDir, 'spares'))).toEqual([]);
  });

  it("checks out a repository's first worktree in the git process that adds it (its mirror made by the same call); later ones outside the lock", async () => {
    let started: string[] = [];
    const counting: typeof git = (args, options) => {
      started.push(args.find((a) => !a.startsWith('-')) ?? '');
      return git(args, options);
    };
    const emptyAtHook: boolean[] = [];
    const m = createWorkspaceManager(
      { dataDir, keep_failed_workspaces_hours: 24 },
      {
        git: counting,
        ...(catFiles ? { catFiles } : {}),
        onWorktreeCreated: async (dir) => {
          emptyAtHook.push((await readdir(dir)).length === 0);
        },
      },
    );
    const reads = pooled ? [] : ['rev-parse'];
    const first = await m.prepare(input('t1'));
    expect(started).toEqual(['init', 'fetch', ...reads, 'worktree']);
    started = [];
    const second = await m.prepare(input('t2'));
    // (Without the long-lived reader, leftovers of the task are looked for with for-each-ref.)
    expect(started).toEqual([...(pooled ? [] : ['for-each-ref']), 'fetch', ...reads, 'worktree', 'reset']);
    for (const ws of [first, second]) {
      expect(await readFile(join(ws.dir, 'README.md'), 'utf8')).toBe('# demo\n');
      expect((await git(['status', '--porcelain', '--ignored'], { cwd: ws.dir })).stdout).toBe('');
    }
    // The sandbox's access is given to each new folder before git writes a file in it.
    expect(emptyAtHook).toEqual([true, false]);
  });

  it('keeps one spare per repo: a second release removes its worktree', async () => {
    const m = manager();
    const a = await m.prepare(input('a'));
    const b = await m.prepare(input('b'));
    await m.release('a');
    await m.release('b');
    // a's folder is the spare (no task's workspace); b's is removed.
    expect(await m.find('a')).toBeUndefined();
    expect(existsSync(a.dir)).toBe(true);
    expect(existsSync(b.dir)).toBe(false);
    expect(await readdir(join(dataDir, 'spares'))).toHaveLength(1);
    expect(await mirrorBranches()).toEqual([]);
    // Releasing a task with no workspace is a no-op, as remove is.
    await m.release('never');
  });

  it("removes the locks a git killed with the last server left in a live task's worktree and mirror", async () => {
    const m = manager();
    const ws = await m.prepare(input('t1'));
    const gitDir = (await git(['rev-parse', '--absolute-git-dir'], { cwd: ws.dir })).stdout.trim();
    // A reset killed mid-write (SIGKILL of the server) leaves its index.lock; a ref update, packed-refs.lock.
    await writeFile(join(gitDir, 'index.lock'), '');
    await writeFile(join(mirrorDir(), 'packed-refs.lock'), '');
    await expect(git(['reset', '--hard', 'HEAD'], { cwd: ws.dir })).rejects.toThrow(/index\.lock/);

    await m.sweep(new Set(['t1']));
    await git(['reset', '--hard', 'HEAD'], { cwd: ws.dir });
    await git(['pack-refs', '--all'], { cwd: mirrorDir() });
    expect(existsSync(ws.dir)).toBe(true);
  });

  it('sweeps workspaces of tasks no longer live, keeping failed ones for the configured hours', async () => {
    const m = manager();
    const live = await m.prepare(input('live'));
    const gone = await m.prepare(input('gone'));
    const failed = await m.prepare(input('failed'));
    await m.markFailed('failed');

    clock += 23 * 3_600_000;
    expect((await m.sweep(new Set(['live']))).removed).toEqual(['gone']);
    expect(existsSync(live.dir)).toBe(true);
    expect(existsSync(gone.dir)).toBe(false);
    expect(existsSync(failed.dir)).toBe(true);

    clock += 2 * 3_600_000;
    expect((await m.sweep(new Set(['live']))).removed).toEqual(['failed']);
    expect(existsSync(failed.dir)).toBe(false);
    expect(await mirrorBranches()).toEqual(['autodev/live']);
  });

  it('lists leftovers before the scheduler starts: a task prepared during the sweep keeps its workspace, a held mirror is not pruned', async () => {
    const m = manager();
    const gone = await m.prepare(input('gone'));
    const live = await m.prepare(input('live'));
    await git(['branch', 'autodev/orphan', live.baseCommit], { cwd: mirrorDir() });

    const sweep = await m.startSweep(new Set(['live']));
    // What the scheduler may do once the leftovers are listed: start a new task on the same mirror.
    const fresh = await m.prepare(input('fresh'));
    expect((await sweep.done).removed).toEqual(['gone']);
    expect(existsSync(gone.dir)).toBe(false);
    expect(existsSync(fresh.dir)).toBe(true);
    expect(existsSync(live.dir)).toBe(true);
    // The live task's mirror waits for the next start-up's prune.
    expect(await mirrorBranches()).toEqual(['autodev/fresh', 'autodev/live', 'autodev/orphan']);
    expect((await m.sweep(new Set())).removed.sort()).toEqual(['fresh', 'live']);
    expect(await mirrorBranches()).toEqual([]);
  });

  it('cleans what a crash left: deleted worktree dirs, orphan branches, half-made mirrors', async () => {
    const m = manager();
    const ws = await m.prepare(input('t1'));
    await rm(ws.dir, { recursive: true, force: true }); // worktree vanished with its registration left
    const partial = `${mirrorDir()}.tmp-deadbeef`;
    await mkdir(partial);
    await git(['branch', 'autodev/orphan', ws.baseCommit], { cwd: mirrorDir() });

    const { removed } = await m.sweep(new Set());
    expect(removed).toEqual(['t1']);
    expect(existsSync(partial)).toBe(false);
    expect(await mirrorBranches()).toEqual([]);
    const worktrees = await git(['worktree', 'list', '--porcelain'], { cwd: mirrorDir() });
    expect(worktrees.stdout).not.toContain('t1');
    // and the task can start over
    expect(existsSync((await m.prepare(input('t1'))).dir)).toBe(true);
  });

  it('rebuilds a worktree whose prepare crashed before it was recorded', async () => {
    const m = manager();
    const ws = await m.prepare(input('t1'));
    await rm(join(dataDir, 'workspace-meta'), { recursive: true, force: true });
    await writeFile(join(ws.dir, 'half-written.txt'), 'x');
    const again = await m.prepare(input('t1'));
    expect(again.dir).toBe(ws.dir);
    expect(existsSync(join(again.dir, 'half-written.txt'))).toBe(false);
    expect(existsSync(join(again.dir, 'README.md'))).toBe(true);
  });
});
