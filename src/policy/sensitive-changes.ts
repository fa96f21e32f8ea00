import path from 'node:path';
import { parse as parseToml } from 'smol-toml';

/**
 * What a change touched of the checks that judge it. A change may fix the code or bend the checks
 * (delete a test, rewrite an assertion, make the test command `true`); only a human tells which, so
 * these are flagged and never merge themselves.
 */
export interface SensitiveChanges {
  /** `.autodev.toml` files (autodev's own per-repo configuration), at any depth. */
  autodevConfig: string[];
  /** Test files, test configuration and test commands, each as `file` or `file (what in it)`. */
  tests: string[];
}

/** The content of a changed file before (`base`) or after (`head`) the change; undefined when absent. */
export type ReadSide = (side: 'base' | 'head', file: string) => Promise<string | undefined>;

const AUTODEV_CONFIG = '.autodev.toml';

// Folders whose files are tests or test data by the conventions of the four languages; and
// `.cargo/`, whose config can set a `runner` that replaces every test binary (`runner = "true"`).
const TEST_DIRS = new Set([
  'test',
  'tests',
  '__tests__',
  'spec',
  'specs',
  'testdata',
  '__snapshots__',
  '.cargo',
]);
// Files that change how the tests run without being tests: runner config, and interpreter start-up
// hooks (sitecustomize, .npmrc's node-options) that load code into the test process first.
const TEST_CONFIG_FILES = new Set([
  'conftest.py',
  // Rust: a build script runs before every test build and can write what the tests compile.
  'build.rs',
  'rust-toolchain',
  'rust-toolchain.toml',
  // Go: a workspace file replaces modules (a testing library among them) for every build.
  'go.work',
  // JS: package-manager hooks that rewrite what is installed or how scripts run.
  '.pnpmfile.cjs',
  '.yarnrc',
  '.yarnrc.yml',
  'pytest.ini',
  '.pytest.ini',
  'sitecustomize.py',
  'usercustomize.py',
  '.npmrc',
  'tox.ini',
  'noxfile.py',
  '.coveragerc',
  'karma.conf.js',
  '.taprc',
]);
/**
 * Python modules that would be imported instead of the installed test runner, its plugins or their
 * dependencies (`python3 -m pytest` puts the working directory first on sys.path): a `pytest.py`, a
 * `_pytest/` or `pluggy/` folder, a `pytest_*` plugin module, a `unittest.py`. Matched at any depth,
 * since any folder may be a project's root.
 */
const RUNNER_MODULE =
  /^(pytest|_pytest|pluggy|iniconfig|pygments|unittest|xdist|pytest_[A-Za-z0-9_]+)(\.py)?$/;
const TEST_FILE_PATTERNS: readonly RegExp[] = [
  // Interpreter start-up hooks: a `.pth` line that starts with `import` runs in every Python process.
  /\.pth$/,
  /^py\.py$/,
  /^test_.*\.py$/,
  /_test\.py$/,
  /_test\.go$/,
  /\.(test|spec)\.[cm]?[jt]sx?$/,
  /^(jest|vitest|playwright|cypress|ava)\.config\.[cm]?[jt]s(on)?$/,
  /^vitest\.workspace\.[cm]?[jt]s(on)?$/,
  /^\.mocharc(\.[a-z]+)?$/,
  /^\.nycrc(\.[a-z]+)?$/,
];

export function isAutodevConfig(file: string): boolean {
  return path.posix.basename(file) === AUTODEV_CONFIG;
}

/** True when the path alone says the file is a test or test configuration. */
export function isTestPath(file: string): boolean {
  const parts = file.split('/');
  const name = parts.at(-1) ?? '';
  if (parts.slice(0, -1).some((dir) => TEST_DIRS.has(dir))) return true;
  // A committed node_modules file is a shim of the test runner or of what the tests load.
  if (parts.slice(0, -1).includes('node_modules')) return true;
  if (parts.some((part, i) => RUNNER_MODULE.test(part) && (i < parts.length - 1 || part.endsWith('.py'))))
    return true;
  if (TEST_CONFIG_FILES.has(name)) return true;
  return TEST_FILE_PATTERNS.some((p) => p.test(name));
}

type Section = (text: string) => unknown;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The keys of `value` that are set, or undefined when none is: a manifest without them reads as absent. */
function pick(value: unknown, keys: readonly string[]): unknown {
  if (!isRecord(value)) return undefined;
  const kept = keys.filter((k) => value[k] !== undefined).map((k) => [k, value[k]]);
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

function field(value: unknown, key: string): unknown {
  return isRecord(value) ? value[key] : undefined;
}

// pyproject's `tool` table holds linters and formatters too: only the test runners' tables count.
const PYPROJECT_TEST_TOOLS = ['pytest', 'tox', 'nox', 'coverage', 'hatch'];

/** The sections of an INI file whose names match, as text: setup.cfg's `[tool:pytest]` and kin. */
function iniSections(text: string, name: RegExp): string {
  const kept: string[] = [];
  let keep = false;
  for (const line of text.split(/\r?\n/)) {
    const header = /^\s*\[([^\]]+)\]/.exec(line);
    if (header?.[1] !== undefined) keep = name.test(header[1].trim());
    if (keep) kept.push(line.trimEnd());
  }
  return kept.join('\n');
}

