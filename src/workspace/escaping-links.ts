import { readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import { AutodevError } from '../errors.js';
import { spawnCapped } from '../sandbox/spawn-capped.js';
import { isWithin } from './real-path.js';

/** How many links are named in the error; the rest are counted. */
const NAMED = 5;

export interface EscapingLink {
  /** Path relative to the workspace. */
  link: string;
  /** What the link says (its text, not resolved). */
  target: string;
}

/**
 * Symbolic links in the workspace (its `.git` aside) whose real target lies outside it: a committed
 * `hostroot -> /` or `up -> ../..` made a test runner that follows links (pytest's collection, a
 * glob in a build) walk the host until the timeout. A link that leads nowhere on the host is left:
 * there is nothing behind it to walk. One `find` (C, no per-file work in this process).
 */
export async function findEscapingLinks(workspaceDir: string, signal?: AbortSignal): Promise<EscapingLink[]> {
  const root = await realpath(workspaceDir);
  const listed = await spawnCapped({
    argv: ['find', root, '-path', path.join(root, '.git'), '-prune', '-o', '-type', 'l', '-print0'],
    cwd: '/',
    env: { PATH: '/usr/bin:/bin', LC_ALL: 'C' },
    timeoutMs: 120_000,
    maxOutputBytes: 16 * 1024 * 1024,
    ...(signal ? { signal } : {}),
  });
  const escaping: EscapingLink[] = [];
  for (const link of listed.stdout.split('\0').filter((entry) => entry !== '')) {
    const real = await realpath(link).catch(() => undefined);
    if (real === undefined || isWithin(real, root)) continue;
    escaping.push({ link: path.relative(root, link), target: await readlink(link).catch(() => '?') });
  }
  return escaping.sort((a, b) => a.link.localeCompare(b.link));
}

/**
 * Refuses to run setup, build, tests or lint over a workspace with links that leave it, with
 * WORKSPACE_ESCAPE naming them: the reason is clear before anything runs, not a timeout after.
 */
export async function assertNoEscapingLinks(workspaceDir: string, signal?: AbortSignal): Promise<void> {
  const escaping = await findEscapingLinks(workspaceDir, signal);
  if (escaping.length === 0) return;
  const named = escaping.slice(0, NAMED).map(({ link, target }) => `${link} -> ${target}`);
  const more = escaping.length > NAMED ? ` and ${escaping.length - NAMED} more` : '';
  throw new AutodevError(
    'WORKSPACE_ESCAPE',
    `the repository has symbolic links that lead outside it (${named.join(', ')}${more}); ` +
      'commands do not run over them, since a test runner or build that follows them walks the host: ' +
      'remove them or point them inside the repository',
    { details: { links: escaping.slice(0, 100) } },
  );
}
