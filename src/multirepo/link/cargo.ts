import path from 'node:path';
import { cargoManifests, crateName, type CargoManifest } from './cargo-workspace.js';
import { hasManifest, linkFailed, recordOf } from './manifest.js';
import type { Linker } from './types.js';

const DEPENDENCY_TABLES = ['dependencies', 'dev-dependencies', 'build-dependencies'];
/** A crate or registry name as Cargo allows it: a bare TOML key, nothing to quote. */
const BARE_KEY = /^[A-Za-z0-9_-]+$/;

/** Every dependency table of a Cargo.toml: the top-level ones, per target, and the workspace's. */
function dependencyTables(manifest: Record<string, unknown>): Record<string, unknown>[] {
  const tables = DEPENDENCY_TABLES.map((name) => recordOf(manifest[name]));
  for (const target of Object.values(recordOf(manifest.target) ?? {})) {
    tables.push(...DEPENDENCY_TABLES.map((name) => recordOf(recordOf(target)?.[name])));
  }
  tables.push(recordOf(recordOf(manifest.workspace)?.dependencies));
  return tables.filter((t): t is Record<string, unknown> => t !== undefined);
}

/**
 * The `[patch]` sources one Cargo.toml takes `crate` from: `crates-io`, its registry's name, or
 * its git URL. LINK_FAILED, naming the file, when it builds the crate from a path.
 */
function patchSources({ file, manifest }: CargoManifest, crate: string): string[] {
  const sources: string[] = [];
  for (const table of dependencyTables(manifest)) {
    for (const [key, spec] of Object.entries(table)) {
      const entry = recordOf(spec);
      if ((typeof entry?.package === 'string' ? entry.package : key) !== crate) continue;
      // A member's `crate.workspace = true` is resolved by the workspace's own table, scanned too.
      if (entry?.workspace === true) continue;
      if (typeof entry?.path === 'string') {
        throw linkFailed(
          `the consumer's ${file} takes ${crate} from the path ${entry.path}: a path dependency cannot be patched`,
          { library: crate, file },
        );
      }
      if (typeof entry?.git === 'string') sources.push(JSON.stringify(entry.git));
      else if (typeof entry?.registry === 'string') {
        if (!BARE_KEY.test(entry.registry))
          throw linkFailed(
            `${file}: registry name ${JSON.stringify(entry.registry)} is not one Cargo accepts`,
            { file },
          );
        sources.push(entry.registry);
      } else sources.push('crates-io');
    }
  }
  return sources;
}

/**
 * The library's crates: its root package and, when the library is a workspace, each member's,
 * with the folder (in the library's copy) a patch points at.
 */
async function libraryCrates(libraryDir: string): Promise<{ name: string; dir: string }[]> {
  const crates = [];
  for (const { dir, file, manifest } of await cargoManifests(libraryDir)) {
    const name = crateName(manifest);
    if (name === undefined) continue;
    if (!BARE_KEY.test(name))
      throw linkFailed(`library ${file}: ${JSON.stringify(name)} is not a crate name`, { file });
    crates.push({ name, dir: path.join(libraryDir, dir) });
  }
  if (crates.length === 0)
    throw linkFailed('the library Cargo.toml builds no crate: no [package] name at its root or in a member');
  return crates;
}

/**
 * Cargo: `[patch]` given on the command line (`--config patch.<source>.<crate>.path=...`) to every
 * cargo command of the consumer's build and tests, never written to Cargo.toml. Run at the
 * consumer's root, a patch applies to its whole workspace, so a dependency declared by any member
 * is patched; a library that is a workspace is patched with the member crates the consumer uses.
 * Cargo records the patched crates in Cargo.lock: in the copy, which is never pushed.
 */
export const cargoLinker: Linker = {
  id: 'cargo',
  detect: (consumerDir) => hasManifest(consumerDir, 'Cargo.toml'),
  async link({ consumerDir, libraryDir }) {
    const crates = await libraryCrates(libraryDir);
    const consumer = await cargoManifests(consumerDir);
    const buildArgs: string[] = [];
    const linked: string[] = [];
    for (const crate of crates) {
      const sources = new Set(consumer.flatMap((manifest) => patchSources(manifest, crate.name)));
      if (sources.size > 0) linked.push(crate.name);
      for (const source of sources)
        buildArgs.push('--config', `patch.${source}.${crate.name}.path=${JSON.stringify(crate.dir)}`);
    }
    if (linked.length === 0) {
      const names = crates.map((c) => c.name).join(', ');
      const where = consumer[0]?.manifest.workspace !== undefined ? ' or its workspace members' : '';
      throw linkFailed(`the consumer's Cargo.toml${where} does not depend on ${names}: nothing to link`, {
        library: names,
      });
    }
    return { library: linked.join(', '), commands: [], env: {}, buildArgs };
  },
};
