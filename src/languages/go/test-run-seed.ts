import { mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';

/** Set by the test run's global setup (test/global-setup.ts): the run's one folder of Go seeds. */
export const TEST_GO_STD_SEED_ENV = 'AUTODEV_TEST_GO_STD_SEED';

/**
 * For the tests' data_dirs: their Go standard-library seed folder (std-seed.ts) is the test run's
 * shared one, so the standard library is compiled once per run (by the first setup that needs
 * it, under the seed's lock; the others wait and copy) instead of once per data_dir. `seedRoot`
 * is the data_dir's seed folder (goStdSeedRoot); nothing changes outside a test run.
 */
export async function useTestRunGoStdSeed(
  seedRoot: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  const shared = env[TEST_GO_STD_SEED_ENV];
  if (shared === undefined || shared === '') return;
  await mkdir(shared, { recursive: true });
  await mkdir(path.dirname(seedRoot), { recursive: true });
  await symlink(shared, seedRoot).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  });
}
