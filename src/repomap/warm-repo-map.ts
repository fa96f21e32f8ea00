import { setImmediate as nextTurn } from 'node:timers/promises';
import { DEFAULT_REPO_MAP_LIMITS, processTagParser } from './build-repo-map.js';
import { readSourceFiles } from './source-files.js';

export interface WarmRepoMapInput {
  workspaceDir: string;
  /** The files the task's map will read (the file_list step's); the workspace is walked when empty. */
  files: readonly string[];
  signal: AbortSignal;
}

/**
 * Parses the workspace's source files into the process's tag cache ahead of the task's repository
 * map: started while setup and the baseline tests run (child processes, the server mostly idle),
 * it takes the grammar load (a second or more, once per process) and the parsing off the coding
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
  const parser = processTagParser(limits.parseTimeoutMs);
  const deadline = Date.now() + limits.totalTimeoutMs;
  let parsed = 0;
  for (const source of sources) {
    if (input.signal.aborted || Date.now() > deadline) break;
    if (await parser.tags(source.path, source.language, source.text)) parsed += 1;
    // Each parse holds the event loop; yielding between files keeps the API and the steps' output flowing.
    await nextTurn();
  }
  return parsed;
}
