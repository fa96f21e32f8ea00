import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { CorpusSource } from './types.js';

const exec = promisify(execFile);

/** The archive's files without its top folder (name-version/, package/, module@version/). */
export async function unpack(source: CorpusSource, archive: string, into: string): Promise<void> {
  const scratch = await mkdtemp(path.join(path.dirname(into), '.unpack-'));
  try {
    if (source.registry === 'goproxy') {
      await exec('unzip', ['-q', archive, '-d', scratch]);
      await cp(path.join(scratch, `${source.name}@${source.version}`), into, {
        recursive: true,
      });
    } else {
      await mkdir(into, { recursive: true });
      await exec('tar', ['-xzf', archive, '-C', into, '--strip-components=1', '--no-same-owner']);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
