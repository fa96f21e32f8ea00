import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { checkSha256, exists, run, unpackTarGz } from './archive.js';

/**
 * A crate version's published .crate, fetched with cargo's own client: a throw-away project that
 * depends on exactly that version, `cargo fetch`ed with a CARGO_HOME inside the cache, leaves the
 * .crate in CARGO_HOME's registry cache. Checked against the pinned sha256 and unpacked.
 */
export async function fetchCrate(
  cacheDir: string,
  name: string,
  version: string,
  sha256: string,
): Promise<string> {
  const unpacked = path.join(cacheDir, 'src', `crate-${name}-${version}`);
  if (await exists(path.join(unpacked, 'Cargo.toml'))) return unpacked;
  const cargoHome = path.join(cacheDir, 'cargo-home');
  let crate = await cachedCrate(cargoHome, name, version);
  if (crate === undefined) {
    const project = path.join(cacheDir, 'crate-probes', `${name}-${version}`);
    await mkdir(path.join(project, 'src'), { recursive: true });
    await writeFile(
      path.join(project, 'Cargo.toml'),
      `[package]\nname = "probe"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\n${name} = "=${version}"\n`,
    );
    await writeFile(path.join(project, 'src', 'lib.rs'), '');
    await run('cargo', ['fetch', '--quiet'], {
      cwd: project,
      env: { ...process.env, CARGO_HOME: cargoHome },
      timeout: 300_000,
    });
    crate = await cachedCrate(cargoHome, name, version);
  }
  if (crate === undefined) throw new Error(`crate ${name} ${version}: cargo fetch left no .crate`);
  await checkSha256(crate, sha256, `crate ${name} ${version}`);
  await unpackTarGz(crate, unpacked);
  return unpacked;
}

/** The .crate under CARGO_HOME/registry/cache/<index>/ (the index folder's name is cargo's hash). */
async function cachedCrate(cargoHome: string, name: string, version: string): Promise<string | undefined> {
  const caches = path.join(cargoHome, 'registry', 'cache');
  const indexes = await readdir(caches).catch(() => [] as string[]);
  for (const index of indexes) {
    const crate = path.join(caches, index, `${name}-${version}.crate`);
    if (await exists(crate)) return crate;
  }
  return undefined;
}
