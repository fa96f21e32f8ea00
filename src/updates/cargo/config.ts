import { open } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { AutodevError } from '../../errors.js';
import type { RepoFiles } from '../types.js';

/** A cargo config file is a few lines; past this it is not read. */
const MAX_CONFIG_BYTES = 256 * 1024;
/** cargo's name for its default registry, in `[source.crates-io]` and `[registries.crates-io]`. */
export const CRATES_IO = 'crates-io';

type Table = Record<string, unknown>;
const isTable = (value: unknown): value is Table =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The `[source]` and `[registries]` tables that decide where crates-io's crates come from. */
export interface CargoRegistryConfig {
  source: Record<string, Table>;
  registries: Record<string, Table>;
}

function parseConfig(file: string, text: string): Table {
  try {
    return parseToml(text);
  } catch (error) {
    throw new AutodevError('VALIDATION_FAILED', `${file} is not valid TOML: ${(error as Error).message}`, {
      details: { file, ecosystem: 'cargo' },
    });
  }
}

async function readBounded(file: string): Promise<string | undefined> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (handle === undefined) return undefined;
  try {
    const { size } = await handle.stat();
    return size > MAX_CONFIG_BYTES ? undefined : await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/** One config folder's file: cargo reads `config` (the old name) when both it and `config.toml` exist. */
async function firstOf(read: (file: string) => Promise<string | undefined>, dir: string) {
  for (const name of ['config', 'config.toml']) {
    const file = dir === '' ? name : `${dir}/${name}`;
    const text = await read(file);
    if (text !== undefined) return { file, text };
  }
  return undefined;
}

/**
 * The registry configuration cargo would use for the repository, in cargo's order: the repository's
 * `.cargo/config[.toml]` over `$CARGO_HOME/config[.toml]` (each key from the nearest file that sets
 * it), and `CARGO_REGISTRIES_<NAME>_INDEX` over both. (Folders above the repository are the
 * checkout's location on this machine, not the repository's: they are not read.) `[source]` has no
 * environment form in cargo.
 */
export async function cargoRegistryConfig(
  files: RepoFiles,
  clientEnv: Readonly<Record<string, string | undefined>>,
): Promise<CargoRegistryConfig> {
  const repo = await firstOf((file) => files.read(file), '.cargo');
  const cargoHome =
    clientEnv.CARGO_HOME ?? (clientEnv.HOME ? path.join(clientEnv.HOME, '.cargo') : undefined);
  const home = cargoHome === undefined ? undefined : await firstOf(readBounded, cargoHome);
  const out: CargoRegistryConfig = { source: {}, registries: {} };
  // Farthest first, so the nearer file's keys replace its keys.
  for (const found of [home, repo]) {
    if (found === undefined) continue;
    const doc = parseConfig(found.file, found.text);
    for (const section of ['source', 'registries'] as const) {
      const tables = doc[section];
      if (!isTable(tables)) continue;
      for (const [name, table] of Object.entries(tables)) {
        if (isTable(table)) out[section][name] = { ...out[section][name], ...table };
      }
    }
  }
  for (const [variable, value] of Object.entries(clientEnv)) {
    const name = /^CARGO_REGISTRIES_([A-Z0-9_]+)_INDEX$/.exec(variable)?.[1];
    if (name === undefined || value === undefined) continue;
    // The variable's name is the registry's upper-cased with `-` as `_`: match it to a configured one.
    const key =
      Object.keys(out.registries).find((r) => r.toUpperCase().replace(/-/g, '_') === name) ??
      name.toLowerCase().replace(/_/g, '-');
    out.registries[key] = { ...out.registries[key], index: value };
  }
  return out;
}

/**
 * The index URL crates-io's crates come from after source replacement (`[source.crates-io]
 * replace-with`, followed through chains; the name may be a `[source]` or a `[registries]` entry), or
 * undefined when crates-io is not replaced: cargo's own default, learnt from cargo itself.
 */
export function replacedIndexUrl(config: CargoRegistryConfig): string | undefined {
  let name = CRATES_IO;
  const visited = new Set<string>();
  for (;;) {
    if (visited.has(name)) {
      throw new AutodevError('VALIDATION_FAILED', `cargo config: source replacement loops at "${name}"`, {
        details: { ecosystem: 'cargo' },
      });
    }
    visited.add(name);
    const source = config.source[name];
    const next = source?.['replace-with'];
    if (typeof next === 'string') {
      name = next;
      continue;
    }
    if (name === CRATES_IO) return undefined;
    const url = source?.registry ?? config.registries[name]?.index;
    if (typeof url === 'string') return url;
    const kinds = Object.keys(source ?? {}).filter((k) => k !== 'replace-with');
    throw new AutodevError(
      'UPDATE_REGISTRY_UNREACHABLE',
      `cargo: crates-io is replaced by "${name}", which is no registry index (${kinds.join(', ') || 'not defined'}); only a sparse index can be looked up`,
      { details: { ecosystem: 'cargo', source: name } },
    );
  }
}
