import { compare, valid } from '@renovatebot/pep440';
import { parse } from 'smol-toml';
import { AutodevError } from '../../errors.js';
import { normalizePythonName } from '../../languages/python/pep508.js';

/** uv's own lockfile, next to pyproject.toml. */
export const UV_LOCK = 'uv.lock';

type Doc = Record<string, unknown>;

/**
 * The versions uv.lock resolves each package to (`[[package]]` name and version), by PEP 503 name.
 * A package locked at several versions (uv forks the resolution by markers) keeps its newest. The
 * project itself and other local sources (`virtual`, `editable`, `directory`, `path`) are left out:
 * their version is not an index's. Untrusted text: anything not a valid PEP 440 version is skipped.
 */
export function uvLockedVersions(text: string): Map<string, string> {
  let doc: Doc;
  try {
    doc = parse(text) as Doc;
  } catch (error) {
    throw new AutodevError('VALIDATION_FAILED', `${UV_LOCK} is not valid TOML: ${(error as Error).message}`, {
      details: { file: UV_LOCK },
    });
  }
  const packages = Array.isArray(doc['package']) ? (doc['package'] as unknown[]) : [];
  const out = new Map<string, string>();
  for (const entry of packages) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { name, version, source } = entry as Doc;
    if (typeof name !== 'string' || typeof version !== 'string' || valid(version) === null) continue;
    if (isLocalSource(source)) continue;
    const key = normalizePythonName(name);
    const seen = out.get(key);
    if (seen === undefined || compare(version, seen) > 0) out.set(key, version);
  }
  return out;
}

const LOCAL_SOURCES = ['virtual', 'editable', 'directory', 'path'];
const isLocalSource = (source: unknown): boolean =>
  typeof source === 'object' && source !== null && LOCAL_SOURCES.some((kind) => kind in source);

/** Whether a lockfile's text is uv's (TOML `[[package]]` tables) rather than pip-tools' requirements. */
export const isUvLock = (text: string): boolean => /^\[\[package\]\]\s*$/m.test(text);
