/** Okapi BM25 with the usual constants; the baseline the repository map is measured against. */
const K1 = 1.2;
const B = 0.75;
const WORD = /[A-Za-z0-9_]+/g;
const CAMEL_BOUNDARY = /([a-z0-9])([A-Z])/g;

/** Words, lower-cased, with camelCase and snake_case names also split into their parts. */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const match of text.matchAll(WORD)) {
    const word = match[0];
    tokens.push(word.toLowerCase());
    const parts = word.replace(CAMEL_BOUNDARY, '$1_$2').split('_').filter(Boolean);
    if (parts.length > 1) for (const part of parts) tokens.push(part.toLowerCase());
  }
  return tokens;
}

export interface Bm25Document {
  id: string;
  text: string;
}

/** Document ids ranked by BM25 score for the query, best first (ties by id, for stable output). */
export function rankBm25(documents: readonly Bm25Document[], query: string): string[] {
  const termCounts = documents.map((doc) => {
    const counts = new Map<string, number>();
    let length = 0;
    for (const token of tokenize(doc.text)) {
      counts.set(token, (counts.get(token) ?? 0) + 1);
      length += 1;
    }
    return { id: doc.id, counts, length };
  });
  const averageLength = termCounts.reduce((sum, doc) => sum + doc.length, 0) / Math.max(1, termCounts.length);
  const documentFrequency = new Map<string, number>();
  for (const doc of termCounts)
    for (const term of doc.counts.keys()) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  const queryTerms = [...new Set(tokenize(query))];
  const total = termCounts.length;
  const scored = termCounts.map((doc) => {
    let score = 0;
    for (const term of queryTerms) {
      const frequency = doc.counts.get(term);
      if (!frequency) continue;
      const df = documentFrequency.get(term) ?? 0;
      const idf = Math.log(1 + (total - df + 0.5) / (df + 0.5));
      score += (idf * frequency * (K1 + 1)) / (frequency + K1 * (1 - B + (B * doc.length) / averageLength));
    }
    return { id: doc.id, score };
  });
  return scored.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id)).map((doc) => doc.id);
}
