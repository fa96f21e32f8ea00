import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { hostNpmRegistry } from '../network/registries/index.js';
import { createBubblewrapSandbox } from '../sandbox/bubblewrap.js';
import { goStdSeedRoot } from './go/std-seed.js';
import { useTestRunGoStdSeed } from './go/test-run-seed.js';
import type { RunProjectCommandOptions } from './types.js';

export interface LanguageTestContext {
  /** A fresh, empty folder to write a fixture repo into. */
  repo(name: string): Promise<string>;
  options(workspaceDir: string): RunProjectCommandOptions;
  dispose(): Promise<void>;
}

/**
 * For the language tests: the real bubblewrap sandbox (network off, as in the verify phase),
 * one HOME kept for the whole test file so Go's build cache makes later runs fast, and the
 * temp repos removed at the end.
 */
export async function createLanguageTestContext(
  hostEnv: Readonly<Record<string, string | undefined>>,
): Promise<LanguageTestContext> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'autodev-lang-'));
  const homeDir = path.join(base, 'home');
  await mkdir(homeDir);
  // The sandbox itself drops node_modules/.bin dirs (ours, from npm/npx) from PATH.
  // base plays data_dir: the package caches live in base/caches, the only folder binds may use,
  // and it is hidden as the server hides its data_dir (src/sandbox/index.ts), so what runs here
  // sees the mounts a task sees.
  const sandbox = createBubblewrapSandbox({ hostEnv, bindRoot: base, hide: [base] });
  const cacheDir = path.join(base, 'caches');
  await useTestRunGoStdSeed(goStdSeedRoot(cacheDir), hostEnv);
  // As the runtime does: corepack fetches from the registry the host's npm is configured for.
  const npmRegistry = await hostNpmRegistry(hostEnv);
  let count = 0;
  return {
    async repo(name) {
      const dir = path.join(base, `${name}-${count++}`);
      await mkdir(dir);
      return dir;
    },
    options: (workspaceDir) => ({
      sandbox,
      workspaceDir,
      timeoutMs: 300_000,
      homeDir,
      cacheDir,
      ...(npmRegistry ? { npmRegistry } : {}),
    }),
    dispose: () => rm(base, { recursive: true, force: true }),
  };
}
