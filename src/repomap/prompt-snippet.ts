import type { Logger } from '../logging/logger.js';
import { buildRepoMap } from './build-repo-map.js';

export interface RepoMapSnippetInput {
  workspaceDir: string;
  /** The repository's files as the task lists them; the workspace is walked when empty. */
  files: readonly string[];
  task: { title: string; description: string; acceptance?: readonly string[] };
  baselineOutput?: string;
  tokenBudget: number;
  signal: AbortSignal;
  log: Logger;
}

/** Heading under which the map appears in the first message (a snippet of the prompt's "Relevant code"). */
export const REPO_MAP_SNIPPET_PATH =
  'Repository map (files, definitions and line numbers ranked for this task)';

/**
 * The map as a prompt snippet for the coding model's first message, or nothing. A map is a help, not
 * a step: if it cannot be made the task goes on without it, and the log says why.
 */
export async function repoMapSnippets(
  input: RepoMapSnippetInput,
): Promise<{ path: string; content: string }[]> {
  if (input.tokenBudget <= 0) return [];
  try {
    const map = await buildRepoMap({
      workspaceDir: input.workspaceDir,
      ...(input.files.length > 0 ? { files: input.files } : {}),
      taskText: [input.task.title, input.task.description, ...(input.task.acceptance ?? [])].join('\n'),
      ...(input.baselineOutput !== undefined ? { baselineOutput: input.baselineOutput } : {}),
      tokenBudget: input.tokenBudget,
      signal: input.signal,
    });
    return map.text === '' ? [] : [{ path: REPO_MAP_SNIPPET_PATH, content: map.text }];
  } catch (error) {
    input.signal.throwIfAborted();
    input.log.warn({ err: error }, 'repository map not built; the model starts without it');
    return [];
  }
}
