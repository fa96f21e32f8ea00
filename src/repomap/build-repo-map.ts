import { rankFiles } from './rank.js';
import { renderWithinBudget } from './render.js';
import { readSourceFiles, type SourceFile } from './source-files.js';
import type { TagParser } from './tag-parser.js';
import { tagInWorker, type TagBatchOutcome } from './tag-worker-client.js';
import { extractTaskTerms } from './task-terms.js';
import type { FileTags, RepoMap, RepoMapInput, SkippedFile } from './types.js';

export interface RepoMapLimits {
  /** Larger files are generated or data, and slow to parse: skipped. */
  maxFileBytes: number;
  maxFiles: number;
  parseTimeoutMs: number;
  /** The whole map's time: files not parsed by then are left out rather than delaying the task. */
  totalTimeoutMs: number;
  /** Source bytes one map reads in all: files past it are left out (`over_budget`). */
  maxTotalBytes: number;
  /** Heap of the tag worker that parses them (a worker over it is ended, not the server). */
  maxHeapMb: number;
}

export const DEFAULT_REPO_MAP_LIMITS: RepoMapLimits = {
  maxFileBytes: 256 * 1024,
  maxFiles: 5_000,
  parseTimeoutMs: 2_000,
  totalTimeoutMs: 30_000,
  maxTotalBytes: 32 * 1024 * 1024,
  maxHeapMb: 256,
};

export interface RepoMapDeps {
  /**
   * A parser to run on this thread (tests, benchmarks). By default files are parsed in the process's
   * tag worker, whose grammars and tag cache every map and warm-up share.
   */
  parser?: TagParser;
  limits?: Partial<RepoMapLimits>;
}

/**
 * The repository's files and their definitions, ranked for the task and rendered within a token
 * budget: what the coding model reads first, so it starts near the code the task is about.
 */
export async function buildRepoMap(input: RepoMapInput, deps: RepoMapDeps = {}): Promise<RepoMap> {
  if (input.tokenBudget <= 0) return { text: '', tokens: 0, ranked: [], skipped: [] };
  const limits = { ...DEFAULT_REPO_MAP_LIMITS, ...deps.limits };
  const { sources, skipped } = await readSourceFiles(input.workspaceDir, input.files, limits, input.signal);

  const parsed = deps.parser
    ? await tagOnThisThread(deps.parser, sources, limits.totalTimeoutMs, input.signal)
    : await tagInWorker(sources, limits, input.signal);
  input.signal?.throwIfAborted();
  const tags: FileTags[] = [];
  const notParsed: SkippedFile[] = [];
  sources.forEach((source, index) => {
    const found = parsed.tags[index];
    if (found) tags.push({ path: source.path, language: source.language, ...found });
    else notParsed.push({ path: source.path, reason: parsed.failed ? 'parse_failed' : 'parse_timeout' });
  });

  const ranking = rankFiles(tags, extractTaskTerms(input.taskText, input.baselineOutput));
  const rendered = renderWithinBudget(ranking.files, ranking.symbols, input.tokenBudget);
  return { ...rendered, ranked: ranking.files, skipped: [...skipped, ...notParsed] };
}

/** The files parsed here, one after another, until the map's time is up. */
async function tagOnThisThread(
  parser: TagParser,
  sources: readonly SourceFile[],
  totalTimeoutMs: number,
  signal?: AbortSignal,
): Promise<TagBatchOutcome> {
  const deadline = Date.now() + totalTimeoutMs;
  const tags: TagBatchOutcome['tags'] = [];
  for (const source of sources) {
    signal?.throwIfAborted();
    tags.push(
      Date.now() < deadline ? await parser.tags(source.path, source.language, source.text) : undefined,
    );
  }
  return { tags };
}
