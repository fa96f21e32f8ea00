import { lexicalScores } from './lexical-rank.js';
import { rankFiles } from './rank.js';
import { renderWithinBudget } from './render.js';
import { readSourceFiles } from './source-files.js';
import { createTagCache, createTagParser, type TagParser } from './tag-parser.js';
import { extractTaskTerms } from './task-terms.js';
import type { FileTags, RepoMap, RepoMapInput, SkippedFile } from './types.js';

export interface RepoMapLimits {
  /** Larger files are generated or data, and slow to parse: skipped. */
  maxFileBytes: number;
  maxFiles: number;
  parseTimeoutMs: number;
  /** The whole map's time: files not parsed by then are left out rather than delaying the task. */
  totalTimeoutMs: number;
}

export const DEFAULT_REPO_MAP_LIMITS: RepoMapLimits = {
  maxFileBytes: 256 * 1024,
  maxFiles: 5_000,
  parseTimeoutMs: 2_000,
  totalTimeoutMs: 30_000,
};

export interface RepoMapDeps {
  /** The parser to use; by default the process's, whose tag cache every map and warm-up shares. */
  parser?: TagParser;
  limits?: Partial<RepoMapLimits>;
}

/**
 * The tags of every file parsed in this process, by content: a long-lived server maps the same
 * repositories task after task, and the warm-up during setup (warmRepoMap) fills it ahead of the
 * task's map. A cache of pure results, not state: what it returns is what a parse would.
 */
const processTagCache = createTagCache();

export function processTagParser(parseTimeoutMs: number): TagParser {
  return createTagParser({ parseTimeoutMs, cache: processTagCache });
}

/**
 * The repository's files and their definitions, ranked for the task and rendered within a token
 * budget: what the coding model reads first, so it starts near the code the task is about.
 */
export async function buildRepoMap(input: RepoMapInput, deps: RepoMapDeps = {}): Promise<RepoMap> {
  if (input.tokenBudget <= 0) return { text: '', tokens: 0, ranked: [], skipped: [] };
  const limits = { ...DEFAULT_REPO_MAP_LIMITS, ...deps.limits };
  const parser = deps.parser ?? processTagParser(limits.parseTimeoutMs);
  const { sources, skipped } = await readSourceFiles(input.workspaceDir, input.files, limits, input.signal);

  const deadline = Date.now() + limits.totalTimeoutMs;
  const tags: FileTags[] = [];
  const timedOut: SkippedFile[] = [];
  for (const source of sources) {
    input.signal?.throwIfAborted();
    const fileTags =
      Date.now() < deadline ? await parser.tags(source.path, source.language, source.text) : undefined;
    if (fileTags) tags.push(fileTags);
    else timedOut.push({ path: source.path, reason: 'parse_timeout' });
  }

  const ranking = rankFiles(
    tags,
    extractTaskTerms(input.taskText, input.baselineOutput),
    lexicalScores(tags, input.taskText, new Map(sources.map((source) => [source.path, source.text]))),
  );
  const rendered = renderWithinBudget(ranking.files, ranking.symbols, input.tokenBudget);
  return { ...rendered, ranked: ranking.files, skipped: [...skipped, ...timedOut] };
}
