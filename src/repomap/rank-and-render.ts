import { lexicalScores } from './lexical-rank.js';
import { rankFiles } from './rank.js';
import { renderWithinBudget } from './render.js';
import { extractTaskTerms } from './task-terms.js';
import type { FileTags, RepoMap } from './types.js';

/** What the map is ranked for and how large it may be. */
export interface MapRequest {
  taskText: string;
  baselineOutput?: string;
  tokenBudget: number;
}

/** The parsed files ranked for the task and rendered within its budget (the skipped files aside). */
export function rankAndRender(
  tags: readonly FileTags[],
  request: MapRequest,
  sources: readonly { path: string; text: string }[] = [],
): Omit<RepoMap, 'skipped'> {
  // The words half of the ranking reads the files' texts too (comments say what code does).
  const texts = new Map(sources.map((source) => [source.path, source.text]));
  const ranking = rankFiles(
    tags,
    extractTaskTerms(request.taskText, request.baselineOutput),
    lexicalScores(tags, request.taskText, texts),
  );
  const rendered = renderWithinBudget(ranking.files, ranking.symbols, request.tokenBudget);
  return { ...rendered, ranked: ranking.files };
}
