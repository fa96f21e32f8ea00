import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { AutodevError } from '../../errors.js';

const run = promisify(execFile);

/** A temp git repository with the given files committed, for tests. */
export async function createGitWorkspace(
  files: Record<string, string>,
): Promise<{ dir: string; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'autodev-agent-'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  await run('git', ['init', '-q'], { cwd: dir });
  await run('git', ['add', '-A'], { cwd: dir });
  await run('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'init'], { cwd: dir });
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** What the workspace layer does with real git: applies a diff, refusing one that does not apply. */
export async function gitApplyUnifiedDiff(dir: string, diff: string): Promise<string[]> {
  const patch = path.join(dir, '.git', 'autodev-test.patch');
  await writeFile(patch, diff);
  try {
    const { stdout } = await run('git', ['apply', '--numstat', '--recount', patch], { cwd: dir });
    await run('git', ['apply', '--recount', '--whitespace=nowarn', patch], { cwd: dir });
    return stdout
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => line.split('\t')[2] ?? '');
  } catch (error) {
    const reverse = await run('git', ['apply', '--reverse', '--check', '--recount', patch], {
      cwd: dir,
    }).then(
      () => true,
      () => false,
    );
    if (reverse) throw new AutodevError('EDIT_ALREADY_APPLIED', 'the diff is already applied to the files');
    const stderr = error instanceof Error && 'stderr' in error ? String(error.stderr) : String(error);
    throw new AutodevError('PATCH_FAILED', `git apply refused the diff: ${stderr.trim()}`, { cause: error });
  }
}
