import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { languageForPath } from '../../src/repomap/languages.js';
import { rankFiles } from '../../src/repomap/rank.js';
import { extractTaskTerms } from '../../src/repomap/task-terms.js';
import type { TagParser } from '../../src/repomap/index.js';
import type { FileTags } from '../../src/repomap/types.js';

const MAX_FILE_CHARS = 256 * 1024;

/**
 * The files ranked by the reference graph alone (no lexical half fused in): the map's ranking before
 * the words, reported beside it so a change to either half shows where it helped or hurt.
 */
export async function graphOnlyRanking(
  dir: string,
  files: readonly string[],
  task: string,
  parser: TagParser,
): Promise<string[]> {
  const tags: FileTags[] = [];
  for (const file of files) {
    const language = languageForPath(file);
    if (language === undefined) continue;
    const text = await readFile(path.join(dir, file), 'utf8');
    if (text.length > MAX_FILE_CHARS) continue; // the map skips these too (generated or data)
    const found = await parser.tags(file, language, text);
    if (found) tags.push(found);
  }
  return rankFiles(tags, extractTaskTerms(task)).files.map((file) => file.path);
}
