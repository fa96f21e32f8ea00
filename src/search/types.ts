export interface SearchMatch {
  file: string;
  line: number;
  text: string;
}

export interface SearchResult {
  matches: SearchMatch[];
  /** True when more matches existed than were returned. */
  truncated: boolean;
}

/** Read-only queries over a workspace; they execute no code of the repo, so they run on the host. */
export interface RepoSearch {
  /** Files tracked or not ignored, relative to `dir`, sorted. */
  listFiles(
    dir: string,
    options?: { path?: string; max?: number; signal?: AbortSignal },
  ): Promise<{ files: string[]; truncated: boolean }>;
  search(
    dir: string,
    pattern: string,
    options?: { path?: string; maxResults?: number; fixedStrings?: boolean; signal?: AbortSignal },
  ): Promise<SearchResult>;
}
