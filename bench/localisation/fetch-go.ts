import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { checkSha256, run } from './archive.js';

interface DownloadInfo {
  Zip?: string;
  Dir?: string;
  Error?: string;
}

/**
 * A Go module version, fetched with the go command's own client (`go mod download`) into a GOPATH
 * inside the cache. The module zip is checked against the pinned sha256 (go itself checks it against
 * the checksum database); the folder go extracted it to is the tree. Returns that folder.
 */
export async function fetchGoModule(
  cacheDir: string,
  modulePath: string,
  version: string,
  sha256: string,
): Promise<string> {
  await mkdir(cacheDir, { recursive: true });
  const { stdout } = await run('go', ['mod', 'download', '-json', `${modulePath}@v${version}`], {
    cwd: cacheDir,
    // -modcacherw: go's read-only module folders would keep `rm -rf bench/.cache` from working.
    env: { ...process.env, GOPATH: path.join(cacheDir, 'go'), GOFLAGS: '-modcacherw', GOTOOLCHAIN: 'local' },
    timeout: 300_000,
  });
  const info = JSON.parse(stdout) as DownloadInfo;
  if (info.Error !== undefined || info.Zip === undefined || info.Dir === undefined)
    throw new Error(`go ${modulePath}@v${version}: ${info.Error ?? 'no zip'}`);
  await checkSha256(info.Zip, sha256, `go ${modulePath}@v${version}`);
  return info.Dir;
}
