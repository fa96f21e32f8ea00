import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import { exists, readText } from '../scan.js';
import { parseRequirement } from './pep508.js';
import { uvDefaultIndex, uvLockedVersions } from './uv-lock.js';

/** What a Python project declares for running its tests; every pin is passed to pip as written. */
export interface PythonDeps {
  /**
   * Installed editable: a setup.py, a src/ layout, or metadata only its build backend knows
   * (`dynamic` dependencies). A flat project with static metadata is not: `python -m pytest` imports
   * it from its folder, and its dependencies are installed as plain requirements, which spares an
   * offline setup the build backend it may not have.
   */
  installable: boolean;
  /** [project.optional-dependencies] groups that hold test tools, installed as the project's extras. */
  extras: string[];
  /** [dependency-groups] and tox.ini [testenv] deps requirement strings. */
  requirements: string[];
  /** Requirement files, relative to the project folder. */
  files: string[];
  /**
   * Requirement files tox.ini names that are not in the repository (often left out of a source
   * package): skipped, with a note in the setup step, rather than failing pip's whole install.
   */
  missingFiles: string[];
  /** [build-system] requires: installed first, since the project is built without isolation. */
  buildRequires: string[];
  /**
   * A uv project (uv.lock beside pyproject.toml): the default index it names for uv, which pip is
   * pointed at instead of the machine's (uv's own precedence; the setup proxy still decides what is
   * reachable).
   */
  indexUrl?: string;
  /** The project is locked by uv: without an index of its own, the machine's uv index applies. */
  uvLocked?: boolean;
}

/**
 * Setup installs what the tests need, nothing more: a test extra or group when the project has one,
 * its `dev` one only when it has none (a dev group also carries docs and release tooling: issue
 * #28's setup installed `build pytest coverage ruff sphinx` and failed in pip's progress thread).
 */
const TEST_GROUPS = ['test', 'tests', 'testing'];
const DEV_GROUPS = ['dev'];
const RUNTIME_REQUIREMENTS = 'requirements.txt';
const TEST_REQUIREMENT_FILE =
  /^(requirements-(test|tests|testing)[\w.-]*|(test|tests|testing)-requirements)\.txt$/;
const DEV_REQUIREMENT_FILE = /^(requirements-dev[\w.-]*|dev-requirements)\.txt$/;
/**
 * Documentation and release tools, left out of a dev group or tox's deps: no test imports them, and
 * they are the heaviest installs (sphinx and its themes) or need what a sandbox lacks (twine, build).
 */
const NOT_FOR_TESTS =
  /^(sphinx([-_.].*)?|furo|myst[-_.].*|mkdocs([-_.].*)?|pydata[-_.]sphinx[-_.]theme|readthedocs[-_.].*|docutils|build|twine|check[-_.]manifest|bump2version|bumpversion|bump[-_.]my[-_.]version|pre[-_.]commit|towncrier|zest[-_.]releaser)$/i;

/** The project name a requirement string starts with (`sphinx>=7; python_version>"3.8"` → sphinx). */
function requirementName(requirement: string): string {
  return /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(requirement)?.[1] ?? '';
}

export function neededForTests(requirement: string): boolean {
  return !NOT_FOR_TESTS.test(requirementName(requirement));
}

/** The test groups the project has, else its dev groups. */
function testGroupsOf(has: (group: string) => boolean): string[] {
  const test = TEST_GROUPS.filter(has);
  return test.length > 0 ? test : DEV_GROUPS.filter(has);
}

/**
 * One file of a family pinned per Python version (`requirements-tests36.txt`, `…37.txt`, `…39.txt`:
 * pip-compile output, whose pins conflict with each other): the newest, which today's Python runs.
 */
function newestOfEachVersionFamily(names: string[]): string[] {
  const families = new Map<string, { name: string; version: number }>();
  for (const name of names) {
    const match = /^(.*?)(\d+)\.txt$/.exec(name);
    const family = match?.[1] ?? name;
    const version = match?.[2] === undefined ? -1 : Number(match[2]);
    const seen = families.get(family);
    if (seen === undefined || version > seen.version) families.set(family, { name, version });
  }
  return names.filter((n) => [...families.values()].some((f) => f.name === n));
}

