import { normalizePythonName, parseRequirement } from '../../languages/python/pep508.js';
import {
  hasManifest,
  linkFailed,
  readManifest,
  readTomlManifest,
  recordOf,
  requiredString,
} from './manifest.js';
import type { Linker } from './types.js';

const PYTHON_MANIFESTS = ['pyproject.toml', 'setup.py', 'setup.cfg', 'requirements.txt'];
/** Requirement files a consumer lists its dependencies in, besides pyproject.toml. */
const REQUIREMENT_FILES = ['requirements.txt', 'requirements-dev.txt', 'requirements-test.txt'];

/** Every requirement's normalized name the consumer declares (pyproject's lists, requirement files). */
async function declaredNames(consumerDir: string): Promise<Set<string>> {
  const texts: string[] = [];
  if (await hasManifest(consumerDir, 'pyproject.toml')) {
    const project = recordOf((await readTomlManifest(consumerDir, 'pyproject.toml')).project);
    const lists = [
      project?.dependencies,
      ...Object.values(recordOf(project?.['optional-dependencies']) ?? {}),
    ];
    for (const list of lists)
      if (Array.isArray(list)) texts.push(...list.filter((r) => typeof r === 'string'));
  }
  for (const file of REQUIREMENT_FILES) {
    const text = await readManifest(consumerDir, file);
    if (text !== undefined) texts.push(...text.split('\n'));
  }
  const names = new Set<string>();
  for (const text of texts) {
    const line = text.replace(/#.*/, '').trim();
    if (line === '' || line.startsWith('-')) continue;
    // A line that names no distribution (a URL, a path) comes back whole and matches nothing.
    names.add(parseRequirement(line).name);
  }
  return names;
}

/**
 * pip: after the consumer's own setup, the library's copy is installed into the consumer's
 * environment over the published distribution (`--force-reinstall`, since both may carry the same
 * version; `--no-deps`, the consumer's setup installed those; `--no-build-isolation`, the build
 * backend comes from the environment, as no index is reachable). Runs with the consumer's python
 * (its environment first on PATH); pip writes its build files in the library's copy, never a checkout.
 */
export const pipLinker: Linker = {
  id: 'pip',
  async detect(consumerDir) {
    for (const file of PYTHON_MANIFESTS) if (await hasManifest(consumerDir, file)) return true;
    return false;
  },
  async link({ consumerDir, libraryDir }) {
    const project = recordOf((await readTomlManifest(libraryDir, 'pyproject.toml')).project);
    const library = requiredString(project, 'name', 'library pyproject.toml [project]');
    if (!(await declaredNames(consumerDir)).has(normalizePythonName(library))) {
      throw linkFailed(
        `the consumer does not declare ${library} (pyproject.toml [project] dependencies, requirements*.txt): nothing to link`,
        { library },
      );
    }
    return {
      library,
      commands: [
        [
          'python3',
          '-m',
          'pip',
          'install',
          '--no-index',
          '--no-deps',
          '--no-build-isolation',
          '--force-reinstall',
          libraryDir,
        ],
      ],
      env: { PIP_NO_INPUT: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1' },
      buildArgs: [],
    };
  },
};
