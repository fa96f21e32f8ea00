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
