import type { RiskTier } from '../config/schema.js';
import type { RunProjectCommandOptions } from '../languages/types.js';
import type { SandboxBind } from '../sandbox/types.js';

/** The ecosystems with an updater (keys of UPDATERS in index.ts). */
export const UPDATE_ECOSYSTEMS = ['npm', 'cargo', 'python', 'go'] as const;
export type UpdateEcosystem = (typeof UPDATE_ECOSYSTEMS)[number];

/** How far a new version is from the one in use (semver for npm; PEP 440 and others map onto it). */
export const UPDATE_TYPES = ['patch', 'minor', 'major'] as const;
export type UpdateType = (typeof UPDATE_TYPES)[number];

/** How the manifest's range is changed (Renovate's names). */
export const RANGE_STRATEGIES = ['bump', 'replace', 'widen', 'pin'] as const;
export type RangeStrategy = (typeof RANGE_STRATEGIES)[number];

/** Where the manifest declares the dependency. */
export const DEP_TYPES = ['prod', 'dev', 'optional'] as const;
export type DepType = (typeof DEP_TYPES)[number];

/** One dependency as the repository declares and locks it. */
export interface DeclaredDependency {
  name: string;
  depType: DepType;
  /** The manifest's text for it (`^1.2.0`). */
  range: string;
  /** The version the lockfile resolves it to, or the range's own version without a lockfile. */
  current: string;
  /** The repo-relative file that declares it, when an ecosystem has several (requirements-dev.txt). */
  manifest?: string;
}

/** A released version of a package as its registry reports it. */
export interface ReleasedVersion {
  version: string;
  /** ISO time of publication; undefined when the registry does not say. */
  publishedAt: string | undefined;
  deprecated: boolean;
  /** Withdrawn by its publisher (PEP 592, a yanked crate): never proposed. */
  yanked?: boolean;
  /**
   * The published archive's URL (npm's dist.tarball, a Python sdist or wheel, a Go module zip),
   * where the version's changelog and public API are read from.
   */
  archive?: string;
}

/** What a published version's archive offers a reviewer and the repair rounds; untrusted text. */
export interface PackageContents {
  /** Its changelog file (or the description that stands in for one), raw. */
  changelog?: string;
  /**
   * Its public API's source files by their path in the package (npm: the types entry's .d.ts;
   * Python: its modules), for the language's api-surface reader.
   */
  api?: Map<string, string>;
}

/** Which parts of an archive a caller wants: the old version is read for its API only. */
export interface ContentsWanted {
  changelog: boolean;
  api: boolean;
}

/** A newer version of a declared dependency, classified. */
export interface UpdateCandidate {
  ecosystem: UpdateEcosystem;
  name: string;
  depType: DepType;
  from: string;
  to: string;
  type: UpdateType;
  /** The manifest's range before and after (only this text changes in the manifest). */
  fromRange: string;
  toRange: string;
  publishedAt: string | null;
  ageDays: number | null;
  /** The file whose version text changes; the updater's `manifest` when absent. */
  manifest?: string;
}

