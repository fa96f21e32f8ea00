import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failure } from '../../test/helpers/failure.js';
import { createFixtureRepo, type FixtureRepo } from '../../test/fixtures/repo.js';
import { createGitRunner } from './run-git.js';
import { createWorkspaceGit } from './workspace-git.js';

const git = createGitRunner({ env: process.env });
const wg = createWorkspaceGit({ git });
const author = { name: 'AutoDev Bot', email: 'autodev@example.test' };

const EDIT_README = `--- a/README.md
+++ b/README.md
@@ -1,2 +1,2 @@
 # demo
-old line
+new line
`;

/** The origin's next push finds its ref already updated to the pushed commit, by "someone else". */
async function raceOnce(origin: string): Promise<void> {
  const hook = join(origin, 'hooks', 'update');
  await writeFile(
    hook,
    '#!/bin/sh\nif [ -e "$GIT_DIR/race-once" ]; then rm "$GIT_DIR/race-once"; git update-ref "$1" "$3"; fi\n',
  );
  await chmod(hook, 0o755);
  await writeFile(join(origin, 'race-once'), '');
}

describe('createWorkspaceGit', () => {
  let fixture: FixtureRepo;
  let root: string;
  let dir: string;
  let base: string;

  beforeEach(async () => {
    fixture = await createFixtureRepo({
      files: { 'README.md': '# demo\nold line\n', 'src/a.ts': 'export const a = 1;\n', 'src/b.ts': 'b\n' },
    });
    root = await mkdtemp(join(tmpdir(), 'autodev-wg-'));
    dir = join(root, 'clone');
    await git(['clone', '--quiet', fixture.origin, dir]);
    base = await wg.head(dir);
  });
  afterEach(async () => {
    await fixture.cleanup();
    await rm(root, { recursive: true, force: true });
  });

  it('keeps a commit under several refs of its own in one git process, or under none', async () => {
    const started: string[] = [];
    const counted = createWorkspaceGit({
      git: (args, options) => {
        started.push(args.find((a) => !a.startsWith('-')) ?? '');
        return git(args, options);
      },
    });
    const refs = ['refs/autodev/turns/t1/3', 'refs/autodev/changes/t1/1'];
    await counted.keepCommit(dir, refs, base);
    expect(started.filter((name) => name === 'update-ref')).toHaveLength(1);
    const listed = await git(['for-each-ref', '--format=%(refname) %(objectname)', 'refs/autodev/'], {
      cwd: dir,
    });
    expect(listed.stdout.split('\n').filter(Boolean).sort()).toEqual(refs.map((r) => `${r} ${base}`).sort());
    // One ref outside refs/autodev/ refuses the whole list before git runs.
    const refused = await failure(
      counted.keepCommit(dir, ['refs/autodev/turns/t1/4', 'refs/heads/main'], base),
    );
    expect(refused).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(refused.message).toContain('refs/heads/main');
    expect((await git(['for-each-ref', 'refs/autodev/turns/t1/4'], { cwd: dir })).stdout).toBe('');
  });

  it('reads back the commit a kept ref points at, nothing for a ref never kept, and only its own refs', async () => {
    await wg.keepCommit(dir, 'refs/autodev/turns/t1.repo-1/2', base);
    expect(await wg.keptCommit(dir, 'refs/autodev/turns/t1.repo-1/2')).toBe(base);
    expect(await wg.keptCommit(dir, 'refs/autodev/turns/t1.repo-1/3')).toBeUndefined();
    for (const ref of ['refs/heads/main', '--output=/tmp/x', 'refs/autodev/a..b']) {
      expect(await failure(wg.keptCommit(dir, ref))).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
  });

  it('reads HEAD as a commit id', async () => {
    expect(base).toBe(await fixture.branchCommit('main'));
  });

  it('applies a unified diff and returns the touched files, including created, deleted and renamed', async () => {
    const diff = `${EDIT_README}--- /dev/null
+++ b/docs/new.md
@@ -0,0 +1 @@
+hello
--- a/src/b.ts
+++ /dev/null
@@ -1 +0,0 @@
-b
diff --git a/src/a.ts b/src/renamed.ts
similarity index 100%
rename from src/a.ts
rename to src/renamed.ts
`;
    const files = await wg.applyUnifiedDiff(dir, diff);
    expect(files.sort()).toEqual(['README.md', 'docs/new.md', 'src/a.ts', 'src/b.ts', 'src/renamed.ts']);
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toBe('# demo\nnew line\n');
    expect(await readFile(join(dir, 'docs/new.md'), 'utf8')).toBe('hello\n');
    expect(existsSync(join(dir, 'src/b.ts'))).toBe(false);
    expect(existsSync(join(dir, 'src/renamed.ts'))).toBe(true);
  });

  it('tolerates wrong hunk line counts and a missing final newline', async () => {
    const sloppy = EDIT_README.replace('@@ -1,2 +1,2 @@', '@@ -1,7 +1,9 @@').trimEnd();
    expect(await wg.applyUnifiedDiff(dir, sloppy)).toEqual(['README.md']);
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toBe('# demo\nnew line\n');
  });

  it('tolerates whitespace drift in context lines', async () => {
    const drifted = EDIT_README.replace(' # demo\n', ' #   demo\n');
    expect(await wg.applyUnifiedDiff(dir, drifted)).toEqual(['README.md']);
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toContain('new line');
  });

  it('fails with PATCH_FAILED and git reason, changing nothing, when a hunk does not apply', async () => {
    const diff = `${EDIT_README}--- a/src/a.ts
+++ b/src/a.ts
@@ -1 +1 @@
-export const a = 42;
+export const a = 43;
`;
    const error = await failure(wg.applyUnifiedDiff(dir, diff));
    expect(error.code).toBe('PATCH_FAILED');
    expect(error.message).toMatch(/src\/a\.ts/);
    // atomic: the README hunk that would apply was not applied either
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toBe('# demo\nold line\n');
  });

  it.each([
    ['an empty diff', ''],
    ['prose instead of a diff', 'I changed the file as asked.'],
    ['a path outside the worktree', '--- /dev/null\n+++ b/../escape.txt\n@@ -0,0 +1 @@\n+x\n'],
    ['a path inside .git', '--- /dev/null\n+++ b/.git/hooks/post-checkout\n@@ -0,0 +1 @@\n+x\n'],
  ])('refuses %s with PATCH_FAILED', async (_what, diff) => {
    expect((await failure(wg.applyUnifiedDiff(dir, diff))).code).toBe('PATCH_FAILED');
    expect(existsSync(join(root, 'escape.txt'))).toBe(false);
    expect(existsSync(join(dir, '.git/hooks/post-checkout'))).toBe(false);
  });

  it('commits everything with the given author, without running hooks', async () => {
    await mkdir(join(dir, '.git', 'hooks'), { recursive: true });
    await writeFile(join(dir, '.git', 'hooks', 'pre-commit'), '#!/bin/sh\nexit 1\n');
    await chmod(join(dir, '.git', 'hooks', 'pre-commit'), 0o755);
    await wg.applyUnifiedDiff(dir, EDIT_README);
    await writeFile(join(dir, 'untracked.txt'), 'new\n');

    const result = await wg.commitAll(dir, 'Change the readme\n\nBecause.', author);
    expect(result.changed).toBe(true);
    expect(result.commit).toBe(await wg.head(dir));
    const log = await git(['log', '-1', '--format=%an <%ae>|%cn <%ce>|%B'], { cwd: dir });
    expect(log.stdout.trim()).toBe(
      'AutoDev Bot <autodev@example.test>|AutoDev Bot <autodev@example.test>|Change the readme\n\nBecause.',
    );
    expect((await wg.changedFiles(dir, base)).sort()).toEqual(['README.md', 'untracked.txt']);
  });

  it('makes the same commit id for the same change on the same parent when the date is fixed', async () => {
    const dated = { ...author, date: '2026-01-02T03:04:05Z' };
    await wg.applyUnifiedDiff(dir, EDIT_README);
    const first = await wg.commitAll(dir, 'Change', dated);
    await wg.resetTo(dir, base);
    await new Promise((r) => setTimeout(r, 1100));
    await wg.applyUnifiedDiff(dir, EDIT_README);
    const second = await wg.commitAll(dir, 'Change', dated);
    expect(second.commit).toBe(first.commit);
  });

  it('applies a hunk that has less context after the change than before it', async () => {
    const trimmed = '--- a/src/b.ts\n+++ b/src/b.ts\n@@ -1 +1 @@\n-b\n+c\n';
    await writeFile(join(dir, 'src/b.ts'), 'b\nmore\n');
    await wg.commitAll(dir, 'two lines', author);
    expect(await wg.applyUnifiedDiff(dir, trimmed)).toEqual(['src/b.ts']);
    expect(await readFile(join(dir, 'src/b.ts'), 'utf8')).toBe('c\nmore\n');
  });

  it('returns the current HEAD, unchanged, when there is nothing to commit', async () => {
    expect(await wg.commitAll(dir, 'nothing', author)).toEqual({ commit: base, changed: false });
  });

  it('resets to a commit, dropping changes and untracked files but not ignored ones', async () => {
    await writeFile(join(dir, '.gitignore'), 'build/\n');
    const withIgnore = (await wg.commitAll(dir, 'ignore build', author)).commit;
    await mkdir(join(dir, 'build'));
    await writeFile(join(dir, 'build', 'out.js'), 'x');
    await wg.applyUnifiedDiff(dir, EDIT_README);
    await wg.commitAll(dir, 'edit', author);
    await writeFile(join(dir, 'src/a.ts'), 'dirty\n');
    await writeFile(join(dir, 'stray.txt'), 'x');

    await wg.resetTo(dir, withIgnore);
    expect(await wg.head(dir)).toBe(withIgnore);
    expect(await readFile(join(dir, 'README.md'), 'utf8')).toBe('# demo\nold line\n');
    expect(await readFile(join(dir, 'src/a.ts'), 'utf8')).toBe('export const a = 1;\n');
    expect(existsSync(join(dir, 'stray.txt'))).toBe(false);
    expect(existsSync(join(dir, 'build', 'out.js'))).toBe(true);
  });

  it('a reset keeps untracked node_modules/ and target/ that setup made in a repo that does not ignore them', async () => {
    await mkdir(join(dir, 'node_modules', '.bin'), { recursive: true });
    await writeFile(join(dir, 'node_modules', '.bin', 'tape'), 'x');
    await mkdir(join(dir, 'target', 'debug'), { recursive: true });
    await writeFile(join(dir, 'target', 'debug', 'lib.rlib'), 'x');
    await writeFile(join(dir, 'stray.txt'), 'x');
    await wg.applyUnifiedDiff(dir, EDIT_README);
    await wg.resetTo(dir, base);
    expect(existsSync(join(dir, 'node_modules', '.bin', 'tape'))).toBe(true);
    expect(existsSync(join(dir, 'target', 'debug', 'lib.rlib'))).toBe(true);
    expect(existsSync(join(dir, 'stray.txt'))).toBe(false);
  });

  it('a commit leaves out untracked node_modules/ and target/ but takes every other new file', async () => {
    await mkdir(join(dir, 'node_modules', 'tape'), { recursive: true });
    await writeFile(join(dir, 'node_modules', 'tape', 'package.json'), '{}');
    await mkdir(join(dir, 'target', 'debug'), { recursive: true });
    await writeFile(join(dir, 'target', 'debug', 'lib.rlib'), 'x');
    await mkdir(join(dir, 'src', 'target'), { recursive: true });
    await writeFile(join(dir, 'src', 'target', 'aim.ts'), 'export const aim = 1;\n');
    await wg.applyUnifiedDiff(dir, EDIT_README);
    await wg.commitAll(dir, 'edit', author);
    expect((await wg.changedFiles(dir, base)).sort()).toEqual(['README.md', 'src/target/aim.ts']);
  });

  it("a yarn 2+ Plug'n'Play install (.pnp.cjs, .pnp.loader.mjs, .yarn/install-state.gz) survives a reset and stays out of a commit", async () => {
    const pnp = ['.pnp.cjs', '.pnp.loader.mjs', '.yarn/install-state.gz', '.yarn/unplugged/x/package.json'];
    for (const file of pnp) {
      await mkdir(dirname(join(dir, file)), { recursive: true });
      await writeFile(join(dir, file), 'x');
    }
    // A file the change adds under .yarn/ is still the change's.
    await mkdir(join(dir, '.yarn', 'patches'), { recursive: true });
    await writeFile(join(dir, '.yarn', 'patches', 'fix.patch'), 'x');
    await wg.applyUnifiedDiff(dir, EDIT_README);
    await wg.commitAll(dir, 'edit', author);
    expect((await wg.changedFiles(dir, base)).sort()).toEqual(['.yarn/patches/fix.patch', 'README.md']);
    await wg.resetTo(dir, base);
    for (const file of pnp) expect(existsSync(join(dir, file)), file).toBe(true);
  });

  it("a commit leaves out a workspace member's own node_modules/ too (npm nests a second version there)", async () => {
    await mkdir(join(dir, 'packages', 'a', 'node_modules', 'tape'), { recursive: true });
    await writeFile(join(dir, 'packages', 'a', 'node_modules', 'tape', 'package.json'), '{}');
    await writeFile(join(dir, 'packages', 'a', 'index.js'), 'module.exports = 1;\n');
    await wg.applyUnifiedDiff(dir, EDIT_README);
    await wg.commitAll(dir, 'edit', author);
    expect((await wg.changedFiles(dir, base)).sort()).toEqual(['README.md', 'packages/a/index.js']);
  });

  it('commits in a repo whose .gitignore already ignores target/ (git refuses to exclude an ignored path)', async () => {
    await writeFile(join(dir, '.gitignore'), '/target\n');
    await mkdir(join(dir, 'target', 'debug'), { recursive: true });
    await writeFile(join(dir, 'target', 'debug', 'lib.rlib'), 'x');
    await wg.applyUnifiedDiff(dir, EDIT_README);
    await wg.commitAll(dir, 'edit', author);
    expect((await wg.changedFiles(dir, base)).sort()).toEqual(['.gitignore', 'README.md']);
  });

  for (const where of ['recorded (its index copied)', 'discovered (HEAD read into a fresh index)'] as const) {
    it(`snapshots the files as a commit on a parent, in an index of its own: HEAD, the index and the files stay (${where})`, async () => {
      const located =
        where === 'discovered (HEAD read into a fresh index)'
          ? wg
          : createWorkspaceGit({ git, locate: async (d) => ({ gitDir: join(d, '.git'), workTree: d }) });
      await wg.applyUnifiedDiff(dir, EDIT_README);
      await writeFile(join(dir, 'src', 'we ird "name".ts'), 'export const w = 1;\n');
      await rm(join(dir, 'src', 'b.ts'));
      await mkdir(join(dir, 'node_modules', 'tape'), { recursive: true });
      await writeFile(join(dir, 'node_modules', 'tape', 'package.json'), '{}');
      const first = await located.snapshot(dir, { parent: base, message: 'turn 1', author });
      expect(await wg.head(dir)).toBe(base);
      expect((await git(['diff', '--cached', '--name-only'], { cwd: dir })).stdout).toBe('');
      expect(await readFile(join(dir, 'README.md'), 'utf8')).toBe('# demo\nnew line\n');
      const parent = await git(['rev-parse', `${first.commit}^`], { cwd: dir });
      expect(parent.stdout.trim()).toBe(base);
      const change = await located.changeBetween(dir, base, first.commit);
      expect(change.files.sort()).toEqual(['README.md', 'src/b.ts', 'src/we ird "name".ts']);
      // The very diff `git diff` prints for the same two commits, quoted name included.
      const plain = await git(
        ['diff', '--no-color', '--no-ext-diff', '--no-textconv', '--no-renames', base, first.commit, '--'],
        { cwd: dir },
      );
      expect(change.patch).toBe(plain.stdout);
      expect(change.patch).toContain('-old line\n+new line');
      // Nothing changed since: the same snapshot back, no new commit.
      const again = await located.snapshot(dir, { parent: base, message: 'turn 2', author, previous: first });
      expect(again).toBe(first);
      await writeFile(join(dir, 'src', 'a.ts'), 'export const a = 2;\n');
      const second = await located.snapshot(dir, {
        parent: base,
        message: 'turn 3',
        author,
        previous: first,
      });
      expect(second.commit).not.toBe(first.commit);
      expect((await located.changeBetween(dir, first.commit, second.commit)).files).toEqual(['src/a.ts']);
    });
  }

  it('snapshots a same-size edit made in the second its index was written (git re-reads racily clean entries)', async () => {
    const located = createWorkspaceGit({
      git,
      locate: async (d) => ({ gitDir: join(d, '.git'), workTree: d }),
    });
    // ctime left out of git's check, so the stat information alone decides, as in one fast second.
    await git(['config', 'core.trustctime', 'false'], { cwd: dir });
    const file = join(dir, 'src', 'a.ts');
    const before = await readFile(file, 'utf8');
    // The file an hour old, recorded so by a refresh (entries of the index's own second are
    // written "smudged" and always re-read, which would hide what this test is about).
    const mtime = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000);
    await utimes(file, mtime, mtime);
    await git(['update-index', '--refresh'], { cwd: dir }).catch(() => undefined);
    // The index written in the file's own second, then the file rewritten with as many bytes.
    await utimes(join(dir, '.git', 'index'), mtime, mtime);
    const after = before.replace(/\d/, (d) => String((Number(d) + 1) % 10));
    expect(after.length).toBe(before.length);
    expect(after).not.toBe(before);
    await writeFile(file, after);
    await utimes(file, mtime, mtime);
    // git's own view (the real index) re-reads the racily clean entry and sees the change:
    expect((await git(['diff', '--name-only'], { cwd: dir })).stdout.trim()).toBe('src/a.ts');
    const snap = await located.snapshot(dir, { parent: base, message: 'turn 1', author });
    expect((await located.changeBetween(dir, base, snap.commit)).files).toEqual(['src/a.ts']);
  });

  it('reads no change between a commit and itself', async () => {
    expect(await wg.changeBetween(dir, base, 'HEAD')).toEqual({ files: [], patch: '' });
  });

  it('refuses a revision that is not a commit, or that looks like an option', async () => {
    expect((await failure(wg.resetTo(dir, 'no-such-commit'))).code).toBe('GIT_FAILED');
    expect((await failure(wg.diff(dir, '--output=/tmp/autodev-pwned'))).code).toBe('GIT_FAILED');
    expect(existsSync('/tmp/autodev-pwned')).toBe(false);
  });

  it('lists changed files and the diff between a base and HEAD', async () => {
    await wg.applyUnifiedDiff(dir, EDIT_README);
    await wg.commitAll(dir, 'edit', author);
    expect(await wg.changedFiles(dir, base)).toEqual(['README.md']);
    const diff = await wg.diff(dir, base);
    expect(diff).toContain('-old line\n+new line');
    expect(await wg.changedFiles(dir, 'HEAD')).toEqual([]);
  });

  it('reads a file as committed at a revision, not as the worktree has it now', async () => {
    await writeFile(join(dir, 'README.md'), 'rewritten in the worktree\n');
    await mkdir(join(dir, 'later'));
    await writeFile(join(dir, 'later', 'new.txt'), 'new\n');
    expect(await wg.fileAt(dir, base, 'README.md')).toBe('# demo\nold line\n');
    expect(await wg.fileAt(dir, base, 'later/new.txt')).toBeUndefined();
    expect(await wg.fileAt(dir, base, 'src')).toBeUndefined();
    await wg.commitAll(dir, 'edit', author);
    expect(await wg.fileAt(dir, 'HEAD', 'later/new.txt')).toBe('new\n');
    expect(await wg.fileAt(dir, base, 'README.md')).toBe('# demo\nold line\n');
  });

  it('reads files whose names or contents look like git batch answers, and refuses one over maxBytes before reading it', async () => {
    const odd = ['line\nbreak.txt', 'ends missing', 'ünï côdé.md'];
    for (const name of odd) await writeFile(join(dir, name), `content of ${name}\n`);
    await writeFile(join(dir, 'fake-answer.txt'), '0123456789012345678901234567890123456789 blob 3\nabc\n');
    await writeFile(join(dir, 'big.txt'), 'x'.repeat(5000));
    await wg.commitAll(dir, 'odd names', author);
    for (const name of odd) expect(await wg.fileAt(dir, 'HEAD', name)).toBe(`content of ${name}\n`);
    expect(await wg.fileAt(dir, 'HEAD', 'fake-answer.txt')).toBe(
      '0123456789012345678901234567890123456789 blob 3\nabc\n',
    );
    expect(await wg.fileAt(dir, 'HEAD', 'line')).toBeUndefined();
    expect(await wg.fileAt(dir, 'HEAD', 'big.txt', { maxBytes: 5000 })).toBe('x'.repeat(5000));
    expect((await failure(wg.fileAt(dir, 'HEAD', 'big.txt', { maxBytes: 4999 }))).code).toBe(
      'CHANGE_TOO_LARGE',
    );
    expect(await wg.fileAt(dir, 'HEAD', 'nothing-here', { maxBytes: 10 })).toBeUndefined();
    expect((await failure(wg.fileAt(dir, 'HEAD', 'a\0b'))).code).toBe('VALIDATION_FAILED');
  });

  it('pushes HEAD to a branch, once: a second push sends nothing', async () => {
    expect(await wg.remoteBranchCommit(dir, fixture.origin, 'autodev/t1')).toBeUndefined();
    await wg.applyUnifiedDiff(dir, EDIT_README);
    const { commit } = await wg.commitAll(dir, 'edit', author);

    expect(await wg.push(dir, fixture.origin, 'autodev/t1')).toEqual({ pushed: true, remoteCommit: commit });
    expect(await fixture.branchCommit('autodev/t1')).toBe(commit);
    expect(await fixture.readFileAt('autodev/t1', 'README.md')).toBe('# demo\nnew line\n');
    expect(await wg.push(dir, fixture.origin, 'autodev/t1')).toEqual({ pushed: false, remoteCommit: commit });
    expect(await wg.remoteBranchCommit(dir, `file://${fixture.origin}`, 'autodev/t1')).toBe(commit);
  });

  it("a push that loses the race to the same commit landing first (a killed run's orphaned push) succeeds", async () => {
    await raceOnce(fixture.origin);
    await wg.applyUnifiedDiff(dir, EDIT_README);
    const { commit } = await wg.commitAll(dir, 'edit', author);

    // The origin's update hook lands the commit itself first, so git's own update of the ref fails.
    expect(await wg.push(dir, fixture.origin, 'autodev/t1')).toEqual({ pushed: false, remoteCommit: commit });
    expect(await fixture.branchCommit('autodev/t1')).toBe(commit);
    await raceOnce(fixture.origin);
    expect(await wg.push(dir, fixture.origin, 'main')).toEqual({ pushed: false, remoteCommit: commit });
    expect(await fixture.branchCommit('main')).toBe(commit);
  });

  it('an unforced push to a branch that already contains HEAD is done, not refused', async () => {
    await wg.applyUnifiedDiff(dir, EDIT_README);
    await wg.commitAll(dir, 'edit', author);
    await wg.push(dir, fixture.origin, 'main');
    const later = await fixture.commit('main', { 'later.txt': 'later\n' });
    // The later commit is not in the workspace yet: push() fetches it to compare.

    expect(await wg.push(dir, fixture.origin, 'main')).toEqual({ pushed: false, remoteCommit: later });
    expect(await fixture.branchCommit('main')).toBe(later);
  });

  it('refuses to overwrite a diverged remote branch unless forced', async () => {
    await fixture.commit('main', {}, 'someone else');
    const theirs = await fixture.commit('main', { 'x.txt': 'theirs\n' });
    await writeFile(join(dir, 'y.txt'), 'ours\n');
    const { commit } = await wg.commitAll(dir, 'ours', author);

    expect((await failure(wg.push(dir, fixture.origin, 'main'))).code).toBe('GIT_FAILED');
    expect(await fixture.branchCommit('main')).toBe(theirs);
    expect(await wg.push(dir, fixture.origin, 'main', { force: true })).toEqual({
      pushed: true,
      remoteCommit: commit,
    });
    expect(await fixture.branchCommit('main')).toBe(commit);
  });

  it('refuses unsafe remotes and branch names, and a token over plain http', async () => {
    expect((await failure(wg.push(dir, 'ext::sh -c id', 'b'))).code).toBe('REPO_REFUSED');
    expect((await failure(wg.push(dir, '--upload-pack=x', 'b'))).code).toBe('REPO_REFUSED');
    expect((await failure(wg.push(dir, fixture.origin, '-f'))).code).toBe('VALIDATION_FAILED');
    const auth = { username: 'x-access-token', password: 'tok' };
    const http = await failure(wg.push(dir, 'http://example.invalid/o/n', 'b', { auth }));
    expect(http.code).toBe('REPO_REFUSED');
    expect(http.message).toContain('only sent over https');
  });

  it('reports an unreachable remote as REPO_UNREACHABLE', async () => {
    const error = await failure(wg.remoteBranchCommit(dir, join(root, 'missing.git'), 'main'));
    expect(error.code).toBe('REPO_UNREACHABLE');
  });
});
