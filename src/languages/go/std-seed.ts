import { mkdir, mkdtemp, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createKeyedLock } from '../../workspace/file-lock.js';
import type { RunProjectCommandOptions } from '../types.js';
import { GO_COMMANDS, GO_SUM_CHECK, OFFLINE_ENV, WARM_TEST } from './warm-commands.js';

/**
 * A per-server, per-Go-version seed for a repo's build cache: the standard-library packages small
 * modules import, compiled (and vetted: vet's facts are cached too) once. Go no longer ships the
 * standard library precompiled, so without it every repository's first setup compiles it from
 * nothing (~17 s of CPU, over a minute on a busy machine).
 *
 * It holds no repository's content: autodev builds it from a module it writes itself, in the
 * sandbox as the sandbox user with the flags and environment of a repo's warm-up, so the cache
 * keys match and the copied files are the sandbox user's as a warm-up's would be. It lives in
 * data_dir/caches/go-std/<version>, which no sandbox ever sees (data_dir is hidden; only a repo's
 * own cache folder is bound), so no repo can write it.
 */

/** Marks a build cache that already holds the seed (also what a copy of it carries along). */
export const SEED_MARKER = 'autodev-go-std-seed';

// `go env` prints one value a line; the key names a folder, so only these characters are taken.
const VERSION_KEY = /^[A-Za-z0-9._+-]{1,100}$/;

/** Light, everyday packages (and, in the test file, testing): what a small module's build needs. */
const IMPORTS = [
  'bufio',
  'bytes',
  'context',
  'crypto/sha256',
  'encoding/base64',
  'encoding/hex',
  'encoding/json',
  'errors',
  'flag',
  'fmt',
  'io',
  'io/fs',
  'log',
  'math',
  'math/rand',
  'os',
  'os/exec',
  'path/filepath',
  'reflect',
  'regexp',
  'sort',
  'strconv',
  'strings',
  'sync',
  'sync/atomic',
  'time',
  'unicode',
  'unicode/utf8',
];

/** Packages a toolchain older than the one they came with lacks: their own package, so only it fails. */
const NEWER_IMPORTS = ['cmp', 'log/slog', 'maps', 'slices'];

function goFile(pkg: string, imports: readonly string[]): string {
  const lines = imports.map((name) => `\t_ "${name}"`);
  return `package ${pkg}\n\nimport (\n${lines.join('\n')}\n)\n`;
}

/** The seed's module: one package for the common imports, one for the newer, each with a test file. */
async function writeSeedModule(dir: string): Promise<void> {
  await writeFile(path.join(dir, 'go.mod'), 'module autodev.invalid/stdseed\n\ngo 1.18\n');
  await writeFile(path.join(dir, 'seed.go'), goFile('stdseed', IMPORTS));
  await writeFile(
    path.join(dir, 'seed_test.go'),
    'package stdseed\n\nimport "testing"\n\nfunc TestSeed(t *testing.T) {}\n',
  );
  await mkdir(path.join(dir, 'newer'));
  await writeFile(path.join(dir, 'newer', 'newer.go'), goFile('newer', NEWER_IMPORTS));
  await writeFile(
    path.join(dir, 'newer', 'newer_test.go'),
    'package newer\n\nimport "testing"\n\nfunc TestSeed(t *testing.T) {}\n',
  );
}

async function isDir(dir: string): Promise<boolean> {
  return stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

const lock = createKeyedLock();
/** Seeds known in this process, by their folder of seeds: the `go env` run is only needed once. */
const known = new Map<string, string>();

/** data_dir/caches/go-std: next to the repos' cache folders (options.cacheDir is one of them). */
export function goStdSeedRoot(repoCacheDir: string): string {
  return path.join(path.dirname(repoCacheDir), 'go-std');
}

/** The same folder named from data_dir (caches.ts puts a repo's caches in data_dir/caches/<key>). */
export function dataDirGoStdSeedRoot(dataDir: string): string {
  return path.join(dataDir, 'caches', 'go-std');
}

/**
 * The seed's folder (a GOCACHE), built on first use; undefined when the run has no caches or the
 * seed cannot be built (no Go in the sandbox): setup then compiles the standard library as before.
 * One build at a time per data_dir, across processes (a lock file); a second caller finds it built.
 */
export async function goStdSeed(options: RunProjectCommandOptions): Promise<string | undefined> {
  if (options.cacheDir === undefined) return undefined;
  const root = goStdSeedRoot(options.cacheDir);
  const cached = known.get(root);
  if (cached !== undefined && (await isDir(cached))) return cached;
  await mkdir(root, { recursive: true });
  const seed = await lock
    .run(path.join(root, '.lock'), () => buildSeed(root, options), {
      ...(options.signal ? { signal: options.signal } : {}),
    })
    .catch(() => undefined);
  if (seed !== undefined) known.set(root, seed);
  return seed;
}

async function buildSeed(root: string, options: RunProjectCommandOptions): Promise<string | undefined> {
  const work = await mkdtemp(path.join(root, '.build-'));
  try {
    // The module is the sandbox's workspace and its GOCACHE a hidden folder in it (the go tool
    // skips folders starting with a dot): no bind is needed, so the seed's folder need not be
    // inside the sandbox's bind root.
    // By its real path, as the sandbox binds it (the seed folder may be a link: test-run-seed.ts).
    const module = path.join(await realpath(work), 'module');
    await mkdir(module);
    await writeSeedModule(module);
    const gocache = path.join(module, '.gocache');
    const run = (argv: readonly string[]) =>
      options.sandbox.run({
        argv: [...argv],
        cwd: module,
        workspace: module,
        timeoutMs: options.timeoutMs,
        network: false,
        maxOutputBytes: 256 * 1024,
        env: { ...OFFLINE_ENV, GOFLAGS: '-mod=readonly', GOCACHE: gocache },
        ...(options.signal ? { signal: options.signal } : {}),
      });
    const version = await run(['go', 'env', 'GOVERSION', 'GOOS', 'GOARCH']);
    const key = version.stdout.trim().split('\n').join('-');
    if (version.exitCode !== 0 || !VERSION_KEY.test(key)) return undefined;
    const seed = path.join(root, key);
    if (await isDir(seed)) return seed;
    // Whatever compiled is worth keeping: a package a toolchain lacks fails alone.
    for (const argv of [GO_SUM_CHECK, WARM_TEST, GO_COMMANDS.lint]) {
      const result = await run(argv);
      if (result.cancelled || result.timedOut || result.resourceLimit !== undefined) return undefined;
    }
    if (!(await isDir(gocache))) return undefined;
    await writeFile(path.join(gocache, SEED_MARKER), `${key}\n`);
    // Another host sharing data_dir may have won the race: its seed is as good as this one.
    await rename(gocache, seed).catch(async (error: unknown) => {
      if (!(await isDir(seed))) throw error;
    });
    return seed;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
