import path from 'node:path';
import { AutodevError } from '../../errors.js';
import type { RepoFiles } from '../types.js';
import { readRequirementsFile, type RequirementsFile } from './requirements-file.js';

/** The requirements files a scan starts from (the repository is read by name, not listed); `-r` and `-c` lead on. */
export const ROOT_REQUIREMENTS = [
  'requirements.txt',
  'requirements-dev.txt',
  'requirements_dev.txt',
  'requirements-test.txt',
  'requirements_test.txt',
  'dev-requirements.txt',
  'test-requirements.txt',
] as const;
const MAX_REQUIREMENTS_FILES = 32;

/**
 * Lock tools that own the versions: editing a specifier without them would leave their lock behind.
 * pip-tools shows as a requirements.in next to the compiled requirements.txt.
 */
const LOCK_TOOLS: readonly { file: string; tool: string }[] = [
  { file: 'poetry.lock', tool: 'Poetry' },
  { file: 'uv.lock', tool: 'uv' },
  { file: 'pdm.lock', tool: 'PDM' },
  { file: 'Pipfile.lock', tool: 'Pipenv' },
  { file: 'requirements.in', tool: 'pip-tools' },
];

export interface PythonManifests {
  /** Each requirements file read, by repo-relative path, in the order found. */
  requirements: Map<string, RequirementsFile>;
  pyproject: string | undefined;
}

/** `-r ../x.txt` stays inside the repository: a path that leaves it, or is absolute, is not followed. */
function includedPath(from: string, include: string): string | undefined {
  if (include.includes('://') || path.posix.isAbsolute(include)) return undefined;
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(from), include));
  return joined.startsWith('../') || joined === '..' ? undefined : joined;
}

export async function readPythonManifests(files: RepoFiles): Promise<PythonManifests> {
  const requirements = new Map<string, RequirementsFile>();
  const queue: string[] = [...ROOT_REQUIREMENTS];
  const seen = new Set<string>(queue);
  while (queue.length > 0 && requirements.size < MAX_REQUIREMENTS_FILES) {
    const file = queue.shift() ?? '';
    const text = await files.read(file);
    if (text === undefined) continue;
    const parsed = readRequirementsFile(text);
    requirements.set(file, parsed);
    for (const include of parsed.includes) {
      const next = includedPath(file, include);
      if (next !== undefined && !seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return { requirements, pyproject: await files.read('pyproject.toml') };
}

/**
 * UPDATE_UNSUPPORTED naming the lock tool when the repository uses one: its lockfile would go stale
 * under a specifier edit, and these updates are made without it. Requirements pinned with `==` and
 * no lock tool need none: the edit is the lock.
 */
export async function refuseLockTools(files: RepoFiles, manifests: PythonManifests): Promise<void> {
  for (const { file, tool } of LOCK_TOOLS) {
    if ((await files.read(file)) === undefined) continue;
    throw new AutodevError(
      'UPDATE_UNSUPPORTED',
      `python: ${file} shows the repository locks its dependencies with ${tool}, which dependency updates do not drive yet (supported: requirements*.txt and pyproject.toml without a lock tool)`,
      { details: { ecosystem: 'python', file, tool } },
    );
  }
  for (const [file, parsed] of manifests.requirements) {
    if (parsed.compiledByPipTools) {
      throw new AutodevError(
        'UPDATE_UNSUPPORTED',
        `python: ${file} is compiled by pip-compile (pip-tools), which dependency updates do not drive yet`,
        { details: { ecosystem: 'python', file, tool: 'pip-tools' } },
      );
    }
  }
}