/**
 * The part of a Rust source file that is tests: from the first `#[cfg(test)]` on (test modules sit
 * at the end by convention), plus every test attribute, so an added `#[ignore]` shows too.
 */
function rustTests(text: string): unknown {
  const start = text.indexOf('#[cfg(test)]');
  const attributes = text.match(/#\[(test|ignore|should_panic)\b[^\]]*\]/g) ?? [];
  return { module: start >= 0 ? text.slice(start) : '', attributes };
}

/** Manifests that are not tests but hold the test command or the test runner's configuration. */
const MANIFEST_SECTIONS: Record<string, { what: string; section: Section }> = {
  'package.json': {
    what: 'scripts or test runner config',
    section: (text) => pick(JSON.parse(text), ['scripts', 'jest', 'mocha', 'ava', 'c8', 'nyc']),
  },
  'pyproject.toml': {
    what: 'test sections',
    section: (text) => pick(field(parseToml(text), 'tool'), PYPROJECT_TEST_TOOLS),
  },
  'setup.cfg': {
    what: 'test sections',
    section: (text) => iniSections(text, /^(tool:pytest|pytest|tox(:.*)?|coverage:.*)$/),
  },
  'Cargo.toml': {
    what: '[[test]], [lib] or [[bin]] test settings, or its build script',
    section: (text) => {
      const manifest = parseToml(text);
      const build = field(field(manifest, 'package'), 'build');
      const settings = pick(manifest, ['test', 'lib', 'bin', 'build-dependencies']);
      return build === undefined ? settings : { ...(isRecord(settings) ? settings : {}), build };
    },
  },
  'go.mod': {
    what: 'replace or toolchain directives',
    section: goModDirectives,
  },
};

/**
 * go.mod's `replace` (which can swap a testing library for a folder of the repo) and
 * `toolchain`/`go` lines; the `require` list is check_deps' business.
 */
function goModDirectives(text: string): string {
  const kept: string[] = [];
  let inReplace = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (inReplace) {
      if (line === ')') inReplace = false;
      else if (line !== '') kept.push(`replace ${line}`);
      continue;
    }
    if (/^replace\s*\($/.test(line)) inReplace = true;
    else if (/^(replace|toolchain|go)\s/.test(line)) kept.push(line.replace(/\s+/g, ' '));
  }
  return kept.join('\n');
}

function comparable(text: string | undefined, section: Section): string {
  return JSON.stringify((text === undefined ? undefined : section(text)) ?? null);
}

async function manifestChange(file: string, read: ReadSide): Promise<string | undefined> {
  const rule = MANIFEST_SECTIONS[path.posix.basename(file)];
  if (!rule) return undefined;
  const [before, after] = await Promise.all([read('base', file), read('head', file)]);
  try {
    return comparable(before, rule.section) === comparable(after, rule.section)
      ? undefined
      : `${file} (${rule.what})`;
  } catch {
    // A manifest that no longer parses could hide anything: review it rather than guess.
    return before === after ? undefined : `${file} (unreadable, so its test settings cannot be compared)`;
  }
}

async function rustTestChange(file: string, read: ReadSide): Promise<string | undefined> {
  if (!file.endsWith('.rs')) return undefined;
  const [before, after] = await Promise.all([read('base', file), read('head', file)]);
  const same =
    JSON.stringify(before === undefined ? null : rustTests(before)) ===
    JSON.stringify(after === undefined ? null : rustTests(after));
  return same ? undefined : `${file} (#[cfg(test)] code or test attributes)`;
}

/** Sorts the changed files into autodev configuration and changes to tests or how they run. */
export async function classifyChanges(files: readonly string[], read: ReadSide): Promise<SensitiveChanges> {
  const autodevConfig: string[] = [];
  const tests: string[] = [];
  for (const file of files) {
    if (isAutodevConfig(file)) {
      autodevConfig.push(file);
      continue;
    }
    if (isTestPath(file)) {
      tests.push(file);
      continue;
    }
    const content = (await manifestChange(file, read)) ?? (await rustTestChange(file, read));
    if (content !== undefined) tests.push(content);
  }
  return { autodevConfig, tests };
}

/** One line per touched check, for the pull request body and the reviewer. */
export function describeChecksTouched(changes: SensitiveChanges): string[] {
  return [...changes.autodevConfig.map((f) => `${f} (autodev configuration)`), ...changes.tests];
}
