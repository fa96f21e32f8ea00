import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { listWorkspaceFiles } from '../../src/repomap/source-files.js';
import { languageForPath } from '../../src/repomap/languages.js';

/**
 * Build outputs, tests (urllib3's test servers live in dummyserver/) and docs: not where a fix is
 * made, so neither ranked nor counted as changed.
 */
const NOT_SOURCE =
  /(^|\/)(dist|min|build|umd|types|test|tests|testing|testdata|__tests__|spec|benchmark|benches|example|examples|docs?|fuzz|dummyserver)\//;
/** Tests and packaging scripts by their names: Go's `_test.go`, pytest's `test_*.py` and `conftest.py`. */
const NOT_SOURCE_NAME = /(_test\.go|_test\.py|^test_.*\.py|^conftest\.py|^setup\.py|^noxfile\.py)$/;
const VERSION_MODULE = /^_*version_*\.(py|go|rs|[cm]?js|ts)$/;
const MAX_SOURCE_BYTES = 256 * 1024;

/** The package's own source files in the map's languages (no bundles, minified, test or dot-config files). */
export async function sourceFiles(dir: string): Promise<string[]> {
  const all = await listWorkspaceFiles(dir, 50_000);
  return all.filter(
    (file) =>
      languageForPath(file) !== undefined &&
      !NOT_SOURCE.test(file) &&
      !NOT_SOURCE_NAME.test(path.basename(file)) &&
      !/\.(min|d)\.[cm]?[jt]s$/.test(file),
  );
}

/**
 * Ground truth of a bug-fix release: the source files of the old version whose content the new
 * version changed (a file the fix added cannot be found in the old tree, so it does not count).
 */
export async function changedSourceFiles(
  oldDir: string,
  newDir: string,
  oldFiles: readonly string[],
  versions: { from: string; to: string },
): Promise<string[]> {
  const changed: string[] = [];
  for (const file of oldFiles) {
    const before = await readFile(path.join(oldDir, file), 'utf8').catch(() => undefined);
    const after = await readFile(path.join(newDir, file), 'utf8').catch(() => undefined);
    if (before === undefined || before.length > MAX_SOURCE_BYTES) continue;
    if (after === undefined || (before !== after && !onlyVersionBump(file, before, after, versions)))
      changed.push(file);
  }
  return changed;
}

/**
 * A release rewrites `VERSION = '1.2.3'` constants: a file changed only there was not fixed. A
 * version module (requests' `__version__.py` also carries `__build__ = 0x023203`) is all such constants.
 */
function onlyVersionBump(
  file: string,
  before: string,
  after: string,
  versions: { from: string; to: string },
): boolean {
  if (VERSION_MODULE.test(path.basename(file))) return true;
  const beforeLines = new Set(before.split('\n'));
  const afterLines = new Set(after.split('\n'));
  const differing = [
    ...[...beforeLines].filter((line) => !afterLines.has(line)),
    ...[...afterLines].filter((line) => !beforeLines.has(line)),
  ];
  return differing.every((line) => line.includes(versions.from) || line.includes(versions.to));
}
