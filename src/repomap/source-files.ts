import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { AutodevError } from '../errors.js';
import { realPathInside } from '../workspace/real-path.js';
import { languageForPath } from './languages.js';
import type { RepoMapLanguage, SkippedFile } from './types.js';

/** Folders that hold dependencies, builds or caches, not the project's own code. */
const SKIPPED_DIRS = new Set([
  '.git',
  'node_modules',
  'vendor',
  'target',
  'dist',
  'build',
  '__pycache__',
  '.venv',
  'venv',
  '.tox',
  '.mypy_cache',
  '.autodev',
]);
/** Bytes read to tell a binary file (a NUL among them) from text, as git does. */
const BINARY_SNIFF_BYTES = 8000;

export interface SourceFileLimits {
  maxFileBytes: number;
  maxFiles: number;
  /** Bytes read in all; files past it are skipped as `over_budget`. Unbounded when absent. */
  maxTotalBytes?: number;
}

export interface SourceFile {
  path: string;
  language: RepoMapLanguage;
  text: string;
}

/**
 * The workspace's source files in the map's languages, read as text. Paths come from the repository
 * (or the model, through the tool), so each file's real path must stay inside the workspace: a
 * symlink out of it is skipped, never read. Large and binary files are skipped with the reason.
 */
export async function readSourceFiles(
  workspaceDir: string,
  files: readonly string[] | undefined,
  limits: SourceFileLimits,
  signal?: AbortSignal,
): Promise<{ sources: SourceFile[]; skipped: SkippedFile[] }> {
  const candidates = (files ?? (await listWorkspaceFiles(workspaceDir, limits.maxFiles * 4, signal)))
    .map((file) => file.split(path.sep).join('/'))
    .filter((file) => languageForPath(file) !== undefined)
    .slice(0, limits.maxFiles);
  const sources: SourceFile[] = [];
  const skipped: SkippedFile[] = [];
  let bytesLeft = limits.maxTotalBytes ?? Number.POSITIVE_INFINITY;
  for (const file of candidates) {
    signal?.throwIfAborted();
    const language = languageForPath(file);
    if (!language) continue;
    const outcome = await readOne(workspaceDir, file, Math.min(limits.maxFileBytes, bytesLeft));
    if (typeof outcome === 'string') {
      sources.push({ path: file, language, text: outcome });
      bytesLeft -= Buffer.byteLength(outcome);
    } else if (outcome.reason === 'too_large' && bytesLeft < limits.maxFileBytes) {
      skipped.push({ path: file, reason: 'over_budget' });
    } else skipped.push({ path: file, reason: outcome.reason });
  }
  return { sources, skipped };
}

async function readOne(
  workspaceDir: string,
  file: string,
  maxFileBytes: number,
): Promise<string | { reason: SkippedFile['reason'] }> {
  let real: string;
  try {
    real = await realPathInside(workspaceDir, file, { what: 'repo map file' });
  } catch (error) {
    if (error instanceof AutodevError && error.code === 'WORKSPACE_ESCAPE')
      return { reason: 'outside_workspace' };
    return { reason: 'unreadable' };
  }
  const handle = await open(real, 'r').catch(() => undefined);
  if (!handle) return { reason: 'unreadable' };
  try {
    const info = await handle.stat();
    if (!info.isFile()) return { reason: 'unreadable' };
    if (info.size > maxFileBytes) return { reason: 'too_large' };
    // Read at most one byte past the limit: the file may have grown since stat.
    const buffer = Buffer.alloc(Math.min(info.size, maxFileBytes) + 1);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    if (bytesRead > maxFileBytes) return { reason: 'too_large' };
    const bytes = buffer.subarray(0, bytesRead);
    if (bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0)) return { reason: 'binary' };
    return bytes.toString('utf8');
  } finally {
    await handle.close();
  }
}

/** Files under the workspace, without descending into symlinked or dependency folders. */
export async function listWorkspaceFiles(
  root: string,
  limit: number,
  signal?: AbortSignal,
): Promise<string[]> {
  const found: string[] = [];
  const pending = [''];
  while (pending.length > 0 && found.length < limit) {
    signal?.throwIfAborted();
    const relative = pending.shift() ?? '';
    const entries = await readdir(path.join(root, relative), { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRS.has(entry.name)) pending.push(child);
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        // Symlinked files are listed: readSourceFiles checks where they really lead.
        found.push(child);
      }
      if (found.length >= limit) break;
    }
  }
  return found;
}
