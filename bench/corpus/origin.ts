import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { git } from '../../test/fixtures/repo.js';
import { pinGoSum } from './go-sum.js';
import { pinLockfile } from './lockfile.js';
import { assembleWorkspace } from './assemble.js';
import type { CorpusInstance, CorpusRealFix } from './types.js';
import { unpack } from './unpack.js';

async function applyEdit(dir: string, instance: CorpusInstance): Promise<void> {
  if (!instance.bug) throw new Error(`${instance.name}: neither an injected bug nor a real fix`);
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

/**
 * A real fix: the release's test files go on top of the previous release as the base's last commit;
 * its source files, written over the base, give the fix's diff, and are taken back out again.
 * `archive` is the previous release's folder; the release's own sits beside it (fetchRelease).
 */
async function applyRealFixTests(
  work: string,
  instance: CorpusInstance,
  realFix: CorpusRealFix,
  archive: string,
): Promise<string> {
  const next = archive.replace(new RegExp(`-${escapeRegExp(instance.source.version)}$`), `-${realFix.next}`);
  if (next === archive)
    throw new Error(`${instance.name}: no folder of release ${realFix.next} beside ${archive}`);
  const copy = async (files: string[]) => {
    for (const file of files) {
      await rm(path.join(work, file), { recursive: true, force: true });
      await cp(path.join(next, file), path.join(work, file), { recursive: true });
    }
  };
  await copy(realFix.tests);
  await git(work, ['add', '-A', '-f', '.']);
  await git(work, [
    'commit',
    '-q',
    '-m',
    `the tests of ${instance.source.name}@${realFix.next} on ${instance.source.version}`,
  ]);
  await copy(realFix.fix);
  await git(work, ['add', '-A', '-f', '.']);
  const diff = await git(work, ['diff', '--cached', 'HEAD']);
  await git(work, ['reset', '-q', '--hard', 'HEAD']);
  if (diff.trim() === '') throw new Error(`${instance.name}: the release's source files do not differ`);
  return diff;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
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
  else if (instance.realFix) await cp(archive, work, { recursive: true });
  else await unpack(instance.source, archive, work);
  await git(work, ['init', '-q', '-b', 'main']);
  // Upstream's own ignore rules would drop files the archive ships (a published Cargo.lock).
  await git(work, ['add', '-A', '-f', '.']);
  await git(work, ['commit', '-q', '-m', `upstream ${instance.source.name}@${instance.source.version}`]);
  if (instance.pinGoSum) {
    await pinGoSum(work, root);
    await git(work, ['add', '-A', '-f', '.']);
    await git(work, ['commit', '-q', '-m', 'pin a go.sum (the module publishes none)']);
  }
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
  let diff: string;
  if (instance.realFix) {
    diff = await applyRealFixTests(work, instance, instance.realFix, archive);
  } else {
    await applyEdit(work, instance);
    await git(work, ['commit', '-q', '-am', `inject the corpus bug of ${instance.name}`]);
    diff = await git(work, ['diff', 'HEAD', 'HEAD~1', '--', instance.bug?.file ?? '.']);
  }
  await mkdir(path.dirname(origin), { recursive: true });
  await git(path.dirname(origin), ['clone', '-q', '--bare', work, origin]);
  await rm(work, { recursive: true, force: true });
  return {
    origin,
    fixReply: ['Here is the fix:', '', '```diff', diff.trimEnd(), '```', ''].join('\n'),
    fixDiff: diff,
  };
}
