import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { AutodevError } from '../../errors.js';

/** A manifest larger than this is not one a person wrote: refused rather than parsed. */
const MAX_MANIFEST_BYTES = 1024 * 1024;

export function linkFailed(message: string, details?: Record<string, unknown>): AutodevError {
  return new AutodevError('LINK_FAILED', message, details ? { details } : {});
}

/**
 * `file` of a checkout copy as text, or undefined when it is not there. Repository content is
 * hostile: a symlink (which could lead out of the copy) or an oversized file is refused by name.
 */
export async function readManifest(dir: string, file: string): Promise<string | undefined> {
  const full = path.join(dir, file);
  const info = await lstat(full).catch(() => undefined);
  if (!info) return undefined;
  if (!info.isFile())
    throw linkFailed(`${file} in ${dir} is not a regular file (a link or folder)`, { file });
  if (info.size > MAX_MANIFEST_BYTES) {
    throw linkFailed(
      `${file} in ${dir} is ${info.size} bytes, over the ${MAX_MANIFEST_BYTES} a manifest may have`,
      {
        file,
      },
    );
  }
  return readFile(full, 'utf8');
}

export async function hasManifest(dir: string, file: string): Promise<boolean> {
  return (await lstat(path.join(dir, file)).catch(() => undefined))?.isFile() ?? false;
}

/** A record of a parsed manifest, or undefined for anything else (a list, a string). */
export function recordOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

export async function readJsonManifest(dir: string, file: string): Promise<Record<string, unknown>> {
  const text = await readManifest(dir, file);
  if (text === undefined) throw linkFailed(`${dir} has no ${file}`, { file });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw linkFailed(`${file} in ${dir} is not JSON: ${String(error)}`, { file });
  }
  const record = recordOf(parsed);
  if (!record) throw linkFailed(`${file} in ${dir} is not a JSON object`, { file });
  return record;
}

export async function readTomlManifest(dir: string, file: string): Promise<Record<string, unknown>> {
  const text = await readManifest(dir, file);
  if (text === undefined) throw linkFailed(`${dir} has no ${file}`, { file });
  try {
    return parseToml(text);
  } catch (error) {
    throw linkFailed(`${file} in ${dir} is not TOML: ${String(error)}`, { file });
  }
}

/** `key` of `record` as a non-empty string, or LINK_FAILED naming the file and key. */
export function requiredString(
  record: Record<string, unknown> | undefined,
  key: string,
  where: string,
): string {
  const value = record?.[key];
  if (typeof value !== 'string' || value.length === 0) {
    throw linkFailed(`${where}: expected ${key} to be a non-empty string`, { key: `${where}.${key}` });
  }
  return value;
}
