import type { ToolCall, ToolDefinition } from '../llm/types.js';
import type { ListFilesInput, ReadFileInput, SearchInput } from './tool-schemas.js';

/** A unified diff as the model wrote it, with the files its headers name. */
export interface UnifiedDiffEdit {
  kind: 'unified_diff';
  diff: string;
  files: string[];
}

/** Replace the lines `search` with `replace` in `path`; an empty `search` creates the file or appends to it. */
export interface SearchReplaceEdit {
  kind: 'search_replace';
  path: string;
  search: string;
  replace: string;
}

export type Edit = UnifiedDiffEdit | SearchReplaceEdit;

export interface SearchMatch {
  path: string;
  line: number;
  text: string;
}

/**
 * What the coding loop may do to the task's workspace; the orchestrator binds it to the worktree.
 * Paths are relative to the repository root. Errors the model can fix (PATCH_FAILED, a missing file)
 * go back to it as the tool's result; others end the loop.
 */
export interface AgentTools {
  readFile(input: ReadFileInput, signal?: AbortSignal): Promise<string>;
  listFiles(input: ListFilesInput, signal?: AbortSignal): Promise<string[]>;
  search(input: SearchInput, signal?: AbortSignal): Promise<SearchMatch[]>;
  /** Applies the edits in order; returns the files touched. */
  applyEdits(edits: Edit[], signal?: AbortSignal): Promise<string[]>;
}

/** What one tool call did, as the model reads it. */
export interface AgentToolCallResult {
  text: string;
  filesTouched: string[];
  editsApplied: number;
}

/**
 * The tools the coding loop offers the model, bound to the task's workspace; built from the tool
 * registry (src/tools/agent-toolbox.ts). Errors the model can fix are thrown as AutodevErrors with
 * fixable codes and go back to it as the tool's result (run-agent-tool.ts).
 */
export interface AgentToolbox {
  readonly definitions: readonly ToolDefinition[];
  call(call: ToolCall, signal?: AbortSignal): Promise<AgentToolCallResult>;
  /** Edits written in a reply's text (models without tool calling); returns the files touched. */
  applyEdits(edits: Edit[], signal?: AbortSignal): Promise<string[]>;
}
