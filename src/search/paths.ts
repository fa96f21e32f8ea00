import path from 'node:path';
import { realPathInside } from '../workspace/real-path.js';

/** Where ripgrep runs and what it is told to search, both after every symlink was resolved. */
export interface SearchTarget {
  /** The real path of the workspace: ripgrep's cwd, so the paths it prints are relative to it. */
  cwd: string;
  /** The real path searched, relative to `cwd` ("." for the whole workspace). */
  target: string;
}

/**
 * Resolves a search path given by a user or a model to its real path inside the workspace. ripgrep
 * follows a symlink named on its command line (it only skips links met while walking), so a link
 * committed or created by an edit (`x -> /`, `up -> ../..`) must be resolved here, never handed to it.
 * A link that stays inside the workspace is allowed and searched under its real name.
 */
export async function resolveSearchTarget(dir: string, given: string | undefined): Promise<SearchTarget> {
  const cwd = await realPathInside(dir, '.', { what: 'workspace' });
  if (given === undefined) return { cwd, target: '.' };
  const real = await realPathInside(cwd, given, { what: 'search path', errorCode: 'VALIDATION_FAILED' });
  const target = path.relative(cwd, real);
  return { cwd, target: target === '' ? '.' : target };
}
