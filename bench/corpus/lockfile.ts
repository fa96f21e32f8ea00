import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withRealLockfile } from '../../test/fixtures/real-lockfiles.js';
import { DEFAULT_YARN_BERRY } from '../../src/languages/node/setup.js';
import type { CorpusLockfileManager } from './types.js';

/**
 * Registry tarballs ship no lockfile, so the corpus pins one for the instances run with pnpm or yarn:
 * written by the real tool from the published package.json (once; cached by its content, see
 * test/fixtures/real-lockfiles.ts), as a maintainer would commit it. Yarn 2+ also gets the
 * packageManager field `yarn set version` writes, which is how a repo selects berry.
 */
export async function pinLockfile(work: string, manager: CorpusLockfileManager): Promise<void> {
  const manifestPath = path.join(work, 'package.json');
  let manifest = await readFile(manifestPath, 'utf8');
  if (manager === 'yarn-berry') {
    const parsed = JSON.parse(manifest) as Record<string, unknown>;
    manifest = `${JSON.stringify({ ...parsed, packageManager: DEFAULT_YARN_BERRY }, null, 2)}\n`;
    await writeFile(manifestPath, manifest);
  }
  const generated = await withRealLockfile(manager, { 'package.json': manifest });
  if (!generated.ok) throw new Error(`${manager} could not write the corpus lockfile: ${generated.reason}`);
  for (const [name, content] of Object.entries(generated.files)) {
    await writeFile(path.join(work, name), content);
  }
}
