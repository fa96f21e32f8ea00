import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { SandboxBind } from '../sandbox/types.js';
import type { RunProjectCommandOptions } from './types.js';

export type CacheEcosystem = 'cargo' | 'go' | 'npm' | 'python';

/**
 * The package caches of one repository: data_dir/caches/<key>/. Per repo, not shared by all: setup
 * writes them with the repo's own commands (an overridden `setup`, a build script run by pip), so a
 * hostile repo could plant a crate source or a wheel there; it then reaches only its own later tasks.
 */
export function repoCacheDir(dataDir: string, repo: string): string {
  const key = createHash('sha256').update(repo).digest('hex').slice(0, 16);
  return path.join(dataDir, 'caches', key);
}

export interface EcosystemCache {
  /** Absolute folder of the ecosystem's cache, created if missing. */
  dir: string;
  bind: SandboxBind;
}

/**
 * The ecosystem's folder in the repo's caches, bound writable (setup) or read-only (build, test,
 * lint); undefined when the run has no caches (a CLI run), where the commands fall back to HOME.
 */
export async function ecosystemCache(
  options: Pick<RunProjectCommandOptions, 'cacheDir'>,
  ecosystem: CacheEcosystem,
  writable: boolean,
): Promise<EcosystemCache | undefined> {
  if (options.cacheDir === undefined) return undefined;
  const dir = path.join(options.cacheDir, ecosystem);
  await mkdir(dir, { recursive: true });
  return { dir, bind: { path: dir, writable } };
}
