import { parse as parseYaml } from 'yaml';
import { AutodevError } from '../../../errors.js';
import { SECTIONS } from '../declared.js';
import { npmrcSettings } from '../registry.js';
import type { RepoFiles } from '../../types.js';
import { onlineManagerRun } from './lock-run.js';
import type { LockManager } from './types.js';

const LOCKFILE = 'pnpm-lock.yaml';
// No repository code in a step with network: neither install scripts nor .pnpmfile.cjs hooks.
const PNPM_FLAGS = ['--ignore-scripts', '--ignore-pnpmfile'];
/** The lockfile format pnpm 9 and 10 write; pnpm would rewrite an older one whole. */
const SUPPORTED_MAJOR = '9';

function parseLock(text: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new AutodevError(
      'VALIDATION_FAILED',
      `${LOCKFILE} is not valid YAML: ${(error as Error).message}`,
      {
        details: { file: LOCKFILE },
      },
    );
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new AutodevError('VALIDATION_FAILED', `${LOCKFILE}: expected a YAML mapping`, {
      details: { file: LOCKFILE },
    });
  }
  return doc as Record<string, unknown>;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** pnpm's hook files at the root (`.pnpmfile.mjs` from pnpm 10), and the .npmrc keys naming another. */
const HOOK_FILES = ['.pnpmfile.cjs', '.pnpmfile.mjs'];
const HOOK_SETTINGS = ['pnpmfile', 'global-pnpmfile'];

/**
 * UPDATE_UNSUPPORTED when the repository has pnpm hooks: they are repository code, which the lock
 * step (it has network) does not run (`--ignore-pnpmfile`), and without them pnpm writes a lockfile
 * without their `pnpmfileChecksum`, which the repository's own frozen install then rejects.
 */
async function refuseHooks(files: RepoFiles): Promise<void> {
  const settings = await npmrcSettings(files);
  const named = HOOK_SETTINGS.filter((key) => settings[key] !== undefined).map((key) => `.npmrc's ${key}`);
  const present: string[] = [];
  for (const file of HOOK_FILES) if ((await files.read(file)) !== undefined) present.push(file);
  const found = [...present, ...named];
  if (found.length === 0) return;
  throw new AutodevError(
    'UPDATE_UNSUPPORTED',
    `npm: the repository has pnpm hooks (${found.join(', ')}): they are repository code, which the lock step does not run with its network, and a lockfile written without them lacks their pnpmfileChecksum (supported: pnpm lockfile v9 without hooks)`,
    { details: { ecosystem: 'npm', tool: 'pnpm', hooks: found } },
  );
}

/**
 * pnpm: pnpm-lock.yaml v9. `pnpm install --lockfile-only` resolves the edited ranges; a range that
 * already admits the new version is moved by `pnpm update --no-save` (the manifest keeps its text);
 * then the frozen install puts the locked versions in node_modules for the tests and proves the
 * lockfile matches the manifest, as the repository's own CI would.
 */
export const pnpmLockManager: LockManager = {
  name: 'pnpm',
  lockfile: LOCKFILE,
  async checkSupported(text, files) {
    const version = parseLock(text)['lockfileVersion'];
    const found = typeof version === 'string' || typeof version === 'number' ? String(version) : undefined;
    if (found?.split('.')[0] === SUPPORTED_MAJOR) return refuseHooks(files);
    throw new AutodevError(
      'UPDATE_UNSUPPORTED',
      `npm: ${LOCKFILE} has lockfileVersion ${found === undefined ? '(none)' : `'${found}'`}; dependency updates regenerate pnpm lockfiles of version '9.0' only (pnpm 9 and later), and pnpm would rewrite this one whole: upgrade it with \`pnpm install\` of pnpm 9 first`,
      { details: { ecosystem: 'npm', file: LOCKFILE, tool: 'pnpm', lockfileVersion: found ?? null } },
    );
  },
  registrySettings: npmrcSettings,
  lockCommands(updates) {
    const commands = [['pnpm', 'install', '--lockfile-only', ...PNPM_FLAGS]];
    const lockOnly = updates.filter((u) => u.fromRange === u.toRange).map((u) => u.name);
    if (lockOnly.length > 0) {
      commands.push(['pnpm', 'update', '--no-save', '--lockfile-only', ...PNPM_FLAGS, ...lockOnly]);
    }
    commands.push(['pnpm', 'install', '--frozen-lockfile', ...PNPM_FLAGS]);
    return commands;
  },
  /** The root importer's entries: `version: 1.2.3`, or `1.2.3(peer@4.5.6)` with the peers it was resolved with. */
  lockedVersions(lockfile, names) {
    const root = record(record(parseLock(lockfile)['importers'])['.']);
    const out = new Map<string, string>();
    for (const name of names) {
      for (const section of Object.keys(SECTIONS)) {
        const version = record(record(root[section])[name])['version'];
        if (typeof version !== 'string') continue;
        out.set(name, version.split('(')[0] ?? version);
        break;
      }
    }
    return out;
  },
  lockRun: onlineManagerRun,
};
