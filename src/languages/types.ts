import type { Sandbox } from '../sandbox/types.js';
import type { ApiSurfaceExtractor } from './api-surface/types.js';
import type { EcosystemReader } from './deps/types.js';

export const LANGUAGE_IDS = ['rust', 'node', 'python', 'go'] as const;
export type LanguageId = (typeof LANGUAGE_IDS)[number];

export type CommandKind = 'setup' | 'build' | 'test' | 'lint';

/** A command as argv. A `.autodev.toml` string command becomes ['sh', '-c', text]. */
export type Argv = string[];

export interface ProjectCommands {
  setup?: Argv;
  build?: Argv;
  test?: Argv;
  lint?: Argv;
}

/** One project found in a repo; a repo may hold several (a Go service beside a TS front end). */
export interface DetectedProject {
  language: LanguageId;
  /** Directory of the project relative to the repo root ('.' for the root). */
  root: string;
  /** e.g. npm / pnpm / yarn, pytest / unittest, cargo, go. */
  toolchain: string;
  commands: ProjectCommands;
  /** True where `.autodev.toml` set any of the commands. */
  overridden: boolean;
}

export interface TestCaseFailure {
  name: string;
  message?: string;
}

export interface TestReport {
  language: LanguageId;
  root: string;
  command: Argv;
  exitCode: number | null;
  passed: number;
  failed: number;
  skipped: number;
  failures: TestCaseFailure[];
  /** Names of the passing tests when the runner names them; absent when it prints counts only. */
  passedTests?: string[];
  /**
   * True when the exit code and the parsed counts agree that everything passed, at least one test ran,
   * and the output was read whole.
   */
  ok: boolean;
  /** Why a run that did not fail a test is still no pass: no test ran, output cut or unreadable. */
  inconclusive?: string;
  /** What else happened around the run, e.g. an npm `posttest` that failed only for want of network. */
  notes?: string[];
  timedOut: boolean;
  truncated: boolean;
  durationMs: number;
  /** Tail of the combined output, for the model and the audit trail. */
  outputTail: string;
}

export interface BuildReport {
  language: LanguageId;
  root: string;
  command: Argv;
  exitCode: number | null;
  ok: boolean;
  timedOut: boolean;
  durationMs: number;
  outputTail: string;
  /** True when the project has no build step (plain JS, no script): nothing ran, nothing failed. */
  skipped?: boolean;
}

export interface LintWarning {
  file: string;
  line: number;
  column?: number;
  rule: string;
  message: string;
  severity: 'error' | 'warning' | 'info';
}

export interface LintReport {
  language: LanguageId;
  root: string;
  tool: string;
  /** False when the linter is not installed on the host or in the sandbox: reported, never a pass. */
  available: boolean;
  command: Argv;
  exitCode: number | null;
  warnings: LintWarning[];
  durationMs: number;
  outputTail: string;
}

export interface RunProjectCommandOptions {
  sandbox: Sandbox;
  /** Absolute path of the repo (workspace) root. */
  workspaceDir: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** The step's private HOME (fresh for every step but codegen: see orchestrator/step-home.ts); see SandboxCommand.homeDir. */
  homeDir?: string;
  /**
   * The repo's package caches (data_dir/caches/<repo key>, see caches.ts): one folder per ecosystem,
   * writable in setup, read-only for build, test and lint. Without it (a CLI run) no cache is bound.
   */
  cacheDir?: string;
  /** The host's npm registry (ToolServices.npmRegistry), for corepack; its own default when absent. */
  npmRegistry?: string;
  /** The host go's module settings (ToolServices.goModuleEnv), for go's downloads; go's defaults when absent. */
  goModuleEnv?: Readonly<Record<string, string>>;
}

export interface SetupOptions extends RunProjectCommandOptions {
  /** Only setup may have network, and only when `setup_network` says so. */
  network: boolean;
}

/** What a project's dependency install did; `ok` false names the command that failed. */
export interface SetupReport {
  language: LanguageId;
  root: string;
  /** Every command that ran, in order; empty when there was nothing to install. */
  commands: Argv[];
  ok: boolean;
  /** The command that failed (the last of `commands`). */
  failedCommand?: Argv;
  exitCode: number | null;
  timedOut: boolean;
  durationMs: number;
  outputTail: string;
  /** What setup did besides installing: a requirement file named but absent and skipped, a manifest an install rewrote and autodev put back. */
  notes?: string[];
}

/** One implementation per language: detection, default commands, output parsers. */
export interface Language {
  readonly id: LanguageId;
  /** Returns the projects of this language under `dir` (the root and direct/nested project folders). */
  detect(repoDir: string): Promise<DetectedProject[]>;
  /** Installs dependencies into the caches (and, for Python, the project's virtualenv). */
  runSetup(project: DetectedProject, options: SetupOptions): Promise<SetupReport>;
  runTests(project: DetectedProject, options: RunProjectCommandOptions): Promise<TestReport>;
  runBuild(project: DetectedProject, options: RunProjectCommandOptions): Promise<BuildReport>;
  runLint(project: DetectedProject, options: RunProjectCommandOptions): Promise<LintReport>;
  /** How check_deps reads this language's manifests and lockfiles at the base and the head. */
  readonly dependencies: EcosystemReader;
  /** The reader of exported items that check_constraints compares ("Do not modify public API signatures"). */
  apiSurface(deps: { env: Readonly<Record<string, string>> }): ApiSurfaceExtractor;
}
