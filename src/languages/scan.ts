import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/** Folders that hold dependencies, build output or environments, never a project of the repo's own. */
const SKIPPED = new Set([
  'node_modules',
  'target',
  'vendor',
  'dist',
  'build',
  'venv',
  'env',
  '__pycache__',
  'third_party',
]);

/** Project folders are looked for at the root and this many levels below it. */
export const MAX_DEPTH = 2;

/** The repo root and its folders down to MAX_DEPTH, as paths relative to the root ('.' first). */
export async function candidateDirs(repoDir: string): Promise<string[]> {
  const out: string[] = ['.'];
  async function walk(rel: string, depth: number): Promise<void> {
    if (depth >= MAX_DEPTH) return;
    const entries = await readdir(path.join(repoDir, rel), { withFileTypes: true }).catch(() => []);
    const dirs = entries
      .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !SKIPPED.has(e.name))
      .map((e) => e.name)
      .sort();
    for (const name of dirs) {
      const child = rel === '.' ? name : `${rel}/${name}`;
      // A virtualenv under any name carries pyvenv.cfg.
      if (await exists(path.join(repoDir, child, 'pyvenv.cfg'))) continue;
      out.push(child);
      await walk(child, depth + 1);
    }
  }
  await walk('.', 0);
  return out;
}

export async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

export async function readText(file: string): Promise<string | undefined> {
  return readFile(file, 'utf8').catch(() => undefined);
}

/** True when `dir` lies strictly inside `ancestor` (both relative to the repo root). */
export function isInside(dir: string, ancestor: string): boolean {
  if (dir === ancestor) return false;
  return ancestor === '.' || dir.startsWith(`${ancestor}/`);
}
