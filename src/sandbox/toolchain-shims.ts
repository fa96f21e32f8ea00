import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A program found on PATH as one of pyenv's shims, resolved to the executable the shim would run.
 * A shim is a bash script that starts `pyenv exec` (more bash, a dozen processes) on every call:
 * 64 bash processes per Python task. pyenv's choice is read here from the same files it reads, so
 * the command starts the real interpreter directly, with that version's bin folder first on PATH
 * as `pyenv exec` sets it.
 */
export interface ResolvedShim {
  program: string;
  /** The version's bin folder, put first on the command's PATH (what `pyenv exec` does). */
  binDir: string;
}

/** Version names pyenv accepts as folders of `versions/`: no separators, never `.` or `..`. */
const VERSION_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/;

async function isExecutable(file: string): Promise<boolean> {
  return access(file, constants.X_OK).then(
    () => true,
    () => false,
  );
}

async function readText(file: string): Promise<string | undefined> {
  return readFile(file, 'utf8').catch(() => undefined);
}

/** The first match of `program` on `searchPath`, as execvp would find it. */
async function onPath(program: string, searchPath: string): Promise<string | undefined> {
  for (const dir of searchPath.split(':')) {
    if (dir === '') continue;
    const candidate = path.join(dir, program);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Names in a version file: whitespace separated, `#` comments. */
function versionNames(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .flatMap((line) => line.split(/\s+/))
    .filter((name) => name !== '');
}

/**
 * pyenv's version choice: PYENV_VERSION, else the nearest `.python-version` from the command's folder
 * up, else `$PYENV_ROOT/version`; undefined means "system" (not pyenv's to resolve).
 */
async function chosenVersions(
  root: string,
  cwd: string,
  env: Readonly<Record<string, string>>,
): Promise<string[]> {
  const fromEnv = env['PYENV_VERSION'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv.split(':').filter((name) => name !== '');
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const text = await readText(path.join(dir, '.python-version'));
    if (text !== undefined) return versionNames(text);
    if (path.dirname(dir) === dir) break;
  }
  return versionNames((await readText(path.join(root, 'version'))) ?? '');
}

/**
 * The executable pyenv's shim for `program` would run, when `program` is found on the command's PATH
 * as a shim; undefined otherwise (a path, another program, the system version, a version without it:
 * the shim runs then, and says what is wrong itself).
 */
export async function resolvePyenvShim(
  program: string,
  cwd: string,
  env: Readonly<Record<string, string>>,
): Promise<ResolvedShim | undefined> {
  const root = env['PYENV_ROOT'];
  if (root === undefined || root === '' || program.includes('/')) return undefined;
  const found = await onPath(program, env['PATH'] ?? '');
  if (found === undefined || path.dirname(found) !== path.join(root, 'shims')) return undefined;
  for (const version of await chosenVersions(root, cwd, env)) {
    if (version === 'system' || !VERSION_NAME.test(version)) return undefined;
    const binDir = path.join(root, 'versions', version, 'bin');
    const candidate = path.join(binDir, program);
    if (await isExecutable(candidate)) return { program: candidate, binDir };
  }
  return undefined;
}

/** `argv` and `env` with a pyenv shim in argv[0] replaced by what it would run (resolvePyenvShim). */
export async function withoutPyenvShim(
  argv: readonly string[],
  cwd: string,
  env: Record<string, string>,
): Promise<{ argv: string[]; env: Record<string, string> }> {
  const [program = '', ...rest] = argv;
  const resolved = await resolvePyenvShim(program, cwd, env);
  if (resolved === undefined) return { argv: [...argv], env };
  return {
    argv: [resolved.program, ...rest],
    env: { ...env, PATH: `${resolved.binDir}:${env['PATH'] ?? ''}` },
  };
}
