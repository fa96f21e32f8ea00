import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { baseName, declare, dirOf, emptyLockfile, isRecord, specText, tableAt } from './common.js';
import { normalizePythonName, parseRequirement } from './pep508.js';
import type { DeclaredDependency, EcosystemReader, ReadAt } from './types.js';

/** Extras and groups by these names are for development; other extras ship to users. */
const DEV_GROUP =
  /^(dev|develop|development|test|tests|testing|lint|linting|docs?|typing|types|mypy|style|ci)$/i;
const MAX_INCLUDES = 32;
const SOURCE_OPTIONS = new Map([
  ['-i', '--index-url'],
  ['--index-url', '--index-url'],
  ['--extra-index-url', '--extra-index-url'],
  ['-f', '--find-links'],
  ['--find-links', '--find-links'],
  ['--trusted-host', '--trusted-host'],
]);

const isRequirementsFile = (file: string): boolean =>
  /^requirements.*\.(txt|in)$/i.test(baseName(file)) ||
  /^requirements\/[^/]+\.(txt|in)$/i.test(file.split('/').slice(-2).join('/'));

/** A requirements file's own name says whether it is for development: requirements-dev.txt, test.txt. */
const devByFileName = (file: string): boolean =>
  /(^|[-_./])(dev|test|tests|lint|docs?|ci)([-_.]|$)/i.test(file);

function requirementList(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`${field} must be an array of requirements`);
  return value.map((item, i) => {
    if (typeof item !== 'string') throw new Error(`${field}[${i}] must be a requirement string`);
    return item;
  });
}

function declareRequirements(into: Map<string, DeclaredDependency>, reqs: string[], dev: boolean): void {
  for (const r of reqs) {
    const { name, spec } = parseRequirement(r);
    declare(into, name, spec, dev);
  }
}

function poetrySpec(value: unknown): string {
  if (typeof value === 'string') return value;
  if (isRecord(value) && typeof value.version === 'string') return value.version;
  return specText(value);
}

function declarePoetry(
  into: Map<string, DeclaredDependency>,
  table: unknown,
  field: string,
  dev: boolean,
): void {
  for (const [name, value] of Object.entries(tableAt(table, field))) {
    // The interpreter's version is not a package.
    if (name.toLowerCase() === 'python') continue;
    declare(into, normalizePythonName(name), poetrySpec(value), dev);
  }
}

function parsePyproject(text: string): Map<string, DeclaredDependency> {
  const doc = parseToml(text);
  const out = new Map<string, DeclaredDependency>();
  const project = tableAt(doc.project, 'project');
  declareRequirements(out, requirementList(project.dependencies, 'project.dependencies'), false);
  for (const [extra, reqs] of Object.entries(
    tableAt(project['optional-dependencies'], 'project.optional-dependencies'),
  )) {
    declareRequirements(
      out,
      requirementList(reqs, `project.optional-dependencies.${extra}`),
      DEV_GROUP.test(extra),
    );
  }
  // PEP 735 groups are never published: development only. `{include-group = "x"}` entries name a group.
  for (const [group, items] of Object.entries(tableAt(doc['dependency-groups'], 'dependency-groups'))) {
    if (!Array.isArray(items)) throw new Error(`dependency-groups.${group} must be an array`);
    declareRequirements(
      out,
      items.filter((i): i is string => typeof i === 'string'),
      true,
    );
  }
  // Build requirements run when the package is built or installed: runtime, as Cargo's build tables.
  const buildSystem = tableAt(doc['build-system'], 'build-system');
  declareRequirements(out, requirementList(buildSystem.requires, 'build-system.requires'), false);
  const tool = tableAt(doc.tool, 'tool');
  const uv = tableAt(tool.uv, 'tool.uv');
  declareRequirements(out, requirementList(uv['dev-dependencies'], 'tool.uv.dev-dependencies'), true);
  const poetry = tableAt(tool.poetry, 'tool.poetry');
  declarePoetry(out, poetry.dependencies, 'tool.poetry.dependencies', false);
  declarePoetry(out, poetry['dev-dependencies'], 'tool.poetry.dev-dependencies', true);
  for (const [group, table] of Object.entries(tableAt(poetry.group, 'tool.poetry.group'))) {
    declarePoetry(
      out,
      tableAt(table, `tool.poetry.group.${group}`).dependencies,
      `tool.poetry.group.${group}.dependencies`,
      group !== 'main',
    );
  }
  return out;
}

/** Logical lines of a requirements file: `\` continuations joined, comments (`#` after space) dropped. */
function requirementLines(text: string): string[] {
  const lines: string[] = [];
  let pending = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '');
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    lines.push((pending + line).trim());
    pending = '';
  }
  lines.push(pending.trim());
  return lines.filter((line) => line !== '');
}

