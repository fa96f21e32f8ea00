import { AutodevError } from '../errors.js';
import { realPathInside } from '../workspace/real-path.js';
import type { SandboxBind } from './types.js';

/**
 * Each extra bind by its real path, which must lie inside `bindRoot` (data_dir): a cache path is
 * autodev's, but a symlink planted in it by an earlier setup must not mount a host folder writable.
 */
export async function resolveBinds(
  binds: readonly SandboxBind[] | undefined,
  bindRoot: string | undefined,
): Promise<SandboxBind[]> {
  if (binds === undefined || binds.length === 0) return [];
  if (bindRoot === undefined) {
    throw new AutodevError(
      'VALIDATION_FAILED',
      'binds: this sandbox has no bindRoot, so no folder may be bound',
    );
  }
  const out: SandboxBind[] = [];
  for (const bind of binds) {
    const real = await realPathInside(bindRoot, bind.path, { what: 'sandbox bind' });
    out.push({ path: real, writable: bind.writable });
  }
  return out;
}
