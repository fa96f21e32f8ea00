import type { z } from 'zod';
import type { AutodevConfig } from '../config/schema.js';
import type { Forge } from '../forges/types.js';
import type { ApiSurface } from '../languages/api-surface/index.js';
import type { ModelClient } from '../llm/types.js';
import type { Logger } from '../logging/logger.js';
import type { Sandbox } from '../sandbox/types.js';
import type { RepoSearch } from '../search/types.js';
import type { SecretScanner } from '../secrets/gitleaks.js';
import type { Store } from '../store/index.js';
import type { WorkspaceGit, WorkspaceManager } from '../workspace/types.js';
import type { RepoTarget } from '../multirepo/task-workspaces.js';
import type { RunGit } from '../workspace/run-git.js';

/** The layers a tool adapts; built once per process and passed in, never imported as singletons. */
export interface ToolServices {
  config: AutodevConfig;
  sandbox: Sandbox;
  /** Created lazily: a tool run that never calls the model needs no key. */
  model: () => ModelClient;
  git: WorkspaceGit;
  workspaces: WorkspaceManager;
  forge: Forge;
  search: RepoSearch;
  secrets: SecretScanner;
  /** Public API of source files, for the constraint "do not modify public API signatures". */
  apiSurface: ApiSurface;
  store?: Store;
  /** Git for the multi-repo linking's checkout state and copies (src/multirepo); absent in a bare CLI run. */
  runGit?: RunGit;
  /**
   * The registry the host's npm is configured for (`npm config get registry`), read once at start:
   * corepack fetches package managers from it. Undefined when npm is not installed: the client's
   * own default applies then.
   */
  npmRegistry?: string;
  /**
   * The machine's cargo sources and registries (`[source]`, `[registries]` of CARGO_HOME's config,
   * hostCargoSourceConfig), read once at start and written into each repo cache's CARGO_HOME.
   */
  cargoSourceConfig?: string;
  /**
   * The machine's registry settings as the clients' variables (npm_config_registry, PIP_INDEX_URL,
   * GOPROXY...; hostRegistryEnv), read once at start, for sandbox commands with network.
   */
  registryEnv?: Readonly<Record<string, string>>;
}

export interface ModelCallRecord {
  model: string;
  inputTokens: number;
  outputTokens: number;
  /** The part of inputTokens read from the provider's prompt cache. */
  cachedInputTokens?: number;
  /** List-price dollars of the call (llm/prices.ts); absent when the model has no price. */
  usd?: number;
  durationMs: number;
  finishReason: string;
}

export interface ToolContext {
  /** The task the call belongs to; absent for `autodev tools run`. */
  taskId?: string;
  /** Absolute path of the workspace the tool works in. */
  workspaceDir: string;
  /**
   * A multi-repo task's repositories (library first, its dir `workspaceDir` unless the step works in
   * a consumer): what the model's tools take as `repo`. Absent for a task of one repository.
   */
  repos?: readonly RepoTarget[];
  /** A consumer's step whose tests run built against the changed library (tools/linked-test.ts). */
  linkToLibrary?: boolean;
  /** The task's private HOME for sandboxed commands (package and build caches kept between its steps). */
  homeDir?: string;
  /** The repo's package caches under data_dir (see src/languages/caches.ts); absent for a CLI run. */
  cacheDir?: string;
  signal: AbortSignal;
  log: Logger;
  services: ToolServices;
  /** Command output for the task's logs (redacted by the store). */
  onOutput(stream: 'stdout' | 'stderr', content: string): void;
  /** Every model call, for the audit trail and cost metrics. */
  onModelCall(record: ModelCallRecord): void;
}

export interface Tool<Input = unknown, Output = unknown> {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: z.ZodType<Input>;
  invoke(input: Input, ctx: ToolContext): Promise<Output>;
  /** One line for the step's output summary in the task view. */
  summarize(output: Output): string;
  /** Set to offer the tool to the coding model: marking it here is all it takes. */
  readonly agent?: AgentMarking<Output>;
}

/** How a registry tool is shown to the coding model and how its typed output is told back to it. */
export interface AgentMarking<Output> {
  /** The name the model calls it by (may differ from the registry name). */
  readonly name: string;
  /** What the model is told it does; the tool's description when absent. */
  readonly description?: string;
  /**
   * The text the model reads; the summary and a bounded excerpt of the output when absent. The
   * toolbox caps it in any case.
   */
  toText?(output: Output): string;
  /** Files an edit tool changed: the coding loop counts them as the round's change. */
  filesTouched?(output: Output): { files: string[]; edits: number };
}

/** What one call of a tool gives the coding model: text, and the files it changed if it edits. */
export interface AgentToolResult {
  text: string;
  filesTouched: string[];
  editsApplied: number;
}

/** A registered tool as the coding model sees it; see createAgentToolbox. */
export interface RegisteredAgentTool {
  readonly name: string;
  readonly description: string;
  run(rawInput: unknown, ctx: ToolContext): Promise<AgentToolResult>;
}

/** A tool with its types closed over, as the registry holds it: input is validated before invoke. */
export interface RegisteredTool {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: z.ZodType;
  run(rawInput: unknown, ctx: ToolContext): Promise<{ output: unknown; summary: string }>;
  /** Present when the tool is offered to the coding model. */
  readonly agent?: RegisteredAgentTool;
}