/** `-r file`, `--requirement=file`: the included path, or undefined for another line. */
function includedFile(line: string): string | undefined {
  const m = /^(?:-r|--requirement)(?:\s*=\s*|\s+)(\S+)$/.exec(line) ?? /^-r(\S+)$/.exec(line);
  return m?.[1];
}

async function parseRequirements(
  file: string,
  text: string,
  side: 'base' | 'head',
  read: ReadAt,
): Promise<Map<string, DeclaredDependency>> {
  const out = new Map<string, DeclaredDependency>();
  const dev = devByFileName(file);
  const seen = new Set([file]);
  const queue: { file: string; text: string }[] = [{ file, text }];
  while (queue.length > 0) {
    const current = queue.shift();
    if (!current) break;
    for (const line of requirementLines(current.text)) {
      const include = includedFile(line);
      if (include !== undefined) {
        // Includes are followed inside the repository only: a path that leaves it, or a URL, is refused.
        const target = path.posix.normalize(path.posix.join(dirOf(current.file), include));
        if (
          path.posix.isAbsolute(include) ||
          target.startsWith('../') ||
          target === '..' ||
          include.includes('://')
        ) {
          throw new Error(
            `${current.file} includes ${JSON.stringify(include)}, which is outside the repository`,
          );
        }
        if (seen.has(target)) continue;
        seen.add(target);
        if (seen.size > MAX_INCLUDES) throw new Error(`${file} includes more than ${MAX_INCLUDES} files`);
        const included = await read(side, target);
        if (included === undefined)
          throw new Error(`${current.file} includes ${target}, which does not exist`);
        queue.push({ file: target, text: included });
        continue;
      }
      if (line.startsWith('-')) {
        const [option = '', value = ''] = line.split(/\s*=\s*|\s+/, 2);
        // -e/--editable names a requirement. Where packages come from is part of what is installed: a
        // new index or link source is reported like a dependency. Other options (-c, --pre) name none.
        if (option === '-e' || option === '--editable')
          declareRequirements(out, [line.slice(option.length).replace(/^\s*=?\s*/, '')], dev);
        else if (SOURCE_OPTIONS.has(option)) declare(out, SOURCE_OPTIONS.get(option) ?? option, value, dev);
        continue;
      }
      // `name==1 --hash=sha256:...`: the hashes pin the file, not the requirement.
      declareRequirements(out, [line.replace(/\s--hash[=\s]\S+/g, '')], dev);
    }
  }
  return out;
}

/**
 * setup.cfg is an INI file read by configparser: `[section]`, `key = value` or `key: value`, values
 * continued on indented lines, whole-line `#`/`;` comments.
 */
function iniSections(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let section: Map<string, string> | undefined;
  let key: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    if (/^\s/.test(raw) && section && key !== undefined) {
      section.set(key, `${section.get(key) ?? ''}\n${trimmed}`);
      continue;
    }
    if (trimmed.startsWith('[') && trimmed.endsWith(']')) {
      section = new Map();
      sections.set(trimmed.slice(1, -1).trim(), section);
      key = undefined;
      continue;
    }
    const sep = trimmed.search(/[=:]/);
    if (!section || sep <= 0) throw new Error(`not an INI line: ${JSON.stringify(trimmed.slice(0, 80))}`);
    key = trimmed.slice(0, sep).trim().toLowerCase();
    section.set(key, trimmed.slice(sep + 1).trim());
  }
  return sections;
}

function cfgRequirements(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[\n]/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

function parseSetupCfg(text: string): Map<string, DeclaredDependency> {
  const sections = iniSections(text);
  const out = new Map<string, DeclaredDependency>();
  const options = sections.get('options');
  declareRequirements(out, cfgRequirements(options?.get('install_requires')), false);
  declareRequirements(out, cfgRequirements(options?.get('setup_requires')), false);
  declareRequirements(out, cfgRequirements(options?.get('tests_require')), true);
  for (const [extra, value] of sections.get('options.extras_require') ?? []) {
    declareRequirements(out, cfgRequirements(value), DEV_GROUP.test(extra));
  }
  return out;
}

export const pythonReader: EcosystemReader = {
  ecosystem: 'python',
  isManifest: (file) => ['pyproject.toml', 'setup.cfg'].includes(baseName(file)) || isRequirementsFile(file),
  // Python lockfiles (poetry.lock, uv.lock) are not read yet: the manifests carry the direct dependencies.
  isLockfile: () => false,
  manifestsBeside: () => [],
  parseManifest(file, text, side, read) {
    if (baseName(file) === 'pyproject.toml') return Promise.resolve(parsePyproject(text));
    if (baseName(file) === 'setup.cfg') return Promise.resolve(parseSetupCfg(text));
    return parseRequirements(file, text, side, read);
  },
  parseLockfile: () => emptyLockfile(),
};
