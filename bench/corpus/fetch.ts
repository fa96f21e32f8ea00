import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { downloadArchive } from './client-archive.js';
import type { CorpusSource } from './types.js';

const MAX_ARCHIVE_BYTES = 64 * 1024 * 1024;

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The archive of `source`, from the cache folder or else downloaded once into it by the ecosystem's
 * own client (client-archive.ts: no registry address here). The checksum is checked on every use: a
 * pinned instance must be byte for byte the same source on every machine.
 */
export async function fetchArchive(source: CorpusSource, cacheDir: string): Promise<string> {
  const file = path.join(cacheDir, 'archives', `${source.registry}-${source.sha256.slice(0, 16)}`);
  const cached = await readFile(file).catch(() => undefined);
  if (cached !== undefined && sha256(cached) === source.sha256) return file;
  await mkdir(path.dirname(file), { recursive: true });
  const scratch = await mkdtemp(`${file}.dl-`);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(await downloadArchive(source, scratch)));
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  if (bytes.byteLength > MAX_ARCHIVE_BYTES)
    throw new Error(
      `${source.name}@${source.version}: archive is ${bytes.byteLength} bytes, limit ${MAX_ARCHIVE_BYTES}`,
    );
  const actual = sha256(bytes);
  if (actual !== source.sha256)
    throw new Error(
      `${source.name}@${source.version}: sha256 of the ${source.registry} archive is ${actual}, expected ${source.sha256}`,
    );
  await writeFile(`${file}.part`, bytes);
  await rename(`${file}.part`, file);
  return file;
}
