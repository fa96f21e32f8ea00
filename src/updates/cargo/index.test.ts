import { describe, expect, it } from 'vitest';
import { isAutodevError } from '../../errors.js';
import type { AllowedTarget } from '../../network/allow-list.js';
import type { RegistryAccess } from '../registry-access.js';
import type { RepoFiles } from '../types.js';
import { createCargoUpdater } from './index.js';

const NO_CONFIG: RepoFiles = { read: () => Promise.resolve(undefined) };

/** What the machine's probes found, and the registries the updater asked to be allowed. */
function access(found: Record<string, AllowedTarget[]>, asked: string[]): RegistryAccess {
  return {
    clientRegistry: () => Promise.resolve(undefined),
    assertAllowed: (_ecosystem, url) => {
      asked.push(url);
      return Promise.resolve();
    },
    discovered: (client) => Promise.resolve(found[client] ?? []),
    clientEnv: {},
    fetch: () => Promise.reject(new Error('no request in this test')),
  };
}

describe('the cargo updater without a source replacement', () => {
  it("looks up cargo's default index at the root of the host cargo itself connected to", async () => {
    const asked: string[] = [];
    const found = {
      'cargo (default registry)': [
        { host: 'index.test', port: 8443 },
        { host: 'dl.test', port: 443 },
      ],
    };
    await createCargoUpdater(access(found, asked)).lookup(NO_CONFIG);
    expect(asked).toEqual(['https://index.test:8443/']);
  });

  it('says what to do when cargo named no index host', async () => {
    const error: unknown = await createCargoUpdater(access({}, []))
      .lookup(NO_CONFIG)
      .catch((e: unknown) => e);
    expect(isAutodevError(error, 'UPDATE_REGISTRY_UNREACHABLE')).toBe(true);
    expect((error as Error).message).toContain("replace crates-io in the repository's .cargo/config.toml");
  });
});
