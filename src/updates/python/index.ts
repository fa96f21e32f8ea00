import { AutodevError } from '../../errors.js';
import type { RegistryAccess } from '../registry-access.js';
import type { RunProjectCommandOptions } from '../../languages/types.js';
import type { DeclaredDependency, RepoFiles, Updater } from '../types.js';
import { pythonContents } from './contents.js';
import { editPythonManifest } from './manifest-edit.js';
import { pipToolsOutput, readPythonManifests, refuseLockTools, type PythonManifests } from './manifests.js';
import { pinnedVersions } from './requirements-file.js';
import { normalizePythonName } from '../../languages/python/pep508.js';
import { pyprojectRequirements } from './pyproject.js';
import { floorVersion } from './requirement.js';
import { fetchPythonVersions } from './simple-index.js';
import { refuseUvBuilds } from './uv-project.js';
import { machineUvIndex, repositoryUvIndex, uvLockEnv } from './uv-index.js';
import { isUvLock, UV_LOCK, uvLockedVersions } from '../../languages/python/uv-lock.js';
import { PEP440_VERSIONING } from './versioning.js';

/** pip's own default index, as pip defines it (no address is written here). */
const PIP_DEFAULT_INDEX = 'from pip._internal.models.index import PyPI; print(PyPI.simple_url)';

/** A requirements file's own name says whether it is for development: requirements-dev.txt, test.txt. */
const devByFileName = (file: string): boolean =>
  /(^|[-_./])(dev|test|tests|lint|docs?|ci)([-_.]|$)/i.test(file);

/**
 * `index-url` from `pip config list` (`scope.index-url='URL'` lines): PIP_INDEX_URL (`:env:`) wins,
 * then the last file pip read (site over user over global, as pip lists them).
 */
export function configuredIndexUrl(listing: string): string | undefined {
  let fromFiles: string | undefined;
  for (const line of listing.split('\n')) {
    const match = /^([^=]*)\.index-url='(\S*)'$/.exec(line.trim());
    if (match?.[2] === undefined || match[2] === '') continue;
    if (match[1] === ':env:') return match[2];
    fromFiles = match[2];
  }
  return fromFiles;
}

/**
 * `locked`: uv.lock's versions, when uv locks the repository: pyproject's names (bare ones too) at
 * the versions it resolves, not the specifiers' floors.
 */
function declaredOf(manifests: PythonManifests, locked?: Map<string, string>): DeclaredDependency[] {
  const out: DeclaredDependency[] = [];
  for (const [file, parsed] of manifests.requirements) {
    for (const requirement of parsed.requirements) {
      const current = floorVersion(requirement.spec);
      if (current === undefined) continue;
      const depType = devByFileName(file) ? 'dev' : 'prod';
      out.push({ name: requirement.name, depType, range: requirement.spec, current, manifest: file });
    }
  }
  // pip-tools: the names its `.in` declares, at the versions its compiled `.txt` pins.
  for (const [input, pair] of manifests.compiled) {
    for (const requirement of pair.requirements.requirements) {
      const current = pair.pins.get(requirement.name);
      if (current === undefined) continue;
      const depType = devByFileName(input) ? 'dev' : 'prod';
      out.push({ name: requirement.name, depType, range: requirement.spec, current, manifest: input });
    }
  }
  if (manifests.pyproject !== undefined) {
    for (const requirement of pyprojectRequirements(manifests.pyproject, locked !== undefined)) {
      const current = locked ? locked.get(requirement.name) : floorVersion(requirement.spec);
      if (current === undefined) continue;
      out.push({
        name: requirement.name,
        depType: requirement.depType,
        range: requirement.spec,
        current,
        manifest: 'pyproject.toml',
      });
    }
  }
  return out;
}

/**
 * Python: requirements*.txt (from the usual names, following `-r`/`-c`) and pyproject.toml, PEP 440
 * versions. Versions come from the index the repository's requirements name (`--index-url`), else
 * the one the machine's pip is configured for (PIP_INDEX_URL, pip.conf), else pip's own default;
 * the index must be on the allow-list. A `==` pin is its own lock; pip-tools (`X.in` compiled to
 * `X.txt`) is recompiled with the new versions. The project's setup, run again after the edit,
 * installs them for the tests. uv (uv.lock beside pyproject.toml): pyproject's dependencies at the
 * versions uv.lock resolves, looked up in the index the repository names for uv, else the machine's
 * uv index, else pip's; `uv lock --upgrade-package NAME==V` relocks. A repository with another lock
 * tool (Poetry, PDM, Pipenv) is refused with UPDATE_UNSUPPORTED.
 *
 * `uv` is set by forRepository when the repository has uv.lock: the index it names for uv, if any.
 */
