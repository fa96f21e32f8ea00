import { rankAndRender, type MapRequest } from './rank-and-render.js';
import { readSourceFiles, type SourceFile } from './source-files.js';
import type { TagParser } from './tag-parser.js';
import { tagInWorker, type TagBatchOutcome } from './tag-worker-client.js';
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

  const request = {
    taskText: input.taskText,
    baselineOutput: input.baselineOutput,
    tokenBudget: input.tokenBudget,
  };
  const outcome = deps.parser
    ? await mapOnThisThread(deps.parser, sources, limits.totalTimeoutMs, request, input.signal)
    : await tagInWorker(sources, limits, input.signal, request);
  input.signal?.throwIfAborted();
  const notParsed: SkippedFile[] = sources
    .filter((_source, index) => outcome.parsed[index] !== true)
    .map((source) => ({ path: source.path, reason: outcome.failed ? 'parse_failed' : 'parse_timeout' }));
  const map = outcome.map ?? { text: '', tokens: 0, ranked: [] };
  return { ...map, skipped: [...skipped, ...notParsed] };
}

/** The files parsed here, one after another until the map's time is up, then ranked and rendered. */
async function mapOnThisThread(
  parser: TagParser,
  sources: readonly SourceFile[],
  totalTimeoutMs: number,
  request: MapRequest,
  signal?: AbortSignal,
): Promise<TagBatchOutcome> {
  const deadline = Date.now() + totalTimeoutMs;
  const tags: FileTags[] = [];
  const parsed: boolean[] = [];
  for (const source of sources) {
    signal?.throwIfAborted();
    const found =
      Date.now() < deadline ? await parser.tags(source.path, source.language, source.text) : undefined;
    if (found) tags.push(found);
    parsed.push(found !== undefined);
  }
  return { parsed, map: rankAndRender(tags, request, sources) };
}
