import path from 'node:path';
import { AutodevError } from '../../errors.js';
import type { RepoFiles } from '../types.js';
import { pinnedVersions, readRequirementsFile, type RequirementsFile } from './requirements-file.js';

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
 * Lock tools that own the versions and that the updater does not drive: editing a specifier without
 * them would leave their lock behind. uv (uv.lock) is driven: see uv-lock.ts.
 */
const LOCK_TOOLS: readonly { file: string; tool: string }[] = [
  { file: 'poetry.lock', tool: 'Poetry' },
  { file: 'pdm.lock', tool: 'PDM' },
  { file: 'Pipfile.lock', tool: 'Pipenv' },
];

/** pip-tools' input for a requirements file: `requirements-dev.txt` is compiled from `requirements-dev.in`. */
export const pipToolsInput = (txt: string): string => txt.replace(/\.txt$/, '.in');
export const pipToolsOutput = (input: string): string | undefined =>
  input.endsWith('.in') ? input.replace(/\.in$/, '.txt') : undefined;

export interface PythonManifests {
  /** Each requirements file read, by repo-relative path, in the order found (pip-tools' outputs not among them). */
  requirements: Map<string, RequirementsFile>;
  /** pip-tools pairs: each `.in` read (bare names kept), with its compiled `.txt`'s pins. */
  compiled: Map<string, { requirements: RequirementsFile; output: string; pins: Map<string, string> }>;
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
  const compiled: PythonManifests['compiled'] = new Map();
  const queue: string[] = [...ROOT_REQUIREMENTS];
  const seen = new Set<string>(queue);
  while (queue.length > 0 && requirements.size < MAX_REQUIREMENTS_FILES) {
    const file = queue.shift() ?? '';
    const text = await files.read(file);
    if (text === undefined) continue;
    const parsed = readRequirementsFile(text);
    const input = file.endsWith('.txt') ? await files.read(pipToolsInput(file)) : undefined;
    if (input !== undefined) {
      compiled.set(pipToolsInput(file), {
        requirements: readRequirementsFile(input, { bare: true }),
        output: file,
        pins: pinnedVersions(text),
      });
      continue;
    }
    requirements.set(file, parsed);
    for (const include of parsed.includes) {
      const next = includedPath(file, include);
      if (next !== undefined && !seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return { requirements, compiled, pyproject: await files.read('pyproject.toml') };
}

/**
 * UPDATE_UNSUPPORTED naming the lock tool when the repository uses one this updater does not drive:
 * its lockfile would go stale under a specifier edit. Requirements pinned with `==` and no lock tool
 * need none (the edit is the lock); pip-tools' `X.in` next to its `X.txt` is driven (pip-compile).
 */
export async function refuseLockTools(files: RepoFiles, manifests: PythonManifests): Promise<void> {
  for (const { file, tool } of LOCK_TOOLS) {
    if ((await files.read(file)) === undefined) continue;
    throw new AutodevError(
      'UPDATE_UNSUPPORTED',
      `python: ${file} shows the repository locks its dependencies with ${tool}, which dependency updates do not drive yet (supported: requirements*.txt, pip-tools, and pyproject.toml without a lock tool or locked by uv)`,
      { details: { ecosystem: 'python', file, tool } },
    );
  }
  for (const [file, parsed] of manifests.requirements) {
    if (parsed.compiledByPipTools) {
      throw new AutodevError(
        'UPDATE_UNSUPPORTED',
        `python: ${file} is compiled by pip-compile (pip-tools) from something other than ${pipToolsInput(file)} (pyproject.toml, setup.py), which dependency updates do not drive yet`,
        { details: { ecosystem: 'python', file, tool: 'pip-tools' } },
      );
    }
  }
}
