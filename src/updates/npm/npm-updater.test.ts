import { describe, expect, it } from 'vitest';
import { isAutodevError } from '../../errors.js';
import { NO_REGISTRY_LOOKUPS } from '../registry-access.js';
import type { RepoFiles } from '../types.js';
import { createNpmUpdater } from './index.js';

function repo(files: Record<string, string>): RepoFiles {
  return { read: (file) => Promise.resolve(files[file]) };
}

const PACKAGE_JSON = JSON.stringify({ name: 'app', dependencies: { 'left-pad': '^1.0.0' } });

describe('the npm updater and the package manager a repository locks with', () => {
  it('reads package.json with package-lock.json, or without a lockfile', async () => {
    const updater = createNpmUpdater(NO_REGISTRY_LOOKUPS);
    const lock = JSON.stringify({ packages: { 'node_modules/left-pad': { version: '1.1.0' } } });
    expect(await updater.declared(repo({ 'package.json': PACKAGE_JSON, 'package-lock.json': lock }))).toEqual(
      [{ name: 'left-pad', depType: 'prod', range: '^1.0.0', current: '1.1.0' }],
    );
    expect(await updater.declared(repo({ 'package.json': PACKAGE_JSON }))).toHaveLength(1);
  });

  it.each([
    ['pnpm-lock.yaml', 'pnpm'],
    ['yarn.lock', 'yarn'],
  ])(
    'refuses a repository with %s (UPDATE_UNSUPPORTED naming %s): its lockfile would go stale',
    async (file, tool) => {
      const updater = createNpmUpdater(NO_REGISTRY_LOOKUPS);
      const error = await updater
        .declared(repo({ 'package.json': PACKAGE_JSON, [file]: 'lock\n' }))
        .catch((e) => e);
      expect(isAutodevError(error, 'UPDATE_UNSUPPORTED')).toBe(true);
      expect((error as Error).message).toContain(
        `${file} shows the repository locks its dependencies with ${tool}`,
      );
    },
  );
});
