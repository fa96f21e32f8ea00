import { createCargoUpdater } from './cargo/index.js';
import { createGoUpdater } from './go/index.js';
import { createNpmUpdater } from './npm/index.js';
import { createPythonUpdater } from './python/index.js';
import type { RegistryAccess } from './registry-access.js';
import type { UpdateEcosystem, Updater } from './types.js';

/** One updater per ecosystem: a new one is a folder and a line here. */
export const UPDATERS: Readonly<Record<UpdateEcosystem, (access: RegistryAccess) => Updater>> = {
  npm: createNpmUpdater,
  cargo: createCargoUpdater,
  python: createPythonUpdater,
  go: createGoUpdater,
};

export function createUpdaters(access: RegistryAccess): Updater[] {
  return Object.values(UPDATERS).map((create) => create(access));
}

export function updaterFor(ecosystem: UpdateEcosystem, access: RegistryAccess): Updater {
  return UPDATERS[ecosystem](access);
}
