import { parse as parseToml } from 'smol-toml';
import {
  baseName,
  beside,
  declare,
  emptyLockfile,
  isRecord,
  lock,
  specText,
  tableAt,
} from '../deps/common.js';
import type { DeclaredDependency, EcosystemReader, ParsedLockfile } from '../deps/types.js';

/**
 * Dependency tables of a Cargo.toml and whether they are for development only. Build dependencies run
 * on the machine that builds: they count as runtime, since their code executes there.
 */
const TABLES = [
  ['dependencies', false],
  ['dev-dependencies', true],
  ['dev_dependencies', true],
  ['build-dependencies', false],
  ['build_dependencies', false],
] as const;

/** The requirement of one entry: a version string, or a table's version / git / path / workspace. */
function cargoSpec(value: unknown): string {
  if (typeof value === 'string') return value;
  if (!isRecord(value)) return specText(value);
  if (value.workspace === true) return 'workspace';
  const parts: string[] = [];
  if (typeof value.version === 'string') parts.push(value.version);
  if (typeof value.git === 'string') parts.push(`git+${value.git}`);
  for (const key of ['rev', 'tag', 'branch'] as const) {
    if (typeof value[key] === 'string') parts.push(`${key}=${value[key]}`);
  }
  if (typeof value.path === 'string') parts.push(`path:${value.path}`);
  if (typeof value.registry === 'string') parts.push(`registry:${value.registry}`);
  return parts.length > 0 ? parts.join(' ') : specText(value);
}

function declareTable(
  table: Record<string, unknown>,
  where: string,
  into: Map<string, DeclaredDependency>,
): void {
  for (const [field, dev] of TABLES) {
    for (const [key, value] of Object.entries(tableAt(table[field], `${where}${field}`))) {
      // `alias = { package = "real-name" }`: what is fetched is the real package.
      const name = isRecord(value) && typeof value.package === 'string' ? value.package : key;
      declare(into, name, cargoSpec(value), dev);
    }
  }
}

function parseManifest(text: string): Map<string, DeclaredDependency> {
  const doc = parseToml(text);
  const out = new Map<string, DeclaredDependency>();
  declareTable(doc, '', out);
  if (isRecord(doc.workspace)) {
    for (const [key, value] of Object.entries(
      tableAt(doc.workspace.dependencies, 'workspace.dependencies'),
    )) {
      const name = isRecord(value) && typeof value.package === 'string' ? value.package : key;
      declare(out, name, cargoSpec(value), false);
    }
  }
  // [target.'cfg(unix)'.dependencies] and its dev/build tables.
  for (const [target, table] of Object.entries(tableAt(doc.target, 'target'))) {
    if (!isRecord(table)) throw new Error(`target.${JSON.stringify(target)} must be a table`);
    declareTable(table, `target.${JSON.stringify(target)}.`, out);
  }
  return out;
}

/**
 * Cargo.lock: every `[[package]]`; those without a `source` are the workspace's own crates, whose
 * `dependencies` ("name", "name version" or "name version (source)") are the direct ones.
 */
function parseLockfile(text: string): ParsedLockfile {
  const doc = parseToml(text);
  const out = emptyLockfile();
  const packages = doc.package ?? [];
  if (!Array.isArray(packages)) throw new Error('package must be an array of tables');
  for (const [i, entry] of packages.entries()) {
    if (!isRecord(entry) || typeof entry.name !== 'string' || typeof entry.version !== 'string') {
      throw new Error(`package[${i}] must be a table with a name and a version`);
    }
    if (entry.source === undefined) {
      const deps = entry.dependencies ?? [];
      if (!Array.isArray(deps)) throw new Error(`package[${i}].dependencies must be an array`);
      for (const dep of deps) {
        const name = typeof dep === 'string' ? dep.split(' ')[0] : undefined;
        if (name) out.direct.set(name, { dev: false });
      }
      continue;
    }
    lock(out.packages, entry.name, entry.version);
  }
  return out;
}

export const cargoReader: EcosystemReader = {
  ecosystem: 'cargo',
  isManifest: (file) => baseName(file) === 'Cargo.toml',
  isLockfile: (file) => baseName(file) === 'Cargo.lock',
  manifestsBeside: (lockfile) => [beside(lockfile, 'Cargo.toml')],
  parseManifest: (_file, text) => Promise.resolve(parseManifest(text)),
  parseLockfile: (_file, text) => parseLockfile(text),
};
