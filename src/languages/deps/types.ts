/** The dependency ecosystems check_deps reads. */
export type Ecosystem = 'cargo' | 'npm' | 'python' | 'go';

/** One dependency the change added, removed or changed: the shared contract of the policy input. */
export interface DependencyChange {
  ecosystem: Ecosystem;
  name: string;
  change: 'added' | 'removed' | 'changed';
  /** Version or requirement before (absent when added). */
  from?: string;
  /** Version or requirement after (absent when removed). */
  to?: string;
  /** Named by a manifest (package.json, Cargo.toml...); false for what only a lockfile names. */
  direct: boolean;
  /** Only for development (devDependencies, dev-dependencies, dependency groups...). */
  dev: boolean;
  /** The manifest or lockfile (repo-relative) the change was read from. */
  manifest: string;
}

/** A dependency as a manifest declares it. */
export interface DeclaredDependency {
  /** The requirement as written (range, version, git URL, path...). */
  spec: string;
  dev: boolean;
  /** False only where the manifest itself says so (go.mod's `// indirect`). */
  direct: boolean;
}

/** A dependency as a lockfile resolves it: every version of it the lockfile holds. */
export interface LockedDependency {
  versions: Set<string>;
  /** What the lockfile says, when it says it (package-lock's `dev`); undefined otherwise. */
  dev?: boolean;
}

export interface ParsedLockfile {
  packages: Map<string, LockedDependency>;
  /** Names the lockfile itself records as direct (package-lock's root, pnpm importers, Cargo members' deps). */
  direct: Map<string, { dev: boolean }>;
}

/**
 * Content of a repo-relative file at the base commit or at HEAD, read from git's objects (never the
 * worktree); undefined when that commit has no such file.
 */
export type ReadAt = (side: 'base' | 'head', file: string) => Promise<string | undefined>;

/** What one ecosystem knows: which files are its own and how to read them. */
export interface EcosystemReader {
  readonly ecosystem: Ecosystem;
  isManifest(file: string): boolean;
  isLockfile(file: string): boolean;
  /** Manifests that say which of a lockfile's entries are direct (package.json beside yarn.lock). */
  manifestsBeside(lockfile: string): string[];
  /** Throws with a reason when the text is not a valid file of its kind. */
  parseManifest(
    file: string,
    text: string,
    side: 'base' | 'head',
    read: ReadAt,
  ): Promise<Map<string, DeclaredDependency>>;
  parseLockfile(file: string, text: string): ParsedLockfile;
}