export function createPythonUpdater(
  access: RegistryAccess,
  uv?: { repositoryIndex: string | undefined },
): Updater {
  /**
   * For uv, the index uv itself resolves against (and the lock step is given, uvLockEnv): the one the
   * repository names for uv, else the machine's uv variables, else pip's (below). For pip, the one a
   * requirements file names (`--index-url`), else pip's configuration, else pip's own default.
   */
  async function indexUrl(files: RepoFiles, manifests: PythonManifests, usesUv: boolean): Promise<string> {
    const uvIndex = usesUv
      ? ((await repositoryUvIndex(files)) ?? machineUvIndex(access.clientEnv))
      : undefined;
    const fromRepo =
      uvIndex ??
      (usesUv
        ? undefined
        : [
            ...manifests.requirements.values(),
            ...[...manifests.compiled.values()].map((pair) => pair.requirements),
          ].find((r) => r.indexUrl !== undefined)?.indexUrl);
    const listing =
      fromRepo === undefined
        ? await access.clientRegistry(['python3', '-m', 'pip', 'config', 'list'])
        : undefined;
    const url =
      fromRepo ??
      configuredIndexUrl(listing ?? '') ??
      (await access.clientRegistry(['python3', '-c', PIP_DEFAULT_INDEX]));
    if (url === undefined) {
      throw new AutodevError(
        'UPDATE_REGISTRY_UNREACHABLE',
        'python: no package index configured (pip config list names no index-url, pip is not there to say its default, and no requirements file names one)',
        { details: { ecosystem: 'python' } },
      );
    }
    await access.assertAllowed('python', url);
    return url;
  }

  return {
    ecosystem: 'python',
    manifest: 'requirements.txt',
    versioning: PEP440_VERSIONING,
    installsWithSetup: true,
    async forRepository(files) {
      if ((await files.read(UV_LOCK)) === undefined) return createPythonUpdater(access);
      // Checked again on the commit the lock step runs on, not only on the one the scan read.
      refuseUvBuilds((await files.read('pyproject.toml')) ?? '');
      return createPythonUpdater(access, { repositoryIndex: await repositoryUvIndex(files) });
    },
    async declared(files) {
      const manifests = await readPythonManifests(files);
      const none = manifests.requirements.size === 0 && manifests.compiled.size === 0;
      if (none && manifests.pyproject === undefined) return [];
      await refuseLockTools(files, manifests);
      const uvLock = manifests.pyproject === undefined ? undefined : await files.read(UV_LOCK);
      if (uvLock !== undefined) refuseUvBuilds(manifests.pyproject ?? '');
      return declaredOf(manifests, uvLock === undefined ? undefined : uvLockedVersions(uvLock));
    },
    async lookup(files) {
      const manifests = await readPythonManifests(files);
      const usesUv = manifests.pyproject !== undefined && (await files.read(UV_LOCK)) !== undefined;
      const index = await indexUrl(files, manifests, usesUv);
      return {
        versions: (name) => fetchPythonVersions(index, name, access.fetch),
        contents: async (_name, version, wanted) =>
          version.archive === undefined ? undefined : pythonContents(access, version.archive, wanted),
      };
    },
    editManifest: editPythonManifest,
    lockfileOf: (manifest) =>
      uv !== undefined && manifest === 'pyproject.toml' ? UV_LOCK : pipToolsOutput(manifest),
    // Plain requirements have nothing to lock: the edited pins are what pip installs, by the setup run
    // after the edit. pip-tools recompiles each `.in` with exactly the new versions (in the sandbox,
    // through the setup proxy to the index the `.in` or pip's configuration names).
    // uv relocks pyproject.toml with exactly the new versions (uv lock's `NAME==V` form of
    // --upgrade-package), under lockRun's variables.
    lockCommands(updates, hasLockfile) {
      if (!hasLockfile) return [];
      const inputs = [...new Set(updates.map((u) => u.manifest ?? ''))].filter((file) =>
        file.endsWith('.in'),
      );
      const relocked = updates.filter((u) => u.manifest === 'pyproject.toml');
      const uvLock =
        uv === undefined || relocked.length === 0
          ? []
          : [['uv', 'lock', ...relocked.flatMap((u) => ['--upgrade-package', `${u.name}==${u.to}`])]];
      const pipTools = inputs.map((input) => [
        'python3',
        '-m',
        'piptools',
        'compile',
        '--quiet',
        ...updates
          .filter((u) => u.manifest === input)
          .flatMap((u) => ['--upgrade-package', `${u.name}==${u.to}`]),
        '--output-file',
        pipToolsOutput(input) ?? '',
        input,
      ]);
      return [...pipTools, ...uvLock];
    },
    ...(uv === undefined
      ? {}
      : {
          lockRun: (options: RunProjectCommandOptions) =>
            Promise.resolve({ env: uvLockEnv(uv.repositoryIndex, options.registryEnv), binds: [] }),
        }),
    lockedVersions(lockfile, names) {
      const pins = isUvLock(lockfile) ? uvLockedVersions(lockfile) : pinnedVersions(lockfile);
      return new Map(
        names.flatMap((name) => {
          const pin = pins.get(normalizePythonName(name));
          return pin === undefined ? [] : [[name, pin] as const];
        }),
      );
    },
  };
}
