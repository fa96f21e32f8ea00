import { SEMVER_VERSIONING } from '../semver-versioning.js';
import { z } from 'zod';
import { AutodevError } from '../../errors.js';
import { goDownloadRun } from '../../languages/go/index.js';
import type { RegistryAccess } from '../registry-access.js';
import type { Updater } from '../types.js';
import { goContents } from './contents.js';
import { declaredGoDependencies, lockedGoVersions } from './declared.js';
import { editGoMod } from './manifest-edit.js';
import { fetchGoVersions, parseGoProxy, type GoModuleSettings } from './proxy.js';

const GoEnv = z.object({ GOPROXY: z.string().default(''), GONOPROXY: z.string().default('') }).loose();

function noProxy(message: string): AutodevError {
  return new AutodevError('UPDATE_REGISTRY_UNREACHABLE', `go: ${message}`, { details: { ecosystem: 'go' } });
}

/**
 * Go modules: the root go.mod and go.sum. Versions come from the module proxies the machine's go is
 * configured for (`go env GOPROXY`, GONOPROXY and GOPRIVATE honoured), each one on the allow-list;
 * go.mod names no registry, so a repository cannot point the lookups elsewhere. What only `direct`
 * (the module's VCS) could fetch is not looked up.
 */
export function createGoUpdater(access: RegistryAccess): Updater {
  async function moduleSettings(): Promise<GoModuleSettings> {
    const out = await access.clientRegistry(['go', 'env', '-json', 'GOPROXY', 'GONOPROXY']);
    let json: unknown;
    try {
      json = out === undefined ? undefined : JSON.parse(out);
    } catch {
      json = undefined;
    }
    const parsed = GoEnv.safeParse(json);
    if (!parsed.success) throw noProxy('`go env GOPROXY` answered nothing: is go installed?');
    const proxies = parseGoProxy(parsed.data.GOPROXY);
    const first = proxies[0];
    if (first === undefined || first.kind !== 'proxy') {
      throw noProxy(
        `GOPROXY=${parsed.data.GOPROXY || '(empty)'}: autodev looks modules up only through a module proxy, never from a VCS (direct) or with lookups off`,
      );
    }
    for (const entry of proxies) if (entry.kind === 'proxy') await access.assertAllowed('go', entry.url);
    return { proxies, noProxy: parsed.data.GONOPROXY };
  }

  return {
    ecosystem: 'go',
    manifest: 'go.mod',
    lockfile: 'go.sum',
    async declared(files) {
      const goMod = await files.read('go.mod');
      // A vendored module would need `go mod vendor` as well, which writes past go.mod and go.sum.
      if (goMod === undefined || (await files.read('vendor/modules.txt')) !== undefined) return [];
      return declaredGoDependencies(goMod);
    },
    async lookup(files) {
      const current = new Map(
        declaredGoDependencies((await files.read('go.mod')) ?? '').map((d) => [d.name, d.current]),
      );
      const settings = await moduleSettings();
      return {
        versions: (name) => fetchGoVersions(settings, name, current.get(name), access.fetch),
        contents: async (name, version, wanted) =>
          version.archive === undefined
            ? undefined
            : goContents(access, name, version.version, version.archive, wanted),
      };
    },
    editManifest: editGoMod,
    // go.mod names one exact minimum version: whatever the strategy, the new text is the version.
    versioning: { ...SEMVER_VERSIONING, newRange: (_range, to) => to },
    lockCommands(updates) {
      // `go get` moves the requirement and what it needs; `go mod tidy` then drops what nothing uses.
      return [
        ['go', 'get', ...updates.map((u) => `${u.name}@${u.to}`)],
        ['go', 'mod', 'tidy'],
      ];
    },
    lockedVersions: lockedGoVersions,
    lockRun: (options) => goDownloadRun('.', options),
  };
}
