import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { git } from '../../test/fixtures/repo.js';
import { pinLockfile } from './lockfile.js';
import { assembleWorkspace } from './assemble.js';
import type { CorpusInstance } from './types.js';
import { unpack } from './unpack.js';

async function applyEdit(dir: string, instance: CorpusInstance): Promise<void> {
  const { file, search, replace } = instance.bug;
  const full = path.join(dir, file);
  const text = await readFile(full, 'utf8');
  const count = text.split(search).length - 1;
  if (count !== 1)
    throw new Error(
      `${instance.name}: the bug's search text occurs ${count} times in ${file}, expected once`,
    );
  await writeFile(
    full,
    text.replace(search, () => replace),
  );
}

export interface CorpusOrigin {
  /** Bare repository at a stable path: the same repo key (and so the same caches) on every run. */
  origin: string;
  /** The fix as the model would write it: the bug commit reversed, as a fenced unified diff. */
  fixReply: string;
  /** The same fix as a plain unified diff, for `git apply`. */
  fixDiff: string;
}

/**
 * A bare origin whose main is upstream plus the injected bug on top. Rebuilt from scratch on every
 * call (a merged fix must not leak into the next run); commit dates are fixed, so the commits are too.
 */
export async function buildOrigin(
  instance: CorpusInstance,
  archive: string,
  root: string,
): Promise<CorpusOrigin> {
  const origin = path.join(root, 'origins', `${instance.name}.git`);
  const work = path.join(root, 'work', instance.name);
  await rm(origin, { recursive: true, force: true });
  await rm(work, { recursive: true, force: true });
  await mkdir(path.dirname(work), { recursive: true });
  if (instance.workspace) await assembleWorkspace(instance.name, instance.workspace, root, work);
  else await unpack(instance.source, archive, work);
  await git(work, ['init', '-q', '-b', 'main']);
  // Upstream's own ignore rules would drop files the archive ships (a published Cargo.lock).
  await git(work, ['add', '-A', '-f', '.']);
  await git(work, ['commit', '-q', '-m', `upstream ${instance.source.name}@${instance.source.version}`]);
  if (instance.lockfile) {
    await pinLockfile(work, instance.lockfile);
    await git(work, ['add', '-A', '-f', '.']);
    await git(work, [
      'commit',
      '-q',
      '-m',
      `pin a ${instance.lockfile} lockfile (registry tarballs ship none)`,
    ]);
  }
  await applyEdit(work, instance);
  await git(work, ['commit', '-q', '-am', `inject the corpus bug of ${instance.name}`]);
  const diff = await git(work, ['diff', 'HEAD', 'HEAD~1', '--', instance.bug.file]);
  await mkdir(path.dirname(origin), { recursive: true });
  await git(path.dirname(origin), ['clone', '-q', '--bare', work, origin]);
  await rm(work, { recursive: true, force: true });
  return {
    origin,
    fixReply: ['Here is the fix:', '', '```diff', diff.trimEnd(), '```', ''].join('\n'),
    fixDiff: diff,
  };
}
