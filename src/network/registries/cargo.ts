import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'smol-toml';
import { targetFromUrl, type AllowedTarget } from '../allow-list.js';
import type { RegistryProbe } from './types.js';

function urlsOfTable(table: unknown, keys: readonly string[]): string[] {
  if (typeof table !== 'object' || table === null) return [];
  return Object.values(table).flatMap((entry: unknown) =>
    typeof entry === 'object' && entry !== null
      ? keys
          .map((key) => (entry as Record<string, unknown>)[key])
          .filter((value): value is string => typeof value === 'string')
      : [],
  );
}

/**
 * cargo's alternative registries (`[registries.NAME] index`) and source replacements
 * (`[source.NAME] registry`) from CARGO_HOME's config.toml, and CARGO_REGISTRIES_<NAME>_INDEX.
 * The default registry is learnt from cargo itself (cargo-default.ts).
 */
export const cargoRegistries: RegistryProbe = {
  client: 'cargo',
  async targets({ hostEnv }) {
    const cargoHome = hostEnv.CARGO_HOME ?? (hostEnv.HOME ? path.join(hostEnv.HOME, '.cargo') : undefined);
    const urls = Object.entries(hostEnv)
      .filter(([name]) => /^CARGO_REGISTRIES_[A-Z0-9_]+_INDEX$/.test(name))
      .map(([, value]) => value ?? '');
    for (const file of cargoHome === undefined ? [] : ['config.toml', 'config']) {
      const text = await readFile(path.join(cargoHome ?? '', file), 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      try {
        const config = parse(text);
        urls.push(...urlsOfTable(config.registries, ['index']), ...urlsOfTable(config.source, ['registry']));
      } catch {
        // An unreadable cargo config is cargo's own error to report; it opens nothing here.
      }
    }
    return urls.map(targetFromUrl).filter((target): target is AllowedTarget => target !== undefined);
  },
};

/** The keys of a source or registry table that say where crates come from; never a token. */
const SOURCE_KEYS = ['replace-with', 'registry'] as const;
const REGISTRY_KEYS = ['index', 'protocol'] as const;

function pick(table: unknown, keys: readonly string[]): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  if (typeof table !== 'object' || table === null) return out;
  for (const [name, entry] of Object.entries(table)) {
    if (typeof entry !== 'object' || entry === null) continue;
    const kept = Object.fromEntries(
      keys
        .map((key) => [key, (entry as Record<string, unknown>)[key]] as const)
        .filter((pair): pair is readonly [string, string] => typeof pair[1] === 'string'),
    );
    if (Object.keys(kept).length > 0) out[name] = kept;
  }
  return out;
}

/**
 * Where the machine's cargo takes crates from: the `[source]` replacements and `[registries]`
 * indexes of CARGO_HOME's config, as TOML for the repo cache's own CARGO_HOME. The sandbox runs cargo
 * with CARGO_HOME in data_dir, where the machine's config.toml is not read: a mirror configured there
 * (the way a company points cargo at its own) went unused, and setup reached for the default index,
 * which the sandbox's proxy refuses. Tokens, credential providers and paths stay out (a
 * `directory` or `local-registry` source names a host folder the sandbox does not see).
 * Undefined when the machine's cargo has no such configuration.
 */
export async function hostCargoSourceConfig(
  hostEnv: Readonly<Record<string, string | undefined>>,
): Promise<string | undefined> {
  const cargoHome = hostEnv.CARGO_HOME ?? (hostEnv.HOME ? path.join(hostEnv.HOME, '.cargo') : undefined);
  if (cargoHome === undefined) return undefined;
  for (const file of ['config.toml', 'config']) {
    const text = await readFile(path.join(cargoHome, file), 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    let config: Record<string, unknown>;
    try {
      config = parse(text);
    } catch {
      return undefined;
    }
    const kept: Record<string, unknown> = {};
    const source = pick(config.source, SOURCE_KEYS);
    const registries = pick(config.registries, REGISTRY_KEYS);
    if (Object.keys(source).length > 0) kept.source = source;
    if (Object.keys(registries).length > 0) kept.registries = registries;
    return Object.keys(kept).length > 0 ? stringify(kept) : undefined;
  }
  return undefined;
}
