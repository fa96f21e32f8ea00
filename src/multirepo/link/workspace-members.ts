import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { linkFailed } from './manifest.js';
import { isGlobSegment, matchPath, matchSegment } from '../../util/segment-glob.js';

/** More members than this is not a workspace a person keeps: refused rather than walked. */
const MAX_MEMBERS = 1000;
/** Folders a `**` may look into, at most: a hostile tree cannot make the walk unbounded. */
const MAX_FOLDERS_WALKED = 10_000;
const MAX_DEPTH = 12;

export interface MemberPatterns {
  /** Globs of member folders relative to the root (Cargo's `members`, npm's `workspaces`). */
  include: string[];
  /** Globs or plain paths of folders left out (Cargo's `exclude`, npm's `!pattern`). */
  exclude: string[];
  /** The manifest a folder must hold to be a member (Cargo.toml, package.json). */
  manifest: string;
  /** The file and key the patterns come from, named when one is refused. */
  where: string;
}

/**
 * The member folders of a workspace (relative to `root`, sorted), expanded as Cargo and npm do:
 * a glob per path segment (`*`, `?`, `[...]`, `**`; segment-glob.ts, time bounded), no hidden
 * folder matched by a wildcard.
 * Repository content is hostile: links are never followed (a linked folder is no member), a
 * pattern leaving the root is refused naming it, and the walk and the members are bounded.
 */
export async function workspaceMembers(root: string, patterns: MemberPatterns): Promise<string[]> {
  const walk = { folders: 0 };
  const found = new Set<string>();
  for (const pattern of patterns.include) {
    for (const dir of await expand(root, segmentsOf(pattern, patterns.where), walk)) {
      if (dir !== '' && (await lstat(path.join(root, dir, patterns.manifest)).catch(() => undefined))) {
        found.add(dir);
      }
      if (found.size > MAX_MEMBERS)
        throw linkFailed(`${patterns.where}: more than ${MAX_MEMBERS} members`, { key: patterns.where });
    }
  }
  // Cargo's exclude is a path: it leaves out that folder and everything under it.
  const excluded = patterns.exclude.map((p) => segmentsOf(p, patterns.where));
  const isExcluded = (dir: string) => {
    const segments = dir.split('/');
    return excluded.some((pattern) => segments.some((_, i) => matchPath(pattern, segments.slice(0, i + 1))));
  };
  return [...found].filter((dir) => !isExcluded(dir)).sort();
}

function segmentsOf(pattern: string, where: string): string[] {
  const segments = pattern.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  if (path.isAbsolute(pattern) || segments.includes('..')) {
    throw linkFailed(`${where}: member ${JSON.stringify(pattern)} is outside the workspace's folder`, {
      key: where,
      value: pattern,
    });
  }
  return segments;
}

/** The folders (relative, '' for the root) that `segments` match, walking real folders only. */
async function expand(root: string, segments: string[], walk: { folders: number }): Promise<string[]> {
  let dirs = [''];
  for (const segment of segments) {
    const next: string[] = [];
    for (const dir of dirs) {
      if (segment === '**') next.push(...(await descendants(root, dir, walk)));
      else if (!isGlobSegment(segment)) {
        const info = await lstat(path.join(root, dir, segment)).catch(() => undefined);
        if (info?.isDirectory()) next.push(path.posix.join(dir, segment));
      } else {
        for (const name of await subfolders(root, dir, walk))
          if (matchSegment(segment, name)) next.push(path.posix.join(dir, name));
      }
    }
    dirs = [...new Set(next)];
  }
  return dirs;
}

/** Names of the real (not linked) subfolders of `dir`. */
async function subfolders(root: string, dir: string, walk: { folders: number }): Promise<string[]> {
  walk.folders += 1;
  if (walk.folders > MAX_FOLDERS_WALKED)
    throw linkFailed(`workspace members: more than ${MAX_FOLDERS_WALKED} folders to look through`);
  const entries = await readdir(path.join(root, dir), { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory() && e.name !== 'node_modules' && e.name !== '.git')
    .map((e) => e.name);
}

/** `dir` and every folder under it, hidden ones and node_modules left out, as `**` matches. */
async function descendants(root: string, dir: string, walk: { folders: number }): Promise<string[]> {
  const all = [dir];
  let level = [dir];
  for (let depth = 0; depth < MAX_DEPTH && level.length > 0; depth += 1) {
    const below: string[] = [];
    for (const d of level) {
      for (const name of await subfolders(root, d, walk))
        if (!name.startsWith('.')) below.push(path.posix.join(d, name));
    }
    all.push(...below);
    level = below;
  }
  return all;
}
