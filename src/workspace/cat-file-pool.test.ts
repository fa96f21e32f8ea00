import { execFile, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure } from '../../test/helpers/failure.js';
import { suiteRandom } from '../../test/helpers/seeded-random.js';
import { createCatFilePool } from './cat-file-pool.js';
import { createGitRunner, createGitStarter, type StartGit } from './run-git.js';

/** A starter that keeps every process it started, so a test can count or kill them. */
function recordingStarter(): { start: StartGit; started: ChildProcessWithoutNullStreams[] } {
  const inner = createGitStarter({ env: process.env });
  const started: ChildProcessWithoutNullStreams[] = [];
  return {
    started,
    start: (args, options) => {
      const child = inner(args, options);
      started.push(child);
      return child;
    },
  };
}

function exited(child: ChildProcessWithoutNullStreams): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

describe('createCatFilePool', () => {
  const random = suiteRandom();
  const git = createGitRunner({ env: process.env });
  let root: string;
  let repo: string;

  const commitFile = async (name: string, content: Buffer | string): Promise<string> => {
    await writeFile(join(repo, name), content);
    await git(['add', name], { cwd: repo });
    await git(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '-m', name], { cwd: repo });
    return (await git(['rev-parse', 'HEAD'], { cwd: repo })).stdout.trim();
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'autodev-cat-file-pool-'));
    repo = join(root, 'repo');
    await git(['init', '--quiet', repo]);
    await commitFile('a.txt', 'first\n');
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('answers info and contents from one process, and undefined for what is not there', async () => {
    const { start, started } = recordingStarter();
    const pool = createCatFilePool(start);
    try {
      const info = await pool.info({ cwd: repo }, 'HEAD:a.txt');
      expect(info).toMatchObject({ type: 'blob', size: 6 });
      const blob = await pool.contents({ cwd: repo }, 'HEAD:a.txt');
      expect(blob?.content?.toString()).toBe('first\n');
      expect(await pool.info({ cwd: repo }, 'HEAD:missing.txt')).toBeUndefined();
      expect(await pool.contents({ cwd: repo }, 'no-such-ref')).toBeUndefined();
      expect(started).toHaveLength(1);
    } finally {
      pool.closeAll();
    }
  });

  it('sees a commit another process made after it started, and the ref it moved', async () => {
    const pool = createCatFilePool(createGitStarter({ env: process.env }));
    try {
      const before = await pool.info({ cwd: repo }, 'HEAD');
      const head = await commitFile('b.txt', 'second\n');
      const after = await pool.info({ cwd: repo }, 'HEAD');
      expect(after?.id).toBe(head);
      expect(after?.id).not.toBe(before?.id);
      expect((await pool.contents({ cwd: repo }, `${head}:b.txt`))?.content?.toString()).toBe('second\n');
    } finally {
      pool.closeAll();
    }
  });

  it('keeps answers in order under many concurrent requests of random sizes, binary bytes exact', async () => {
    const blobs = Array.from({ length: 12 }, (_, i) => ({
      name: `r${i}.bin`,
      bytes: random.bytes(random.int(200_000)),
    }));
    for (const blob of blobs) await writeFile(join(repo, blob.name), blob.bytes);
    await git(['add', '.'], { cwd: repo });
    await git(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '--quiet', '-m', 'random'], {
      cwd: repo,
    });
    const pool = createCatFilePool(createGitStarter({ env: process.env }));
    try {
      const order = Array.from({ length: 60 }, () => random.pick(blobs));
      const answers = await Promise.all(
        order.map((blob) => pool.contents({ cwd: repo }, `HEAD:${blob.name}`)),
      );
      answers.forEach((answer, i) =>
        expect(answer?.content?.equals(order[i]?.bytes ?? Buffer.alloc(0))).toBe(true),
      );
    } finally {
      pool.closeAll();
    }
  });

  it('refuses an object past its limit and stays in step for the next request', async () => {
    await commitFile('big.txt', 'x'.repeat(50_000));
    const pool = createCatFilePool(createGitStarter({ env: process.env }));
    try {
      const refused = pool.contents({ cwd: repo }, 'HEAD:big.txt', 1000);
      const next = pool.contents({ cwd: repo }, 'HEAD:a.txt');
      expect((await failure(refused)).code).toBe('CHANGE_TOO_LARGE');
      expect((await next)?.content?.toString()).toBe('first\n');
    } finally {
      pool.closeAll();
    }
  });

  it('refuses a spec with a newline or NUL: it would split into two requests', async () => {
    const pool = createCatFilePool(createGitStarter({ env: process.env }));
    try {
      expect(
        (await failure(Promise.resolve().then(() => pool.info({ cwd: repo }, 'HEAD\ninfo HEAD')))).code,
      ).toBe('VALIDATION_FAILED');
      expect((await failure(Promise.resolve().then(() => pool.info({ cwd: repo }, 'HEAD\0x')))).code).toBe(
        'VALIDATION_FAILED',
      );
    } finally {
      pool.closeAll();
    }
  });

  it('starts a new process when its process was killed, and after it ended idle', async () => {
    const { start, started } = recordingStarter();
    const pool = createCatFilePool(start, { idleMs: 50 });
    try {
      await pool.info({ cwd: repo }, 'HEAD');
      const first = started[0];
      if (first?.pid === undefined) throw new Error('no process started');
      process.kill(-first.pid, 'SIGKILL');
      // Asked at once: the kill may not have been noticed yet, and the request must still be answered.
      expect((await pool.contents({ cwd: repo }, 'HEAD:a.txt'))?.content?.toString()).toBe('first\n');
      await exited(first);
      expect((await pool.contents({ cwd: repo }, 'HEAD:a.txt'))?.content?.toString()).toBe('first\n');
      const second = started[started.length - 1];
      if (second === undefined || second === first) throw new Error('no second process');
      await exited(second); // idle for 50 ms: it ends on its own
      const before = started.length;
      expect((await pool.info({ cwd: repo }, 'HEAD:a.txt'))?.type).toBe('blob');
      expect(started).toHaveLength(before + 1);
    } finally {
      pool.closeAll();
    }
  });

  it('answers a request whose process is killed while it waits, from a new process', async () => {
    const { start, started } = recordingStarter();
    const pool = createCatFilePool(start);
    try {
      for (let round = 0; round < 20; round += 1) {
        const asked = pool.contents({ cwd: repo }, 'HEAD:a.txt');
        const current = started[started.length - 1];
        if (current?.pid !== undefined) process.kill(-current.pid, 'SIGKILL');
        expect((await asked)?.content?.toString()).toBe('first\n');
      }
    } finally {
      pool.closeAll();
    }
  });

  it('keeps a process that awaits an answer alive, and an idle one does not hold it', async () => {
    // A CLI (task replay) that awaits a read with nothing else pending exited at once, silently.
    const script = join(root, 'await-one-read.mts');
    await writeFile(
      script,
      [
        `import { createCatFilePool } from ${JSON.stringify(join(import.meta.dirname, 'cat-file-pool.ts'))};`,
        `import { createGitStarter } from ${JSON.stringify(join(import.meta.dirname, 'run-git.ts'))};`,
        'const pool = createCatFilePool(createGitStarter({ env: process.env }));',
        `const answer = await pool.contents({ cwd: ${JSON.stringify(repo)} }, 'HEAD:a.txt');`,
        'console.log(JSON.stringify(answer?.content?.toString()));',
        '// No closeAll: the idle reader must not keep this process running.',
        '',
      ].join('\n'),
    );
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script], {
      cwd: join(import.meta.dirname, '../..'),
      timeout: 60_000,
    });
    expect(JSON.parse(stdout)).toBe('first\n');
  });

  it('a request to a repository that is not there fails with GIT_FAILED and git’s reason', async () => {
    const pool = createCatFilePool(createGitStarter({ env: process.env }));
    try {
      const error = await failure(pool.info({ cwd: root }, 'HEAD'));
      expect(error.code).toBe('GIT_FAILED');
      expect(error.message).toMatch(/not a git repository/);
    } finally {
      pool.closeAll();
    }
  });
});
