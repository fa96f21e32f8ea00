import { machineUvIndex, uvDefaultIndex } from '../../languages/python/uv-lock.js';
import type { RepoFiles } from '../types.js';

export { machineUvIndex };

/** The default index the repository names for uv (uv.toml, else pyproject's [tool.uv]), if any. */
export async function repositoryUvIndex(files: RepoFiles): Promise<string | undefined> {
  const uvToml = await files.read('uv.toml');
  return uvDefaultIndex(uvToml === undefined ? await files.read('pyproject.toml') : undefined, uvToml);
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
