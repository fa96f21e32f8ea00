/** The languages the repository map reads; one tree-sitter grammar and one tag query each. */
export const REPO_MAP_LANGUAGES = ['python', 'rust', 'go', 'javascript', 'typescript', 'tsx'] as const;
export type RepoMapLanguage = (typeof REPO_MAP_LANGUAGES)[number];

export const SYMBOL_KINDS = [
  'function',
  'method',
  'class',
  'struct',
  'enum',
  'interface',
  'trait',
  'type',
  'macro',
] as const;
export type SymbolKind = (typeof SYMBOL_KINDS)[number];

/** A definition found in a file: what the map lists. Lines are 1-based. */
export interface SymbolDefinition {
  name: string;
  kind: SymbolKind;
  line: number;
  /** The definition's first line, trimmed and shortened: enough to call it without reading the file. */
  signature: string;
}

/** What one file defines and which names it uses: the nodes and edges of the ranking graph. */
export interface FileTags {
  /** Path relative to the workspace, with forward slashes. */
  path: string;
  language: RepoMapLanguage;
  definitions: SymbolDefinition[];
  /** Names the file calls or whose types it uses, with repeats (the graph weighs them by count). */
  references: string[];
}

/** A file the map passed over, and why: shown by the tool, counted by the benchmark. */
export interface SkippedFile {
  path: string;
  /**
   * `over_budget`: past the map's total bytes; `parse_failed`: the tag worker failed (its memory
   * limit, a grammar that did not load).
   */
  reason:
    | 'too_large'
    | 'binary'
    | 'outside_workspace'
    | 'parse_timeout'
    | 'parse_failed'
    | 'over_budget'
    | 'unreadable';
}

export interface RepoMapInput {
  workspaceDir: string;
  /** Files to consider, relative to the workspace; every file under it when absent. */
  files?: readonly string[];
  /** Title, description and acceptance criteria of the task: their identifiers seed the ranking. */
  taskText: string;
  /** Output of the baseline test run: failing test names, stack-trace paths and functions seed it too. */
  baselineOutput?: string;
  /** Estimated tokens the rendered map may take; 0 renders nothing. */
  tokenBudget: number;
  signal?: AbortSignal;
}

export interface RankedFile {
  path: string;
  rank: number;
  /** Its definitions, best first (from the tag worker, its best 100). */
  symbols: SymbolDefinition[];
}

export interface RepoMap {
  /** The map as the model reads it; empty when the budget is 0 or nothing was found. */
  text: string;
  /** Estimated tokens of `text` (see estimateTokens). */
  tokens: number;
  /** Every parsed file, best first, whether or not it fitted in `text`. */
  ranked: RankedFile[];
  skipped: SkippedFile[];
}
