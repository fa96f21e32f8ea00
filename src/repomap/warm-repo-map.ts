import { DEFAULT_REPO_MAP_LIMITS } from './build-repo-map.js';
import { readSourceFiles } from './source-files.js';
import { tagInWorker } from './tag-worker-client.js';

export interface WarmRepoMapInput {
  workspaceDir: string;
  /** The files the task's map will read (the file_list step's); the workspace is walked when empty. */
  files: readonly string[];
  signal: AbortSignal;
}

/**
 * Parses the workspace's source files into the tag worker's cache ahead of the task's repository
 * map: started while setup and the baseline tests run (child processes, the server mostly idle),
 * it takes the grammar load (a second or more, once per worker) and the parsing off the coding
 * step's path. Only a cache is filled: a file changed meanwhile is parsed again by the map, and a
 * warm-up that fails or is cut short leaves the map to do the work. Resolves with the files parsed.
 */
export async function warmRepoMap(input: WarmRepoMapInput): Promise<number> {
  const limits = DEFAULT_REPO_MAP_LIMITS;
  const { sources } = await readSourceFiles(
    input.workspaceDir,
    input.files.length > 0 ? input.files : undefined,
    limits,
    input.signal,
  );
  const { parsed } = await tagInWorker(sources, limits, input.signal);
  return parsed.filter(Boolean).length;
}
