import { parse as parseToml } from 'smol-toml';
import { baseName, declare, emptyLockfile, isRecord, specText, tableAt } from '../deps/common.js';
import { declareRequirements, DEV_GROUP, normalizePythonName } from './pep508.js';
import { isRequirementsFile, parseRequirements } from './requirements-txt.js';
import { parseSetupCfg } from './setup-cfg.js';
import type { DeclaredDependency, EcosystemReader } from '../deps/types.js';

function requirementList(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`${field} must be an array of requirements`);
  return value.map((item, i) => {
    if (typeof item !== 'string') throw new Error(`${field}[${i}] must be a requirement string`);
    return item;
  });
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
