import type {
  DeclaredDependency,
  DependencyChange,
  EcosystemReader,
  LockedDependency,
  ParsedLockfile,
  ReadAt,
} from './types.js';

/** A file that cannot be read as its kind: names the file, the side and why. */
export class DependencyFileError extends Error {
  constructor(
    readonly file: string,
    readonly side: 'base' | 'head',
    reason: string,
  ) {
    super(
      `${file} at ${side === 'base' ? 'the base commit' : 'HEAD'} is not a valid ${file.split('/').pop() ?? file}: ${reason}`,
    );
    this.name = 'DependencyFileError';
  }
}

const reasonOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const versionsText = (l: LockedDependency | undefined): string | undefined =>
  l ? [...l.versions].sort().join(', ') : undefined;

/**
 * Both sides of one file, parsed. The base side is the repository as it was: when it does not parse,
 * it counts as empty, so everything at HEAD shows as added and goes to review. HEAD is the change's
 * own work: when it does not parse, nothing can be said about it, and that is an error.
 */
async function bothSides<T>(
  file: string,
  read: ReadAt,
  parse: (text: string, side: 'base' | 'head') => Promise<T> | T,
  empty: () => T,
): Promise<{ base: T; head: T }> {
  const parseSide = async (side: 'base' | 'head'): Promise<T> => {
    const text = await read(side, file);
    if (text === undefined) return empty();
    try {
      return await parse(text, side);
    } catch (error) {
      if (side === 'base') return empty();
      throw new DependencyFileError(file, side, reasonOf(error));
    }
  };
  return { base: await parseSide('base'), head: await parseSide('head') };
}

function diffDeclared(
  reader: EcosystemReader,
  manifest: string,
  base: Map<string, DeclaredDependency>,
  head: Map<string, DeclaredDependency>,
): DependencyChange[] {
  const out: DependencyChange[] = [];
  const common = { ecosystem: reader.ecosystem, manifest };
  for (const [name, after] of head) {
    const before = base.get(name);
    if (!before) {
      out.push({ ...common, name, change: 'added', to: after.spec, direct: after.direct, dev: after.dev });
    } else if (before.spec !== after.spec || before.dev !== after.dev || before.direct !== after.direct) {
      out.push({
        ...common,
        name,
        change: 'changed',
        from: before.spec,
        to: after.spec,
        direct: after.direct,
        dev: after.dev,
      });
    }
  }
  for (const [name, before] of base) {
    if (!head.has(name))
      out.push({
        ...common,
        name,
        change: 'removed',
        from: before.spec,
        direct: before.direct,
        dev: before.dev,
      });
  }
  return out;
}

function diffLocked(
  reader: EcosystemReader,
  lockfile: string,
  base: ParsedLockfile,
  head: ParsedLockfile,
  declared: Map<string, { dev: boolean; direct: boolean }>,
): DependencyChange[] {
  const out: DependencyChange[] = [];
  const names = new Set([...base.packages.keys(), ...head.packages.keys()]);
  for (const name of names) {
    const before = base.packages.get(name);
    const after = head.packages.get(name);
    const from = versionsText(before);
    const to = versionsText(after);
    if (from === to) continue;
    const known = declared.get(name) ?? head.direct.get(name) ?? base.direct.get(name);
    const direct = declared.get(name)?.direct ?? known !== undefined;
    // Unknown is runtime: the stricter reading for a dependency nobody said is for development only.
    const dev = (after ?? before)?.dev ?? known?.dev ?? false;
    const change = !before ? 'added' : !after ? 'removed' : 'changed';
    out.push({
      ecosystem: reader.ecosystem,
      name,
      change,
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
      direct,
      dev,
      manifest: lockfile,
    });
  }
  return out;
}

/**
 * What the change did to one ecosystem's dependencies, from the changed manifests and lockfiles.
 * A manifest change gives the direct dependencies (with the resolved versions when a lockfile changed
 * with it); a lockfile change of a name no manifest declares is transitive.
 */
export async function diffEcosystem(
  reader: EcosystemReader,
  changedFiles: readonly string[],
  read: ReadAt,
): Promise<DependencyChange[]> {
  const manifests = changedFiles.filter((f) => reader.isManifest(f));
  const lockfiles = changedFiles.filter((f) => reader.isLockfile(f));
  if (manifests.length === 0 && lockfiles.length === 0) return [];

  const direct: DependencyChange[] = [];
  const declared = new Map<string, { dev: boolean; direct: boolean }>();
  const remember = (deps: Map<string, DeclaredDependency>): void => {
    for (const [name, d] of deps) {
      const seen = declared.get(name);
      declared.set(name, { dev: d.dev && (seen?.dev ?? true), direct: d.direct || (seen?.direct ?? false) });
    }
  };
  const parseManifest = (file: string) =>
    bothSides(
      file,
      read,
      (text, side) => reader.parseManifest(file, text, side, read),
      () => new Map<string, DeclaredDependency>(),
    );

  for (const file of manifests) {
    const { base, head } = await parseManifest(file);
    remember(base);
    remember(head);
    direct.push(...diffDeclared(reader, file, base, head));
  }
  // An unchanged manifest beside a changed lockfile still says which of its entries are direct.
  const besides = new Set(
    lockfiles.flatMap((l) => reader.manifestsBeside(l)).filter((m) => !manifests.includes(m)),
  );
  for (const file of besides) {
    const { base, head } = await parseManifest(file);
    remember(base);
    remember(head);
  }

  const locked: DependencyChange[] = [];
  for (const file of lockfiles) {
    const { base, head } = await bothSides(
      file,
      read,
      (text) => reader.parseLockfile(file, text),
      () => ({
        packages: new Map(),
        direct: new Map(),
      }),
    );
    locked.push(...diffLocked(reader, file, base, head, declared));
  }

  // A dependency the manifest changed is reported once, from the manifest, with the versions the
  // lockfile resolved rather than the ranges written.
  const byName = new Map(direct.map((c) => [c.name, c]));
  const transitive: DependencyChange[] = [];
  for (const c of locked) {
    const fromManifest = byName.get(c.name);
    if (!fromManifest) {
      transitive.push(c);
      continue;
    }
    if (c.from !== undefined && fromManifest.change !== 'added') fromManifest.from = c.from;
    if (c.to !== undefined && fromManifest.change !== 'removed') fromManifest.to = c.to;
  }
  return [...direct, ...transitive];
}