export const SKIP_REASONS = ['too_young', 'ignored', 'not_allowed', 'deprecated', 'yanked'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** Why a newer version is not proposed. */
export interface SkippedUpdate {
  ecosystem: UpdateEcosystem;
  name: string;
  from: string;
  to: string;
  reason: SkipReason;
}

/** What an updater reads from a checkout of the repository at the base branch. */
export interface RepoFiles {
  /** A repo-relative file's text, or undefined when the base has no such file (bounded size). */
  read(file: string): Promise<string | undefined>;
}

/** The registry lookups of one scan: each package fetched once, a bounded number at a time. */
export interface VersionLookup {
  versions(name: string): Promise<ReleasedVersion[]>;
  /**
   * What `version`'s published archive carries (its changelog, its public API's sources), where the
   * registry offers the archive without installing anything; undefined when it cannot be read.
   * Never throws.
   */
  contents?(
    name: string,
    version: ReleasedVersion,
    wanted: ContentsWanted,
  ): Promise<PackageContents | undefined>;
}

/**
 * The version scheme of an ecosystem: semver for npm (and Cargo, Go), PEP 440 for Python. What a
 * scan compares, classifies and writes goes through it.
 */
export interface Versioning {
  /** A valid release: not a prerelease nor a development release. */
  isStable(version: string): boolean;
  /** Negative, zero or positive as `a` is older, the same or newer than `b` (both valid). */
  compare(a: string, b: string): number;
  /** patch, minor or major from `from` to `to`; undefined when `to` is not newer. */
  classify(from: string, to: string): UpdateType | undefined;
  /** The manifest's range that admits `to` under the strategy; undefined for a shape not handled. */
  newRange(range: string, to: string, strategy: RangeStrategy): string | undefined;
  /** Whether `version` is within `range` (allowed_versions). */
  satisfies(version: string, range: string): boolean;
}

/** One ecosystem: reads its manifests, lists its dependencies, edits its manifest, locks. */
export interface Updater {
  readonly ecosystem: UpdateEcosystem;
  /** Its dependencies, or [] when the repository has no manifest of this ecosystem. */
  declared(files: RepoFiles): Promise<DeclaredDependency[]>;
  /** The registry lookups for this repository (its registry config, checked against the allow-list). */
  lookup(files: RepoFiles): Promise<VersionLookup>;
  /**
   * The manifest with only the listed version texts changed; throws naming what could not be found.
   * `file` is the one being edited (an ecosystem with several manifests tells them apart by it).
   */
  editManifest(manifest: string, updates: readonly UpdateCandidate[], file: string): string;
  /** The manifest file this ecosystem edits (a candidate's own `manifest` wins). */
  readonly manifest: string;
  /** The lockfile it regenerates, and the command (in the sandbox, network to the registry only); none for pip. */
  readonly lockfile?: string;
  /** The lockfile a manifest is compiled to when it is not `lockfile` (pip-tools: requirements.in to requirements.txt). */
  lockfileOf?(manifest: string): string | undefined;
  /** semver when absent. */
  readonly versioning?: Versioning;
  /**
   * The new versions reach the tests by the project's setup run again after the edit (a Python
   * virtualenv lives outside the workspace, out of the lock step's reach), not by lockCommands.
   */
  readonly installsWithSetup?: boolean;
  /**
   * The commands that lock and install the new versions; `hasLockfile` false installs without
   * writing a lockfile the repository does not keep.
   */
  lockCommands(updates: readonly UpdateCandidate[], hasLockfile: boolean): string[][];
  /**
   * The versions the regenerated lockfile resolves these packages to; `manifest` (the edited
   * manifest's text) lets a lockfile keyed by the ranges asking for a package (yarn 1's) tell the
   * direct dependency's entry from others.
   */
  lockedVersions(lockfile: string, names: readonly string[], manifest?: string): Map<string, string>;
  /**
   * The lock commands may write the manifest back in the tool's own layout (yarn 1's upgrade): the
   * edited text is written again after them, so only the version texts change.
   */
  readonly rewritesManifest?: boolean;
  /**
   * This updater as the repository's own tooling needs it (npm's package manager, chosen by the
   * lockfile present); the updater itself when absent. Throws UPDATE_UNSUPPORTED for tooling it
   * does not drive.
   */
  forRepository?(files: RepoFiles): Promise<Updater>;
  /**
   * Variables and cache folders the lock commands run with besides the network, when the ecosystem
   * downloads into a cache the later offline build and tests read (cargo's CARGO_HOME, go's module
   * cache): the repository's own, writable for this step as for setup.
   */
  lockRun?(options: RunProjectCommandOptions): Promise<{ env: Record<string, string>; binds: SandboxBind[] }>;
}

/** The risk tier of an update task, per update type (the highest type of its group counts). */
export type RiskByType = Record<UpdateType, RiskTier>;
