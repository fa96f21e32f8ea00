import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'smol-toml';
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
