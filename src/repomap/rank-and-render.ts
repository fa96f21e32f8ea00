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
export function rankAndRender(tags: readonly FileTags[], request: MapRequest): Omit<RepoMap, 'skipped'> {
  const ranking = rankFiles(tags, extractTaskTerms(request.taskText, request.baselineOutput));
  const rendered = renderWithinBudget(ranking.files, ranking.symbols, request.tokenBudget);
  return { ...rendered, ranked: ranking.files };
}