/**
 * requirements.txt (the runtime) and the test requirements: the files tox's [testenv] installs when
 * it names any (that is the maintainers' test environment), else the test requirement files, else
 * the dev ones; never docs.
 */
function requirementFiles(names: string[], toxFiles: string[]): string[] {
  const sorted = [...names].sort();
  const test = newestOfEachVersionFamily(sorted.filter((n) => TEST_REQUIREMENT_FILE.test(n)));
  const dev = newestOfEachVersionFamily(sorted.filter((n) => DEV_REQUIREMENT_FILE.test(n)));
  const chosen = toxFiles.length > 0 ? toxFiles : test.length > 0 ? test : dev;
  return [...new Set([...sorted.filter((n) => n === RUNTIME_REQUIREMENTS), ...chosen])];
}

const Pyproject = z.object({
  project: z
    .object({
      dependencies: z.array(z.string()).optional(),
      'optional-dependencies': z.record(z.string(), z.array(z.string())).optional(),
      dynamic: z.array(z.string()).optional(),
    })
    .optional(),
  'build-system': z
    .object({ requires: z.array(z.string()).optional(), 'build-backend': z.string().optional() })
    .optional(),
  // PEP 735: a group holds requirement strings and `{ include-group = "name" }` tables.
  'dependency-groups': z
    .record(z.string(), z.array(z.union([z.string(), z.object({ 'include-group': z.string() })])))
    .optional(),
});
type Pyproject = z.infer<typeof Pyproject>;

async function readPyproject(dir: string): Promise<Pyproject | undefined> {
  const text = await readText(path.join(dir, 'pyproject.toml'));
  if (text === undefined) return undefined;
  try {
    const parsed = Pyproject.safeParse(parseToml(text));
    return parsed.success ? parsed.data : {};
  } catch {
    // pip reports a broken pyproject.toml itself, naming the line.
    return {};
  }
}

/** A PEP 735 group with its includes expanded (a cycle or unknown group stops there). */
function groupRequirements(
  groups: NonNullable<Pyproject['dependency-groups']>,
  name: string,
  seen = new Set<string>(),
): string[] {
  if (seen.has(name)) return [];
  seen.add(name);
  return (groups[name] ?? []).flatMap((entry) =>
    typeof entry === 'string' ? [entry] : groupRequirements(groups, entry['include-group'], seen),
  );
}

/**
 * tox.ini [testenv] deps: one requirement a line; `-r{toxinidir}/x.txt` names a requirement file; a
 * line holding any other substitution cannot be resolved without tox and is left out.
 */
function toxDeps(text: string): { requirements: string[]; files: string[] } {
  const out = { requirements: [] as string[], files: [] as string[] };
  let section = '';
  let inDeps = false;
  for (const raw of text.split(/\r?\n/)) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(raw);
    if (header) {
      section = header[1]?.trim() ?? '';
      inDeps = false;
      continue;
    }
    if (section !== 'testenv') continue;
    const key = /^(\w[\w-]*)\s*=\s*(.*)$/.exec(raw);
    if (key) {
      inDeps = key[1] === 'deps';
      if (!inDeps) continue;
    } else if (!inDeps || !/^\s+\S/.test(raw)) {
      inDeps = inDeps && raw.trim() === '';
      continue;
    }
    const line = (key ? (key[2] ?? '') : raw).replace(/\s+#.*$/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const file = /^-r\s*(?:\{toxinidir\}\/)?(\S+)$/.exec(line);
    if (file?.[1] && !file[1].includes('{')) out.files.push(file[1]);
    else if (!line.startsWith('-') && !line.includes('{')) out.requirements.push(line);
  }
  return out;
}

