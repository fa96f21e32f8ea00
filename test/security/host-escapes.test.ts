import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectProjects } from '../../src/languages/index.js';
import { createBubblewrapSandbox } from '../../src/sandbox/bubblewrap.js';
import { workspaceCreationHook } from '../../src/sandbox/index.js';
import { DEFAULT_SANDBOX_UID } from '../../src/sandbox/types.js';
import { createGitRunner, createWorkspaceGit, createWorkspaceManager } from '../../src/workspace/index.js';
import type { Workspace } from '../../src/workspace/types.js';
import { createFixtureRepo, type FixtureRepo } from '../fixtures/repo.js';
import { failure } from '../helpers/failure.js';

/**
 * The attacks of issue #11 that reached the host: a project folder that is a symlink out of the
 * workspace, a `.git` rewritten from inside the sandbox, secrets in git's children, root in the sandbox.
 */
describe('a hostile repository cannot reach the host', () => {
  let repo: FixtureRepo;
  let dataDir: string;
  let workspace: Workspace;
  const runGit = createGitRunner({ env: process.env });
  let manager: ReturnType<typeof createWorkspaceManager>;
  const sandbox = () => createBubblewrapSandbox({ hostEnv: process.env, hide: [dataDir] });

  beforeAll(async () => {
    repo = await createFixtureRepo({ files: { 'calc.py': 'def add(a, b):\n    return a + b\n' } });
    dataDir = await mkdtemp(join(tmpdir(), 'autodev-escape-'));
    manager = createWorkspaceManager({ dataDir, keep_failed_workspaces_hours: 0 }, { git: runGit });
    workspace = await manager.prepare({
      taskId: 't-escape',
      repo: repo.origin,
      baseBranch: 'main',
      branch: 'autodev/t-escape',
    });
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
    await repo.cleanup();
  });

  it('refuses a project folder that is a symlink out of the workspace (up -> ../.., hostroot -> /)', async () => {
    await symlink('../..', join(workspace.dir, 'up'));
    await symlink('/', join(workspace.dir, 'hostroot'));
    await writeFile(
      join(workspace.dir, '.autodev.toml'),
      [
        '[projects."up"]',
        'language = "python"',
        '[projects."up".commands]',
        'test = "echo pwned > PWNED; exit 0"',
      ].join('\n'),
    );
    try {
      expect((await failure(detectProjects(workspace.dir))).code).toBe('WORKSPACE_ESCAPE');
      for (const link of ['up', 'hostroot']) {
        const error = await failure(
          sandbox().run({
            argv: ['sh', '-c', 'echo pwned > PWNED'],
            cwd: join(workspace.dir, link),
            workspace: workspace.dir,
            timeoutMs: 30_000,
          }),
        );
        expect(error.code).toBe('WORKSPACE_ESCAPE');
      }
      expect(existsSync(join(dataDir, 'PWNED'))).toBe(false);
      expect(existsSync('/PWNED')).toBe(false);
    } finally {
      await rm(join(workspace.dir, 'up'));
      await rm(join(workspace.dir, 'hostroot'));
      await rm(join(workspace.dir, '.autodev.toml'));
    }
  });

  it("keeps the workspace's .git read-only inside the sandbox, and the workspace writable", async () => {
    const before = await readFile(join(workspace.dir, '.git'), 'utf8');
    const result = await sandbox().run({
      argv: ['sh', '-c', 'echo ok > written.txt && printf "gitdir: .evil\\n" > .git'],
      cwd: workspace.dir,
      workspace: workspace.dir,
      timeoutMs: 30_000,
    });
    expect(result.exitCode).not.toBe(0);
    expect(await readFile(join(workspace.dir, 'written.txt'), 'utf8')).toBe('ok\n');
    expect(await readFile(join(workspace.dir, '.git'), 'utf8')).toBe(before);
    await rm(join(workspace.dir, 'written.txt'));
  });

  it('host-side git takes the git dir from its records: a planted .git with a filter never runs', async () => {
    // What a sandboxed test did before .git was read-only: its own git dir whose config defines a
    // smudge filter, the repo's .gitattributes naming it, and `.git` pointing there.
    const marker = join(dataDir, 'FILTER-RAN');
    const evil = join(workspace.dir, '.evil');
    const mirrorObjects = join((await manager.locate(workspace.dir))?.gitDir ?? '', '..', '..', 'objects');
    const pointer = await readFile(join(workspace.dir, '.git'), 'utf8');
    const plant = async (): Promise<void> => {
      await mkdir(join(evil, 'objects', 'info'), { recursive: true });
      await mkdir(join(evil, 'refs'), { recursive: true });
      await writeFile(join(evil, 'objects', 'info', 'alternates'), `${mirrorObjects}\n`);
      await writeFile(join(evil, 'HEAD'), `${workspace.baseCommit}\n`);
      await writeFile(
        join(evil, 'config'),
        `[core]\n\trepositoryformatversion = 0\n\tbare = false\n[filter "pwn"]\n\tsmudge = "touch ${marker}; cat"\n`,
      );
      await writeFile(join(workspace.dir, '.gitattributes'), '*.py filter=pwn\n');
      await writeFile(join(workspace.dir, '.git'), 'gitdir: .evil\n');
      await writeFile(join(workspace.dir, 'calc.py'), 'changed\n');
    };
    try {
      await plant();
      const git = createWorkspaceGit({ git: runGit, locate: (dir) => manager.locate(dir) });
      await git.resetTo(workspace.dir, workspace.baseCommit);
      expect(existsSync(marker)).toBe(false);
      expect(await readFile(join(workspace.dir, 'calc.py'), 'utf8')).toBe(
        'def add(a, b):\n    return a + b\n',
      );

      // The attack is real: git left to discover the repository from `.git` runs the filter.
      await plant();
      await createWorkspaceGit({ git: runGit }).resetTo(workspace.dir, workspace.baseCommit);
      expect(existsSync(marker)).toBe(true);
    } finally {
      await writeFile(join(workspace.dir, '.git'), pointer);
      await rm(evil, { recursive: true, force: true });
      await rm(join(workspace.dir, '.gitattributes'), { force: true });
    }
  });

  it("gives git's children none of the server's secrets", async () => {
    const secrets = { OPENAI_API_KEY: 'sk-test-0123456789abcdef', GITHUB_TOKEN: 'ghp_testtoken0123456789' };
    const leaky = createGitRunner({ env: { ...process.env, ...secrets } });
    // An alias runs a shell with git's environment, as a hook or helper git starts would.
    const res = await leaky(['-c', 'alias.dump=!env', 'dump'], { cwd: workspace.dir });
    expect(res.stdout).toContain('PATH=');
    for (const value of Object.values(secrets)) expect(res.stdout).not.toContain(value);
  });

  it.runIf(process.getuid?.() === 0)(
    'runs sandboxed commands as an unprivileged uid: root-only files are unreadable and the process limit binds',
    async () => {
      const limited = createBubblewrapSandbox({
        hostEnv: process.env,
        hide: [dataDir],
        limits: { processes: 40 },
      });
      const result = await limited.run({
        argv: [
          'sh',
          '-c',
          'id -u; cat /etc/shadow >/dev/null 2>&1 && echo shadow-read; ' +
            'n=0; while [ $n -lt 120 ]; do sleep 3 & n=$((n+1)); done; echo started',
        ],
        cwd: workspace.dir,
        workspace: workspace.dir,
        timeoutMs: 60_000,
      });
      const [uid] = result.stdout.split('\n');
      expect(uid).not.toBe('0');
      expect(result.stdout).not.toContain('shadow-read');
      // The shell cannot fork the 120 sleeps: RLIMIT_NPROC binds a non-root uid.
      expect(`${result.stdout}${result.stderr}`).toMatch(/fork|Resource temporarily unavailable/i);
    },
  );

  it.runIf(process.getuid?.() === 0)(
    'lets the sandbox uid write files the host writes later, without making them executable, and never follows a link',
    async () => {
      const outside = join(dataDir, 'outside-secret');
      await writeFile(outside, 'host only\n', { mode: 0o600 });
      await symlink(outside, join(workspace.dir, 'link-out'));
      const write = (file: string) =>
        sandbox().run({
          argv: ['sh', '-c', `echo sandbox >> ${file}`],
          cwd: workspace.dir,
          workspace: workspace.dir,
          timeoutMs: 30_000,
        });
      try {
        expect((await write('first.txt')).exitCode).toBe(0);
        // Written by the host after the workspace was granted (an applied patch, a checkout).
        await mkdir(join(workspace.dir, 'pkg'));
        await writeFile(join(workspace.dir, 'pkg', 'mod.py'), 'x = 1\n');
        // A second server process grants again (its cache is empty).
        const again = await write('pkg/mod.py');
        expect(again.exitCode).toBe(0);
        const mode = (await stat(join(workspace.dir, 'pkg', 'mod.py'))).mode;
        expect(mode & 0o111).toBe(0);
        // An executable the host wrote (a script, node_modules/.bin) stays executable for the sandbox uid.
        await writeFile(join(workspace.dir, 'pkg', 'run.sh'), '#!/bin/sh\necho ran\n', { mode: 0o755 });
        const ran = await sandbox().run({
          argv: ['./pkg/run.sh'],
          cwd: workspace.dir,
          workspace: workspace.dir,
          timeoutMs: 30_000,
        });
        expect(ran.stdout).toBe('ran\n');
        expect(await readFile(outside, 'utf8')).toBe('host only\n');
        expect((await write('link-out')).exitCode).not.toBe(0);
        expect(await readFile(outside, 'utf8')).toBe('host only\n');
      } finally {
        await rm(join(workspace.dir, 'link-out'), { force: true });
        await rm(join(workspace.dir, 'first.txt'), { force: true });
        await rm(join(workspace.dir, 'pkg'), { recursive: true, force: true });
      }
    },
  );

  it('kills host-side git when the server dies, so no orphan races the restarted server', async () => {
    const script = [
      "import { createGitRunner } from './src/workspace/run-git.ts';",
      'const git = createGitRunner({ env: process.env });',
      "void git(['-c', 'alias.wait=!sleep 30', 'wait']);",
      'setInterval(() => undefined, 1000);',
    ].join('\n');
    const server = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: join(import.meta.dirname, '..', '..'),
      stdio: 'ignore',
    });
    const gitPid = await waitFor(async () => childPids(server.pid ?? -1).then((pids) => pids[0]));
    server.kill('SIGKILL');
    await waitFor(async () => ((await isAlive(gitPid)) ? undefined : true));
    expect(await isAlive(gitPid)).toBe(false);
  });
});

