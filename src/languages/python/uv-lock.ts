import { compare, valid } from '@renovatebot/pep440';
import { parse } from 'smol-toml';
import { AutodevError } from '../../errors.js';
import { normalizePythonName } from './pep508.js';

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

const table = (value: unknown): Doc =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Doc) : {};

/**
 * The default index a uv settings table names: the `[[index]]` entry with `default = true`, else the
 * deprecated `index-url`; undefined when it names none (uv then uses its own default).
 */
function defaultIndexOf(settings: Doc): string | undefined {
  const indexes = Array.isArray(settings['index']) ? (settings['index'] as unknown[]) : [];
  for (const entry of indexes) {
    const { url, default: isDefault } = table(entry);
    if (isDefault === true && typeof url === 'string' && url !== '') return url;
  }
  const legacy = settings['index-url'];
  return typeof legacy === 'string' && legacy !== '' ? legacy : undefined;
}

function parsed(file: string, text: string): Doc {
  try {
    return parse(text) as Doc;
  } catch (error) {
    throw new AutodevError('VALIDATION_FAILED', `${file} is not valid TOML: ${(error as Error).message}`, {
      details: { file },
    });
  }
}

/**
 * The default index a project names for uv, read as uv reads it: a `uv.toml` beside pyproject.toml
 * replaces `[tool.uv]` entirely (its keys at the top level); else pyproject's `[tool.uv]`.
 * Undefined when neither names one. Throws VALIDATION_FAILED naming a file that is not TOML.
 */
export function uvDefaultIndex(
  pyproject: string | undefined,
  uvToml: string | undefined,
): string | undefined {
  if (uvToml !== undefined) return defaultIndexOf(parsed('uv.toml', uvToml));
  if (pyproject === undefined) return undefined;
  return defaultIndexOf(table(table(parsed('pyproject.toml', pyproject)['tool'])['uv']));
}

/** The machine's uv index from its own variables: UV_DEFAULT_INDEX, then the older UV_INDEX_URL. */
export function machineUvIndex(env: Readonly<Record<string, string | undefined>>): string | undefined {
  // An empty value is unset, as uv reads it.
  for (const name of ['UV_DEFAULT_INDEX', 'UV_INDEX_URL']) {
    const value = env[name];
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}
