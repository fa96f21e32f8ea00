import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_GO_STD_SEED_ENV } from '../src/languages/go/test-run-seed.js';

/**
 * Gives the whole run one temporary folder: the tests' own scratch folders (stores, fixture repos,
 * data_dirs) go inside it through TMPDIR, and it is removed when the run ends, so repeated runs do
 * not fill the disk with what single tests forget. AUTODEV_KEEP_TEST_DIRS=1 keeps it to look into
 * a failure. The sandbox is unaffected: it gives each command its own TMPDIR=/tmp.
 */
export default function setup(): () => Promise<void> {
  const runDir = mkdtempSync(join(tmpdir(), 'autodev-test-run-'));
  process.env['TMPDIR'] = runDir;
  // One Go standard-library seed for the whole run (src/languages/go/std-seed.ts): every data_dir's
  // seed folder points here (useTestRunGoStdSeed), so the first Go setup of the run compiles it and
  // the rest copy it, instead of each test file's data_dir compiling it again (~17 s of CPU each).
  process.env[TEST_GO_STD_SEED_ENV] = join(runDir, 'go-std');
  return async () => {
    if (process.env['AUTODEV_KEEP_TEST_DIRS'] === '1') return;
    await rm(runDir, { recursive: true, force: true, maxRetries: 3 });
  };
}
