import { parseSyml } from '@yarnpkg/parsers';
import { AutodevError } from '../../../errors.js';
import { nameOfDescriptor } from '../../../languages/node/dependencies.js';
import { SECTIONS } from '../declared.js';
import { parseNpmrc } from '../registry.js';
import { onlineManagerRun } from './lock-run.js';
import type { LockManager } from './types.js';

const LOCKFILE = 'yarn.lock';
const YARN_FLAGS = ['--ignore-scripts', '--non-interactive', '--no-progress'];
const V1_HEADER = /^# yarn lockfile v1\s*$/m;

function unsupported(message: string, found: string): AutodevError {
  return new AutodevError('UPDATE_UNSUPPORTED', `npm: ${message}`, {
    details: { ecosystem: 'npm', file: LOCKFILE, tool: 'yarn', lockfileVersion: found },
  });
}

/** A yarn 2+ lockfile's own version (`__metadata: version: 8`), for the refusal to name. */
function berryVersion(text: string): string {
  try {
    const doc = parseSyml(text) as { __metadata?: { version?: unknown } };
    const version = doc.__metadata?.version;
    return typeof version === 'string' || typeof version === 'number' ? String(version) : 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * `.yarnrc` (yarn 1's own settings): `key value` lines, either side optionally quoted, `#` comments.
 * Read line by line, not by the lockfile parser, which stops at an unquoted URL's colon.
 */
export function parseYarnrc(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const space = line.search(/\s/);
    if (space <= 0) continue;
    const unquote = (s: string): string => s.trim().replace(/^"(.*)"$/, '$1');
    const value = unquote(line.slice(space));
    if (value === '' || value.includes('${')) continue;
    out[unquote(line.slice(0, space))] = value;
  }
  return out;
}

/** The range package.json gives `name` (the first section naming it), undefined when it names none. */
function declaredRange(manifest: string | undefined, name: string): string | undefined {
  if (manifest === undefined) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(manifest);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null) return undefined;
  for (const section of Object.keys(SECTIONS)) {
    const range = (doc as Record<string, Record<string, unknown> | undefined>)[section]?.[name];
    if (typeof range === 'string') return range;
  }
  return undefined;
}

/**
 * yarn 1: yarn.lock with the `# yarn lockfile v1` header. `yarn install` resolves the edited ranges
 * (and installs, for the tests); a range that already admits the new version is moved by `yarn
 * upgrade NAME`, which also writes package.json back in its own layout, so the edited text is
 * written again after it. Yarn 2+ (`__metadata:`) is refused: its lock step is another tool.
 */
export const yarnLockManager: LockManager = {
  name: 'yarn',
  lockfile: LOCKFILE,
  async checkSupported(text) {
    if (V1_HEADER.test(text)) return;
    if (/^__metadata:/m.test(text)) {
      const version = berryVersion(text);
      throw unsupported(
        `${LOCKFILE} is a yarn 2+ (berry) lockfile (__metadata version ${version}); dependency updates regenerate yarn 1 lockfiles ('# yarn lockfile v1') only`,
        version,
      );
    }
    throw unsupported(
      `${LOCKFILE} has no '# yarn lockfile v1' header nor yarn 2+ __metadata; dependency updates regenerate yarn 1 lockfiles ('# yarn lockfile v1') only`,
      'unknown',
    );
  },
  /**
   * yarn 1's own order (NpmRegistry.getRegistry): for the package's scope and then the default, the
   * npm setting first and its .yarnrc one after, so .npmrc wins where both name one.
   */
  async registrySettings(files) {
    return {
      ...parseYarnrc((await files.read('.yarnrc')) ?? ''),
      ...parseNpmrc((await files.read('.npmrc')) ?? ''),
    };
  },
  lockCommands(updates) {
    const commands = [['yarn', 'install', ...YARN_FLAGS]];
    const lockOnly = updates.filter((u) => u.fromRange === u.toRange).map((u) => u.name);
    if (lockOnly.length > 0) commands.push(['yarn', 'upgrade', ...YARN_FLAGS, ...lockOnly]);
    return commands;
  },
  /**
   * The entry of `name@<package.json's range>` (yarn 1 keys entries by the ranges asking for them);
   * without the manifest, the one version the lockfile holds of it, if it holds only one.
   */
  lockedVersions(lockfile, names, manifest) {
    const doc = parseSyml(lockfile) as Record<string, { version?: unknown } | undefined>;
    const byDescriptor = new Map<string, string>();
    const byName = new Map<string, Set<string>>();
    for (const [key, entry] of Object.entries(doc)) {
      const version = entry?.version;
      if (typeof version !== 'string') continue;
      for (const part of key.split(',')) {
        const descriptor = part.trim().replace(/^"|"$/g, '');
        byDescriptor.set(descriptor, version);
        const name = nameOfDescriptor(descriptor);
        if (name !== undefined) byName.set(name, (byName.get(name) ?? new Set()).add(version));
      }
    }
    const out = new Map<string, string>();
    for (const name of names) {
      const range = declaredRange(manifest, name);
      const own = range === undefined ? undefined : byDescriptor.get(`${name}@${range}`);
      const all = [...(byName.get(name) ?? [])];
      const version = own ?? (all.length === 1 ? all[0] : undefined);
      if (version !== undefined) out.set(name, version);
    }
    return out;
  },
  /**
   * YARN_IGNORE_PATH: yarn 1 would hand the step over to the program a `.yarnrc`'s `yarn-path` (or a
   * `.yarnrc.yml`'s `yarnPath`) names, repository code with network; the machine's yarn 1 runs it.
   */
  async lockRun(options) {
    const run = await onlineManagerRun(options);
    return { env: { ...run.env, YARN_IGNORE_PATH: '1' }, binds: run.binds };
  },
  rewritesManifest: true,
};
