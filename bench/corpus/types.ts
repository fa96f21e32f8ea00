/** One corpus instance: a real, pinned library from its registry, one injected bug, its task and its fix. */
export type CorpusEcosystem = 'python' | 'rust' | 'go' | 'node';

export interface CorpusSource {
  registry: 'pypi' | 'crates' | 'goproxy' | 'npm';
  /** The package (PyPI/npm/crate name) or Go module path. */
  name: string;
  version: string;
  /**
   * sha256 of the archive, hex: a changed upstream file fails the run instead of changing the
   * figures. Empty for a release fetched whole by its client (viaClient), which checks it against
   * the registry itself. Either way the ecosystem's client downloads it: no address is kept here.
   */
  sha256: string;
}

/** A search/replace in one file of the upstream source; the fix is the same edit reversed. */
export interface CorpusEdit {
  file: string;
  search: string;
  replace: string;
}

export interface CorpusInstance {
  name: string;
  ecosystem: CorpusEcosystem;
  source: CorpusSource;
  /** What makes the instance interesting: dev dependencies, several packages, a lockfile. */
  traits: string[];
  /** The injected bug; absent on a real fix (`realFix`), whose bug is the release's own. */
  bug?: CorpusEdit;
  /** A real bug fix from a patch release, instead of an injected bug (issue #28 part 4). */
  realFix?: CorpusRealFix;
  /** The task as a user would file it: the symptom, never the fix. */
  task: { title: string; description: string };
  riskTier: 'low';
  /**
   * Node only: the package manager whose lockfile the corpus pins on top of upstream (registry
   * tarballs ship none; bench/corpus/lockfile.ts). Absent: npm, without a lockfile.
   */
  lockfile?: CorpusLockfileManager;
  /** Go only: the module publishes no go.sum, so the corpus pins one written by Go (bench/corpus/go-sum.ts). */
  pinGoSum?: boolean;
  /** Set for an assembled workspace: `source` is then the part holding the bug, and `bug.file` is repo-relative. */
  workspace?: CorpusWorkspace;
}

/** One registry archive of an assembled instance, unpacked into `folder` of the repo. */
export interface CorpusPart {
  folder: string;
  source: CorpusSource;
}

/**
 * A workspace or monorepo put together from several real archives: registries publish single
 * packages, so the workspace manifest that joins them is autodev-authored glue (`files`), and the
 * lockfile is written once by the ecosystem's own tool (`lock`) and then kept in the bench cache.
 */
export interface CorpusWorkspace {
  parts: CorpusPart[];
  /** Root files written as given: the workspace manifest (Cargo.toml, package.json, go.work). */
  files: Record<string, string>;
  /** Run once with network in the assembled tree; the files it writes are cached and reused. */
  lock?: { argv: string[]; writes: string[] };
}

export type CorpusLockfileManager = 'pnpm' | 'yarn-classic' | 'yarn-berry';

/**
 * A patch release that changed both source and tests: the previous release (`source.version`) with
 * the release's test changes applied is the base, and the release's source changes are the reply.
 * Both releases are downloaded by the ecosystem's own client (bench/corpus/client-fetch.ts).
 */
export interface CorpusRealFix {
  /** The release that fixed the bug. */
  next: string;
  /** Files of the release's test changes (a path ending in `/` takes the folder): applied to the base. */
  tests: string[];
  /** Files of the release's source changes: the fix, as the model's reply. The first is the plan's file. */
  fix: string[];
}
