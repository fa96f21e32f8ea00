import { execFile } from 'node:child_process';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFixtureRepo, type FixtureRepo } from '../../test/fixtures/repo.js';
import { suiteRandom } from '../../test/helpers/seeded-random.js';
import { createCatFilePool, type CatFilePool } from './cat-file-pool.js';
import { createGitRunner, createGitStarter } from './run-git.js';
import { createWorkspaceGit } from './workspace-git.js';
import { createWorkspaceManager } from './worktree-manager.js';

const exec = promisify(execFile);
const git = createGitRunner({ env: process.env });
const random = suiteRandom();
const author = { name: 'AutoDev Bot', email: 'autodev@example.test' };

/** Printable bytes (no NUL), with a NUL at `nulAt` when given. */
function bytes(length: number, nulAt?: number): Buffer {
  const out = Buffer.from(random.from('abcdefghij klmnop\n', length));
  if (nulAt !== undefined) out[nulAt] = 0;
  return out;
}

describe('WorkspaceGit.changedBinaryFiles: the binary files of a change, as git diff --numstat says, without git', () => {
  let fixture: FixtureRepo;
  let dataDir: string;
  let pool: CatFilePool;

  beforeEach(async () => {
    fixture = await createFixtureRepo({
      files: {
        'README.md': '# demo\n',
        'was-binary.dat': 'x\0y\n',
        'gone.bin': 'a\0b\n',
        'text.txt': 'plain\n',
      },
    });
    dataDir = await mkdtemp(join(tmpdir(), 'autodev-binary-changes-'));
    pool = createCatFilePool(createGitStarter({ env: process.env }));
  });
  afterEach(async () => {
    pool.closeAll();
    await fixture.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('names the same files as numstat on the git dir alone (either side binary; no .gitattributes), and starts no git', async () => {
    const manager = createWorkspaceManager({ dataDir, keep_failed_workspaces_hours: 1 }, { git });
    const ws = await manager.prepare({
      taskId: 't1',
      repo: fixture.origin,
      baseBranch: 'main',
      branch: 'autodev/t1',
    });
    const locate = (dir: string) => manager.locate(dir);
    const wg = createWorkspaceGit({ git, locate, catFiles: pool });
    const nulAt = random.int(8000);
    // Binary new files (a NUL anywhere in the first 8000 bytes), a NUL only past them (text), a
    // binary file turned text (binary on the base side), a deleted binary, and a text file a
    // .gitattributes calls binary (`-diff`), which git run on the git dir alone does not read.
    await writeFile(join(ws.dir, 'new.bin'), bytes(8000 + random.int(4000), nulAt));
    await writeFile(join(ws.dir, 'late-nul.txt'), bytes(9000, 8000 + random.int(1000)));
    await writeFile(join(ws.dir, 'was-binary.dat'), 'now text\n');
    await unlink(join(ws.dir, 'gone.bin'));
    await writeFile(join(ws.dir, '.gitattributes'), 'text.txt -diff\n');
    await writeFile(join(ws.dir, 'text.txt'), 'plain, edited\n');
    const changed = await wg.commitAll(ws.dir, 'the change', author);
    expect(changed.changed).toBe(true);

    const gitDir = (await locate(ws.dir))?.gitDir ?? '';
    // As the secrets scan runs it: GIT_DIR alone, from the git dir.
    const { stdout: byGit } = await exec(
      'git',
      ['diff', '--numstat', '-z', '--no-renames', '--diff-filter=d', ws.baseCommit, 'HEAD'],
      { cwd: gitDir, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GIT_DIR: gitDir } },
    );
    const binaryByGit = byGit
      .split('\0')
      .filter((entry) => entry.startsWith('-\t-\t'))
      .map((entry) => entry.slice(4))
      .sort();
    expect(binaryByGit).toEqual(['new.bin', 'was-binary.dat']);

    let started = 0;
    const counted = createWorkspaceGit({
      git: (args, options) => {
        started += 1;
        return git(args, options);
      },
      locate,
      catFiles: pool,
    });
    const found = await counted.changedBinaryFiles(ws.dir, ws.baseCommit);
    expect(found?.map((f) => f.path).sort()).toEqual(binaryByGit);
    expect(found?.find((f) => f.path === 'was-binary.dat')?.size).toBe('now text\n'.length);
    // The change's files were asked of git once (a fresh WorkspaceGit remembers no diff yet); the
    // blobs came through the long-lived reader.
    expect(started).toBe(1);
  });

  it('cannot tell without the long-lived reader: undefined, and the scanner asks git', async () => {
    const manager = createWorkspaceManager({ dataDir, keep_failed_workspaces_hours: 1 }, { git });
    const ws = await manager.prepare({
      taskId: 't1',
      repo: fixture.origin,
      baseBranch: 'main',
      branch: 'autodev/t1',
    });
    const wg = createWorkspaceGit({ git, locate: (dir) => manager.locate(dir) });
    await writeFile(join(ws.dir, 'new.bin'), bytes(100, 3));
    await wg.commitAll(ws.dir, 'the change', author);
    expect(await wg.changedBinaryFiles(ws.dir, ws.baseCommit)).toBeUndefined();
  });
});
