import path from 'node:path';
import type { FileTags } from './types.js';

/** Okapi BM25's usual constants. */
const K1 = 1.2;
const B = 0.75;
const WORD = /[A-Za-z0-9_]+/g;
const CAMEL_BOUNDARY = /([a-z0-9])([A-Z])/g;
/** English glue words of release notes and issues: in every file's comments, they rank nothing. */
const STOP_WORDS = new Set(
  'the and for with that this from when was were are not but has have had into than then its use used when which while will can'.split(
    ' ',
  ),
);

/** Words lower-cased, with camelCase and snake_case names also split into their parts. */
export function lexicalTokens(text: string): string[] {
  const tokens: string[] = [];
  for (const match of text.matchAll(WORD)) {
    const word = match[0];
    const lower = word.toLowerCase();
    if (lower.length >= 3 && !STOP_WORDS.has(lower)) tokens.push(lower);
    const parts = word.replace(CAMEL_BOUNDARY, '$1_$2').split('_');
    if (parts.length > 1)
      for (const part of parts) {
        const p = part.toLowerCase();
        if (p.length >= 3 && !STOP_WORDS.has(p)) tokens.push(p);
      }
  }
  return tokens;
}

/**
 * What a file says in words, from its tags: the words of its path, the names and signatures it
 * defines, and the names it uses. The lexical half of the ranking: a task that describes behaviour
 * in words ("fix crash on empty header") points at the file whose names share them, even when no
 * identifier is quoted and the reference graph has no seed.
 */
function fileText(file: FileTags): string {
  const stem = file.path.slice(0, -path.extname(file.path).length || undefined);
  return [
    stem,
    stem, // the path names the file's subject: it counts double
    ...file.definitions.map((symbol) => `${symbol.name} ${symbol.signature}`),
    ...file.references,
  ].join(' ');
}

/**
 * BM25 score of each file (by position in `tags`) for the task's words; 0 where none occurs. A file's
 * words are its tags' (path, definitions, names used) and, when given, its text (comments and
 * docstrings say in words what the code does).
 */
export function lexicalScores(
  tags: readonly FileTags[],
  taskText: string,
  texts?: ReadonlyMap<string, string>,
): number[] {
  const query = new Set(lexicalTokens(taskText));
  if (query.size === 0) return tags.map(() => 0);
  // Only the task's words are counted per file: memory stays small on a large repository.
  const docs = tags.map((file) => {
    const counts = new Map<string, number>();
    let length = 0;
    const text = texts ? `${fileText(file)} ${texts.get(file.path) ?? ''}` : fileText(file);
    for (const token of lexicalTokens(text)) {
      length += 1;
      if (query.has(token)) counts.set(token, (counts.get(token) ?? 0) + 1);
    }
    return { counts, length };
  });
  const average = docs.reduce((sum, doc) => sum + doc.length, 0) / Math.max(1, docs.length);
  const frequency = new Map<string, number>();
  for (const doc of docs)
    for (const term of doc.counts.keys()) frequency.set(term, (frequency.get(term) ?? 0) + 1);
  return docs.map((doc) => {
    let score = 0;
    for (const [term, count] of doc.counts) {
      const df = frequency.get(term) ?? 0;
      const idf = Math.log(1 + (docs.length - df + 0.5) / (df + 0.5));
      score += (idf * count * (K1 + 1)) / (count + K1 * (1 - B + (B * doc.length) / (average || 1)));
    }
    return score;
  });
}
