import { hasManifest, linkFailed, readTomlManifest, recordOf, requiredString } from './manifest.js';
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
 * The `[patch]` source the consumer takes `crate` from: `crates-io`, its registry's name, or its git
 * URL. LINK_FAILED when it does not depend on the crate, or already builds it from a path.
 */
function patchSource(manifest: Record<string, unknown>, crate: string): string {
  for (const table of dependencyTables(manifest)) {
    for (const [key, spec] of Object.entries(table)) {
      const entry = recordOf(spec);
      if ((typeof entry?.package === 'string' ? entry.package : key) !== crate) continue;
      // A member's `crate.workspace = true` is resolved by the workspace's own table, scanned too.
      if (entry?.workspace === true) continue;
      if (typeof entry?.path === 'string') {
        throw linkFailed(
          `the consumer's Cargo.toml takes ${crate} from the path ${entry.path}: a path dependency cannot be patched`,
          {
            library: crate,
          },
        );
      }
      if (typeof entry?.git === 'string') return JSON.stringify(entry.git);
      if (typeof entry?.registry === 'string') {
        if (!BARE_KEY.test(entry.registry))
          throw linkFailed(
            `Cargo.toml: registry name ${JSON.stringify(entry.registry)} is not one Cargo accepts`,
          );
        return entry.registry;
      }
      return 'crates-io';
    }
  }
  throw linkFailed(`the consumer's Cargo.toml does not depend on ${crate}: nothing to link`, {
    library: crate,
  });
}

/**
 * Cargo: `[patch]` given on the command line (`--config patch.<source>.<crate>.path=...`) to every
 * cargo command of the consumer's build and tests, never written to Cargo.toml. Cargo records the
 * patched crate in Cargo.lock: in the copy, which is never pushed.
 */
export const cargoLinker: Linker = {
  id: 'cargo',
  detect: (consumerDir) => hasManifest(consumerDir, 'Cargo.toml'),
  async link({ consumerDir, libraryDir }) {
    const library = requiredString(
      recordOf((await readTomlManifest(libraryDir, 'Cargo.toml')).package),
      'name',
      'library Cargo.toml [package]',
    );
    if (!BARE_KEY.test(library))
      throw linkFailed(`library Cargo.toml: ${JSON.stringify(library)} is not a crate name`);
    const source = patchSource(await readTomlManifest(consumerDir, 'Cargo.toml'), library);
    return {
      library,
      commands: [],
      env: {},
      buildArgs: ['--config', `patch.${source}.${library}.path=${JSON.stringify(libraryDir)}`],
    };
  },
};
