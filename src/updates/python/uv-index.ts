import { parse } from 'smol-toml';
import { AutodevError } from '../../errors.js';
import type { RepoFiles } from '../types.js';

type Doc = Record<string, unknown>;

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
 * The default index the repository names for uv, read as uv reads it: a `uv.toml` beside
 * pyproject.toml replaces `[tool.uv]` entirely (its keys at the top level); else pyproject's
 * `[tool.uv]`. Undefined when neither names one.
 */
export async function repositoryUvIndex(files: RepoFiles): Promise<string | undefined> {
  const uvToml = await files.read('uv.toml');
  if (uvToml !== undefined) return defaultIndexOf(parsed('uv.toml', uvToml));
  const pyproject = await files.read('pyproject.toml');
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

/**
 * The variables of the lock step (`uv lock` in the sandbox): no interpreter downloads, no progress
 * bars, and the index the scan looked versions up in. The repository's own index (pyproject or
 * uv.toml) must win, so the machine's UV_DEFAULT_INDEX / UV_INDEX_URL, which would outrank it, are
 * emptied (uv reads an empty value as unset); without one, the machine's uv index, else pip's
 * (PIP_INDEX_URL: uv does not read pip's configuration), else uv's own default, which is pip's.
 */
export function uvLockEnv(
  repositoryIndex: string | undefined,
  registryEnv: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const env = { UV_PYTHON_DOWNLOADS: 'never', UV_NO_PROGRESS: '1', UV_INDEX_URL: '' };
  if (repositoryIndex !== undefined) return { ...env, UV_DEFAULT_INDEX: '' };
  const machine = machineUvIndex(registryEnv) ?? registryEnv['PIP_INDEX_URL'];
  return { ...env, UV_DEFAULT_INDEX: machine ?? '' };
}
