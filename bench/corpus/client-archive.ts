import { execFile } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { CorpusSource } from './types.js';

const exec = promisify(execFile);
const TIMEOUT_MS = 600_000;

async function run(argv: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  const [program, ...args] = argv;
  if (program === undefined) throw new Error('empty command');
  try {
    const { stdout } = await exec(program, args, {
      cwd,
      env: { ...process.env, ...env },
      timeout: TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${argv.join(' ')} failed: ${(e.stderr ?? e.message).slice(-1500)}`);
  }
}

async function onlyFile(dir: string): Promise<string> {
  const names = (await readdir(dir)).filter((n) => !n.startsWith('.'));
  if (names.length !== 1 || names[0] === undefined)
    throw new Error(`expected one download in ${dir}, found: ${names.join(', ')}`);
  return path.join(dir, names[0]);
}

/**
 * The published archive of `source` as the ecosystem's own client downloads it, from the registry the
 * client is configured for (a mirror too): the sdist by `pip download`, the .crate by `cargo fetch`,
 * the module zip by `go mod download`, the tarball by `npm pack`. The bytes are the registry's own,
 * so the corpus's pinned sha256 still holds. Returns the file's path inside `scratch`.
 */
export async function downloadArchive(source: CorpusSource, scratch: string): Promise<string> {
  const out = path.join(scratch, 'dl');
  await mkdir(out, { recursive: true });
  const { name, version } = source;
  switch (source.registry) {
    case 'pypi':
      await run(
        [
          'python3',
          '-m',
          'pip',
          'download',
          '--no-deps',
          '--no-binary',
          ':all:',
          '--progress-bar',
          'off',
          '-d',
          out,
          `${name}==${version}`,
        ],
        scratch,
        { PIP_NO_INPUT: '1' },
      );
      return onlyFile(out);
    case 'npm':
      await run(['npm', 'pack', '--silent', '--pack-destination', out, `${name}@${version}`], scratch, {
        npm_config_update_notifier: 'false',
        npm_config_progress: 'false',
      });
      return onlyFile(out);
    case 'goproxy': {
      const json = await run(['go', 'mod', 'download', '-json', `${name}@${version}`], scratch, {
        GOMODCACHE: path.join(scratch, 'mod'),
        GOFLAGS: '-modcacherw',
        GOTOOLCHAIN: 'local',
      });
      const zip = (JSON.parse(json) as { Zip?: string }).Zip;
      if (zip === undefined) throw new Error(`go mod download ${name}@${version} named no zip: ${json}`);
      return zip;
    }
    case 'crates': {
      const probe = path.join(scratch, 'probe');
      await mkdir(path.join(probe, 'src'), { recursive: true });
      await writeFile(
        path.join(probe, 'Cargo.toml'),
        `[package]\nname = "corpus-probe"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\n${name} = "=${version}"\n`,
      );
      await writeFile(path.join(probe, 'src', 'lib.rs'), '');
      const cargoHome = path.join(scratch, 'cargo');
      await run(['cargo', 'fetch', '-q'], probe, {
        CARGO_HOME: cargoHome,
        CARGO_TERM_PROGRESS_WHEN: 'never',
      });
      // registry/cache/<index>/<name>-<version>.crate: the file exactly as the registry served it.
      const caches = path.join(cargoHome, 'registry', 'cache');
      const index = await onlyFile(caches);
      return path.join(index, `${name}-${version}.crate`);
    }
  }
}
