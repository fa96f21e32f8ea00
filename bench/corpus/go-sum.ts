import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/**
 * A go.sum for a module that publishes none (gopkg.in/yaml.v3 ships go.mod alone): autodev runs Go
 * with -mod=readonly and never writes go.sum, so such a module fails setup with "missing go.sum
 * entry", as `go test` does by hand. A maintainer's checkout has one; the corpus writes it with Go
 * itself (the download and the imports of every package and test) under its own module cache in
 * bench/.cache, and puts go.mod back as published (-mod=mod would also add a `go` line to it).
 */
export async function pinGoSum(work: string, cacheDir: string): Promise<void> {
  const goMod = path.join(work, 'go.mod');
  const published = await readFile(goMod);
  const env = {
    ...process.env,
    GOMODCACHE: path.join(cacheDir, 'lock-tools', 'go', 'mod'),
    GOCACHE: path.join(cacheDir, 'lock-tools', 'go', 'build'),
    GOFLAGS: '-mod=mod -modcacherw',
    GOTOOLCHAIN: 'local',
  };
  for (const args of [
    ['mod', 'download'],
    ['list', '-deps', '-test', './...'],
  ]) {
    await exec('go', args, { cwd: work, env, timeout: 600_000, maxBuffer: 16 * 1024 * 1024 });
  }
  await writeFile(goMod, published);
}