async function childPids(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text
    .split(' ')
    .filter((s) => s.trim() !== '')
    .map(Number);
}

async function isAlive(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  // A zombie has died; it only waits for its (new) parent to reap it.
  return stat !== undefined && !/^\d+ \(.*\) Z /.test(stat);
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.runIf(process.getuid?.() === 0)('the sandbox uid gets a workspace once, where it is created', () => {
  it('a new worktree carries the default ACL before checkout, so every file is granted without a walk', async () => {
    const repo = await createFixtureRepo({
      files: { 'calc.py': 'def add(a, b):\n    return a + b\n', 'run.sh': '#!/bin/sh\necho ran\n' },
    });
    const dataDir = await mkdtemp(join(tmpdir(), 'autodev-grant-'));
    try {
      const hook = workspaceCreationHook({ sandbox: 'bubblewrap', sandbox_uid: DEFAULT_SANDBOX_UID });
      expect(hook).toBeDefined();
      const manager = createWorkspaceManager(
        { dataDir, keep_failed_workspaces_hours: 0 },
        { git: createGitRunner({ env: process.env }), ...(hook ? { onWorktreeCreated: hook } : {}) },
      );
      const task = (id: string) => ({
        taskId: id,
        repo: repo.origin,
        baseBranch: 'main',
        branch: `autodev/${id}`,
      });
      const first = await manager.prepare(task('t-grant-1'));
      // Checked out after the root's default ACL was set: each file inherited the sandbox uid's entry.
      const acl = await getfacl(join(first.dir, 'calc.py'));
      expect(acl).toMatch(new RegExp(`^user:${DEFAULT_SANDBOX_UID}:(rw-|rwx\t#effective:rw-)$`, 'm'));
      await manager.release('t-grant-1');
      // Recycled: the moved worktree keeps its entries; a fresh server process writes without walking.
      const second = await manager.prepare(task('t-grant-2'));
      // A file with its ACL stripped: a per-task walk would grant it again, the check of the root does not.
      const stripped = join(second.dir, 'stripped.txt');
      await writeFile(stripped, 'host only\n');
      await runCommand('setfacl', ['-b', stripped]);
      const result = await createBubblewrapSandbox({ hostEnv: process.env, hide: [dataDir] }).run({
        argv: ['sh', '-c', 'echo "x = 1" >> calc.py && sh ./run.sh'],
        cwd: second.dir,
        workspace: second.dir,
        timeoutMs: 30_000,
      });
      expect({ exitCode: result.exitCode, stdout: result.stdout }).toEqual({ exitCode: 0, stdout: 'ran\n' });
      expect(await readFile(join(second.dir, 'calc.py'), 'utf8')).toContain('x = 1');
      expect(await getfacl(stripped)).not.toContain(`user:${DEFAULT_SANDBOX_UID}:`);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
      await repo.cleanup();
    }
  });
});

function runCommand(program: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(program, args, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
}

const getfacl = (file: string): Promise<string> => runCommand('getfacl', ['-n', '--omit-header', file]);