export async function pythonDeps(dir: string): Promise<PythonDeps> {
  const pyproject = await readPyproject(dir);
  const optional = pyproject?.project?.['optional-dependencies'] ?? {};
  const groups = pyproject?.['dependency-groups'] ?? {};
  const tox = toxDeps((await readText(path.join(dir, 'tox.ini'))) ?? '');
  const names = await readdir(dir).catch(() => []);
  const present = await Promise.all(tox.files.map((f) => isFileInside(dir, f)));
  const toxFiles = tox.files.filter((_f, i) => present[i]);
  const missingFiles = [...new Set(tox.files.filter((_f, i) => !present[i]))];
  const files = requirementFiles(names, toxFiles);
  const project = pyproject?.project;
  const dynamic = (project?.dynamic ?? []).some((d) => d === 'dependencies' || d === 'optional-dependencies');
  const installable =
    (await exists(path.join(dir, 'setup.py'))) ||
    ((project !== undefined || pyproject?.['build-system'] !== undefined) &&
      (dynamic || (await exists(path.join(dir, 'src')))));
  const extraGroups = testGroupsOf((g) => optional[g] !== undefined);
  // A test extra is installed as one (`.[test]`); a dev extra's requirements are installed one by
  // one instead, so its docs and release tools can be left out.
  const isTestExtra = extraGroups.some((g) => TEST_GROUPS.includes(g));
  const extras = installable && isTestExtra ? extraGroups : [];
  const dependencyGroups = testGroupsOf((g) => groups[g] !== undefined);
  const backend = pyproject?.['build-system']?.['build-backend'];
  // setuptools before 70.1 builds wheels (and editables) only with `wheel` installed; build
  // isolation would have added it.
  const setuptools = backend === undefined || backend.startsWith('setuptools');
  // hatchling asks for `editables` from its get_requires_for_build_editable hook, which pip does not
  // call with build isolation off (corpus: humanize failed "No module named 'editables'").
  const hatchling = backend?.startsWith('hatchling') === true;
  const requirements = [
    ...new Set([
      ...(installable ? [] : (project?.dependencies ?? [])),
      ...[
        ...(extras.length > 0 ? [] : extraGroups.flatMap((g) => optional[g] ?? [])),
        ...dependencyGroups.flatMap((g) => groupRequirements(groups, g)),
        ...tox.requirements,
      ].filter(neededForTests),
    ]),
  ];
  const uv = await uvProject(dir, [...(project?.dependencies ?? []), ...requirements]);
  return {
    installable,
    extras,
    requirements: [...requirements, ...uv.pins],
    ...(uv.indexUrl === undefined ? {} : { indexUrl: uv.indexUrl }),
    ...(uv.uvLocked === true ? { uvLocked: true } : {}),
    files,
    missingFiles,
    buildRequires: installable
      ? [
          ...(pyproject?.['build-system']?.requires ?? (setuptools ? ['setuptools'] : [])),
          ...(setuptools ? ['wheel'] : []),
          ...(hatchling ? ['editables'] : []),
        ]
      : [],
  };
}

/** A file under `dir` (lexically: a name climbing out with `..` counts as absent). */
async function isFileInside(dir: string, name: string): Promise<boolean> {
  const root = path.resolve(dir);
  const full = path.resolve(root, name);
  if (!full.startsWith(`${root}${path.sep}`)) return false;
  return exists(full);
}

/** The setup step's note for each requirement file tox.ini names but the repository lacks. */
export function missingFileNotes(deps: PythonDeps): string[] {
  return deps.missingFiles.map(
    (file) =>
      `tox.ini names ${file}, which is not in the repository: skipped (the tests run with what is installed)`,
  );
}

/**
 * A uv project's lock as pip can follow it: each direct dependency at the version uv.lock resolves
 * (`name==V`, beside the specifier it was declared with), and the default index it names for uv. A
 * lock or settings file that cannot be read adds nothing (uv and pip report those themselves).
 */
async function uvProject(
  dir: string,
  direct: string[],
): Promise<{ pins: string[]; indexUrl?: string; uvLocked?: boolean }> {
  const lock = await readText(path.join(dir, 'uv.lock'));
  if (lock === undefined) return { pins: [] };
  try {
    const locked = uvLockedVersions(lock);
    const names = new Set(direct.map((requirement) => parseRequirement(requirement).name));
    const pins = [...names].flatMap((name) => {
      const version = locked.get(name);
      return version === undefined ? [] : [`${name}==${version}`];
    });
    const uvToml = await readText(path.join(dir, 'uv.toml'));
    const pyproject = uvToml === undefined ? await readText(path.join(dir, 'pyproject.toml')) : undefined;
    const indexUrl = uvDefaultIndex(pyproject, uvToml);
    return indexUrl === undefined ? { pins, uvLocked: true } : { pins, indexUrl, uvLocked: true };
  } catch {
    return { pins: [] };
  }
}

export function nothingToInstall(deps: PythonDeps): boolean {
  return !deps.installable && deps.requirements.length === 0 && deps.files.length === 0;
}
