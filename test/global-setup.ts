import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Gives the whole run one temporary folder: the tests' own scratch folders (stores, fixture repos,
 * data_dirs) go inside it through TMPDIR, and it is removed when the run ends, so repeated runs do
 * not fill the disk with what single tests forget. AUTODEV_KEEP_TEST_DIRS=1 keeps it to look into
 * a failure. The sandbox is unaffected: it gives each command its own TMPDIR=/tmp.
 */
export default function setup(): () => Promise<void> {
  const runDir = mkdtempSync(join(tmpdir(), 'autodev-test-run-'));
  process.env['TMPDIR'] = runDir;
  return async () => {
    if (process.env['AUTODEV_KEEP_TEST_DIRS'] === '1') return;
    await rm(runDir, { recursive: true, force: true, maxRetries: 3 });
  };
}
