import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { CorpusEcosystem } from './types.js';

const exec = promisify(execFile);
const TIMEOUT_MS = 600_000;
const OUTPUT_BYTES = 16 * 1024 * 1024;

/**
 * One released version's published files, downloaded by the ecosystem's own client (`pip download`,
 * `cargo fetch`, `go mod download`, `npm pack`) so the registry is the one the client is configured
 * with, and each client checks what it fetched its own way (cargo against the index checksum, go
 * against go.sum's database, npm against the packument's integrity). Unpacked once into
 * bench/.cache/corpus/releases/<ecosystem>-<name>-<version>/ and reused.
 */
export async function fetchRelease(
  ecosystem: CorpusEcosystem,
  name: string,
  version: string,
  cacheDir: string,
): Promise<string> {
  const dir = path.join(cacheDir, 'releases', `${ecosystem}-${name.replace(/[^\w.-]/g, '_')}-${version}`);
  if (await isDir(dir)) return dir;
  await mkdir(path.dirname(dir), { recursive: true });
  const scratch = await mkdtemp(`${dir}.part-`);
  try {
    const tree = path.join(scratch, 'tree');
    await mkdir(tree);
    await FETCHERS[ecosystem](name, version, scratch, tree, cacheDir);
    await rename(tree, dir);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return dir;
}

async function isDir(dir: string): Promise<boolean> {
  return stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

async function run(argv: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  const [program, ...args] = argv;
  if (program === undefined) throw new Error('empty command');
  try {
    const { stdout } = await exec(program, args, {
      cwd,
      env: { ...process.env, ...env },
      timeout: TIMEOUT_MS,
      maxBuffer: OUTPUT_BYTES,
    });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`${argv.join(' ')} failed: ${(e.stderr ?? e.message).slice(-1500)}`);
  }
}

/** The one file or folder a client wrote into `dir`. */
async function only(dir: string): Promise<string> {
  const names = (await readdir(dir)).filter((n) => !n.startsWith('.'));
  if (names.length !== 1 || names[0] === undefined)
    throw new Error(`expected one download in ${dir}, found: ${names.join(', ')}`);
  return path.join(dir, names[0]);
}

type Fetcher = (
  name: string,
  version: string,
  scratch: string,
  tree: string,
  cacheDir: string,
) => Promise<void>;

const FETCHERS: Record<CorpusEcosystem, Fetcher> = {
  // The sdist: Python's published tests live there, not in the wheel.
  async python(name, version, scratch, tree) {
    const out = path.join(scratch, 'dl');
    await mkdir(out);
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
    await run(
      ['tar', '-xzf', await only(out), '-C', tree, '--strip-components=1', '--no-same-owner'],
      scratch,
    );
  },
  // The crate as cargo unpacks it into its registry sources, fetched for a one-line probe crate.
  async rust(name, version, scratch, tree) {
    const probe = path.join(scratch, 'probe');
    await mkdir(path.join(probe, 'src'), { recursive: true });
    await writeFile(
      path.join(probe, 'Cargo.toml'),
      `[package]\nname = "corpus-probe"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\n${name} = "=${version}"\n`,
    );
    await writeFile(path.join(probe, 'src', 'lib.rs'), '');
    const cargoHome = path.join(scratch, 'cargo');
    await run(['cargo', 'fetch', '-q'], probe, { CARGO_HOME: cargoHome, CARGO_TERM_PROGRESS_WHEN: 'never' });
    const registries = path.join(cargoHome, 'registry', 'src');
    const source = path.join(await only(registries), `${name}-${version}`);
    await cp(source, tree, { recursive: true });
    await rm(path.join(tree, '.cargo-ok'), { force: true });
  },
  // The module zip's tree, as the module cache holds it (go verifies it against the checksum database).
  async go(name, version, scratch, tree) {
    const modcache = path.join(scratch, 'mod');
    const out = await run(['go', 'mod', 'download', '-json', `${name}@${version}`], scratch, {
      GOMODCACHE: modcache,
      GOFLAGS: '-modcacherw',
      GOTOOLCHAIN: 'local',
    });
    const dir = (JSON.parse(out) as { Dir?: string }).Dir;
    if (dir === undefined) throw new Error(`go mod download ${name}@${version} named no folder: ${out}`);
    await cp(dir, tree, { recursive: true });
  },
  async node(name, version, scratch, tree) {
    const out = path.join(scratch, 'dl');
    await mkdir(out);
    await run(['npm', 'pack', '--silent', '--pack-destination', out, `${name}@${version}`], scratch, {
      npm_config_update_notifier: 'false',
      npm_config_progress: 'false',
    });
    await run(
      ['tar', '-xzf', await only(out), '-C', tree, '--strip-components=1', '--no-same-owner'],
      scratch,
    );
  },
};
