import { AutodevError } from '../errors.js';
import type { UpdateEcosystem } from './types.js';

export { readBoundedBytes, readBoundedText } from '../util/read-bounded.js';

/** UPDATE_REGISTRY_UNREACHABLE naming the ecosystem's registry (`npm registry URL`) and the package. */
export function registryUnreachable(
  ecosystem: UpdateEcosystem,
  what: string,
  registry: string,
  name: string,
  reason: string,
  cause?: unknown,
): AutodevError {
  return new AutodevError(
    'UPDATE_REGISTRY_UNREACHABLE',
    `${what} ${registry} could not be read for ${name}: ${reason}`,
    { details: { ecosystem, registry, package: name }, ...(cause ? { cause } : {}) },
  );
}
