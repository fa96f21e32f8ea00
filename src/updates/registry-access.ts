import { AutodevError } from '../errors.js';
import { AllowList, parseAllowEntry, targetFromUrl, type AllowedTarget } from '../network/allow-list.js';
import { registryClientEnv } from '../network/registries/client-env.js';
import { discoverRegistries, hostCommand, type RegistryTargets } from '../network/registries/index.js';

/**
 * What an updater may reach: the registries the machine's package clients are configured for, plus
 * `setup_network_allow`, the same list the sandbox's lockfile step gets through its proxy. A registry
 * a repository names (its .npmrc) is used only when it is on that list.
 */
export interface RegistryAccess {
  /** The client's own answer (`npm config get registry`), run on the host outside any repository. */
  clientRegistry(argv: readonly string[]): Promise<string | undefined>;
  /** UPDATE_REGISTRY_REFUSED naming the URL when it is not a configured registry. */
  assertAllowed(ecosystem: string, url: string): Promise<void>;
  /**
   * What one client's probe found (network/registries, by its `client` name): cargo's default
   * registry has no command that prints it, only the host cargo itself connects to.
   */
  discovered(client: string): Promise<AllowedTarget[]>;
  /** The package clients' own variables and HOME (registryClientEnv): never the server's secrets. */
  clientEnv: Readonly<Record<string, string>>;
  fetch: typeof fetch;
}

export function createRegistryAccess(options: {
  hostEnv: Readonly<Record<string, string | undefined>>;
  extraAllow: readonly string[];
  fetch?: typeof fetch;
}): RegistryAccess {
  const cwd = options.hostEnv.HOME ?? '/';
  const run = hostCommand(options.hostEnv, cwd);
  let found: Promise<RegistryTargets[]> | undefined;
  const discoveries = (): Promise<RegistryTargets[]> => (found ??= discoverRegistries(options.hostEnv, cwd));
  let allow: Promise<AllowList> | undefined;
  const allowList = (): Promise<AllowList> =>
    (allow ??= discoveries().then((found) => {
      const explicit = options.extraAllow.flatMap(parseAllowEntry);
      return new AllowList([...found.flatMap((client) => client.targets), ...explicit], explicit);
    }));
  return {
    async clientRegistry(argv) {
      const out = (await run(argv))?.trim();
      return out === undefined || out === '' || out === 'undefined' ? undefined : out;
    },
    async assertAllowed(ecosystem, url) {
      const target = targetFromUrl(url);
      const list = await allowList();
      if (target === undefined || !list.permits(target.host, target.port)) {
        throw new AutodevError(
          'UPDATE_REGISTRY_REFUSED',
          `${ecosystem}: registry ${url} is not one the machine's package clients are configured for (add its host:port to setup_network_allow)`,
          { details: { ecosystem, registry: url } },
        );
      }
    },
    async discovered(client) {
      return (await discoveries()).find((probe) => probe.client === client)?.targets ?? [];
    },
    clientEnv: registryClientEnv(options.hostEnv),
    fetch: options.fetch ?? fetch,
  };
}

/** For what edits and locks only (the dependency_update tool): any lookup is a programming error. */
export const NO_REGISTRY_LOOKUPS: RegistryAccess = {
  clientRegistry: () => Promise.reject(new AutodevError('INTERNAL', 'no registry lookups here')),
  assertAllowed: () => Promise.reject(new AutodevError('INTERNAL', 'no registry lookups here')),
  discovered: () => Promise.reject(new AutodevError('INTERNAL', 'no registry lookups here')),
  clientEnv: {},
  fetch: () => Promise.reject(new AutodevError('INTERNAL', 'no registry lookups here')),
};
