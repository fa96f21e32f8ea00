import { lstat, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * go.mod and go.sum (and a workspace's go.work and go.work.sum) as they were before a command ran.
 * `go mod download` writes go.sum even under -mod=readonly, and a command the repo configures may
 * write anything: whatever it changed is put back, so the change autodev commits (and pushes) holds
 * the manifests the base had plus the edits of the change itself, never a tool's rewrite of them.
 */
export interface GoManifestSnapshot {
  /** Absolute path → its bytes, or null when the file did not exist. */
  files: Map<string, Buffer | null>;
  workspaceDir: string;
}

/** Only a regular file inside the workspace is read: a symlink planted as go.mod is not followed. */
async function regularFile(file: string): Promise<Buffer | null> {
  const info = await lstat(file).catch(() => undefined);
  if (info === undefined || !info.isFile()) return null;
  return readFile(file);
}

async function insideWorkspace(workspaceDir: string, dir: string): Promise<boolean> {
  const [root, real] = await Promise.all([realpath(workspaceDir), realpath(dir).catch(() => undefined)]);
  return real !== undefined && (real === root || real.startsWith(`${root}${path.sep}`));
}

/**
 * The manifests of the module at `root` (repo-relative), and of the go.work folder when there is
 * one (`workRoot`, repo-relative).
 */
export async function snapshotGoManifests(
  workspaceDir: string,
  root: string,
  workRoot: string | undefined,
): Promise<GoManifestSnapshot> {
  const files = new Map<string, Buffer | null>();
  const places: [string, string[]][] = [[root, ['go.mod', 'go.sum']]];
  if (workRoot !== undefined) places.push([workRoot, ['go.work', 'go.work.sum']]);
  for (const [dir, names] of places) {
    const abs = path.resolve(workspaceDir, dir);
    if (!(await insideWorkspace(workspaceDir, abs))) continue;
    for (const name of names) files.set(path.join(abs, name), await regularFile(path.join(abs, name)));
  }
  return { files, workspaceDir };
}

/**
 * Puts back every manifest that differs from the snapshot; returns the repo-relative names of the
 * ones that had changed (empty when none had).
 */
export async function restoreGoManifests(snapshot: GoManifestSnapshot): Promise<string[]> {
  const changed: string[] = [];
  for (const [file, before] of snapshot.files) {
    const info = await lstat(file).catch(() => undefined);
    const now = info?.isFile() ? await readFile(file) : info === undefined ? null : undefined;
    const same = before === null ? now === null : now !== null && now !== undefined && before.equals(now);
    if (same) continue;
    changed.push(path.relative(snapshot.workspaceDir, file).split(path.sep).join('/'));
    // A symlink or folder left in its place is removed, not written through; a regular file is
    // rewritten in place, keeping its owner and mode.
    if (before === null || !info?.isFile()) await rm(file, { recursive: true, force: true });
    if (before !== null) await writeFile(file, before);
  }
  return changed;
}

/** One sentence for a report: which manifests a command changed and that they were put back. */
export function describeRestored(changed: readonly string[], what: string): string {
  return `${what} changed ${changed.join(', ')}: autodev put ${changed.length === 1 ? 'it' : 'them'} back as they were (autodev never lets its commands rewrite the module's manifests)`;
}
