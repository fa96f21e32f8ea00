import path from 'node:path';
import { personalizedPageRank, type WeightedEdge } from './page-rank.js';
import { nameParts, type TaskTerms } from './task-terms.js';
import type { FileTags, RankedFile, SymbolDefinition } from './types.js';

/** Weights after Aider's repo map: a name the task uses, or a long specific name, says more. */
const TASK_NAME_WEIGHT = 10;
const SPECIFIC_NAME_WEIGHT = 10;
const PRIVATE_NAME_WEIGHT = 0.1;
/** A name defined in many files (`get`, `new`, `String`) says little about which one is meant. */
const COMMON_NAME_WEIGHT = 0.1;
const COMMON_NAME_FILES = 5;
/** A definition nobody references still keeps a little of its file's rank. */
const UNREFERENCED_WEIGHT = 0.1;
const SEED_RANK_WEIGHT = 3;
const USED_NAME_WEIGHT = 0.2;
/** A word of a file's path that the task uses (`ssl` in ssl_profiles.js). */
const PATH_WORD_WEIGHT = 0.5;
const GENERIC_PATH_WORDS = new Set([
  'lib',
  'src',
  'index',
  'main',
  'mod',
  'init',
  'utils',
  'util',
  'internal',
  'pkg',
  'cmd',
]);

export interface RankedSymbol {
  path: string;
  symbol: SymbolDefinition;
  score: number;
}

export interface Ranking {
  files: RankedFile[];
  /** Every definition, best first: what the renderer fits into the budget. */
  symbols: RankedSymbol[];
}

/**
 * Ranks files and their definitions for a task. Files are nodes; a file that uses a name points at the
 * files defining it. PageRank, personalised to the files the task names or whose definitions it
 * names, scores the files; each file's score then flows along its edges to the definitions it uses.
 */
export function rankFiles(
  tags: readonly FileTags[],
  terms: TaskTerms,
  lexical: readonly number[] = [],
): Ranking {
  const definers = new Map<string, Set<number>>();
  tags.forEach((file, position) => {
    for (const symbol of file.definitions) addTo(definers, symbol.name, position);
  });

  const edges: (WeightedEdge & { name: string })[] = [];
  tags.forEach((file, from) => {
    const counts = countNames(file.references);
    for (const [name, count] of counts) {
      const targets = definers.get(name);
      if (!targets) continue;
      const weight = nameWeight(name, targets.size, terms) * Math.sqrt(count);
      for (const to of targets) edges.push({ from, to, weight, name });
    }
    for (const symbol of file.definitions) {
      if (!counts.has(symbol.name))
        edges.push({
          from,
          to: from,
          weight: UNREFERENCED_WEIGHT * nameWeight(symbol.name, 1, terms),
          name: symbol.name,
        });
    }
  });

  const personalization = tags.map((file) => seedWeight(file, terms));
  const fileRank = personalizedPageRank(tags.length, edges, personalization);

  const outWeight = new Array<number>(tags.length).fill(0);
  for (const edge of edges) outWeight[edge.from] = (outWeight[edge.from] ?? 0) + edge.weight;
  const symbolScore = new Map<string, number>();
  for (const edge of edges) {
    const key = `${edge.to}\u0000${edge.name}`;
    const flow = ((fileRank[edge.from] ?? 0) * edge.weight) / (outWeight[edge.from] || 1);
    symbolScore.set(key, (symbolScore.get(key) ?? 0) + flow);
  }

  const symbols: RankedSymbol[] = [];
  tags.forEach((file, position) => {
    for (const symbol of file.definitions) {
      const flowed = symbolScore.get(`${position}\u0000${symbol.name}`) ?? 0;
      const named = 1 + (TASK_NAME_WEIGHT - 1) * (terms.identifiers.get(symbol.name) ?? 0);
      symbols.push({ path: file.path, symbol, score: flowed * named });
    }
  });
  symbols.sort((a, b) => b.score - a.score || a.path.localeCompare(b.path) || a.symbol.line - b.symbol.line);

  const byFile = new Map<string, SymbolDefinition[]>();
  for (const entry of symbols) {
    const list = byFile.get(entry.path);
    if (list) list.push(entry.symbol);
    else byFile.set(entry.path, [entry.symbol]);
  }
  // PageRank favours what the seeds lead to (the helpers everyone calls); for finding the code to
  // change, the files the task points at directly matter at least as much, so their seed share is added.
  const seedTotal = personalization.reduce((sum, value) => sum + value, 0) || 1;
  const graph = tags
    .map((file, position) => ({
      path: file.path,
      position,
      rank: (fileRank[position] ?? 0) + (SEED_RANK_WEIGHT * (personalization[position] ?? 0)) / seedTotal,
      symbols: byFile.get(file.path) ?? [],
    }))
    .sort((a, b) => b.rank - a.rank || a.path.localeCompare(b.path));
  return { files: fuseWithLexical(graph, lexical), symbols };
}

function nameWeight(name: string, definedIn: number, terms: TaskTerms): number {
  let weight = 1;
  weight *= 1 + (TASK_NAME_WEIGHT - 1) * (terms.identifiers.get(name) ?? 0);
  if (name.length >= 8 && (name.includes('_') || /[a-z][A-Z]/.test(name))) weight *= SPECIFIC_NAME_WEIGHT;
  if (name.startsWith('_')) weight *= PRIVATE_NAME_WEIGHT;
  if (definedIn > COMMON_NAME_FILES) weight *= COMMON_NAME_WEIGHT;
  return weight;
}

/** How strongly the task points at a file: by its path, its name, or a definition it names. */
function seedWeight(file: FileTags, terms: TaskTerms): number {
  let weight = 0;
  for (const mentioned of terms.paths) {
    if (file.path === mentioned || file.path.endsWith(`/${mentioned}`) || mentioned.endsWith(`/${file.path}`))
      weight += 1;
  }
  const stem = path.basename(file.path, path.extname(file.path));
  weight += 0.5 * (terms.identifiers.get(stem) ?? 0);
  // Words of the path (`lib/mime-node/index.js`: mime, node) the task uses: weak, but often all there is.
  const pathWords = new Set(nameParts(file.path.slice(0, -path.extname(file.path).length)));
  let wordHits = 0;
  for (const word of pathWords)
    if (!GENERIC_PATH_WORDS.has(word) && hasWord(terms.words, word)) wordHits += 1;
  weight += Math.min(wordHits * PATH_WORD_WEIGHT, 2 * PATH_WORD_WEIGHT);
  let named = 0;
  for (const name of new Set(file.definitions.map((symbol) => symbol.name)))
    named += terms.identifiers.get(name) ?? 0;
  weight += Math.min(named, 5);
  // Names the task uses that the file calls: where the behaviour the task describes is exercised.
  let used = 0;
  for (const name of new Set(file.references)) used += terms.identifiers.get(name) ?? 0;
  weight += Math.min(used * USED_NAME_WEIGHT, 1);
  return weight;
}

/** `profiles` in a path matches `profile` in the task, and the other way round. */
function hasWord(words: ReadonlySet<string>, word: string): boolean {
  return words.has(word) || words.has(`${word}s`) || (word.endsWith('s') && words.has(word.slice(0, -1)));
}

function countNames(names: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}

function addTo(map: Map<string, Set<number>>, key: string, value: number): void {
  const set = map.get(key);
  if (set) set.add(value);
  else map.set(key, new Set([value]));
}

/**
 * Reciprocal rank fusion's constant, the usual 60 (Cormack, Clarke and Büttcher 2009): how much the
 * top places of either list outweigh the rest. Not tuned to the bench's cases.
 */
const FUSION_K = 60;

/**
 * The graph's order fused with the lexical one by reciprocal rank fusion: a file near the top of
 * either list rises. The graph finds what the named code leads to; words find the file a task
 * describes without naming anything. Files no task word reaches keep the graph's order among themselves.
 */
function fuseWithLexical(
  graph: readonly (RankedFile & { position: number })[],
  lexical: readonly number[],
): RankedFile[] {
  const strip = ({ path: file, rank, symbols }: RankedFile): RankedFile => ({ path: file, rank, symbols });
  if (!lexical.some((score) => score > 0)) return graph.map(strip);
  const lexicalPlace = new Map<number, number>();
  graph
    .filter((file) => (lexical[file.position] ?? 0) > 0)
    .sort((a, b) => (lexical[b.position] ?? 0) - (lexical[a.position] ?? 0))
    .forEach((file, index) => lexicalPlace.set(file.position, index + 1));
  return graph
    .map((file, index) => {
      const place = lexicalPlace.get(file.position);
      const fused = 1 / (FUSION_K + index + 1) + (place === undefined ? 0 : 1 / (FUSION_K + place));
      return { ...strip(file), rank: fused };
    })
    .sort((a, b) => b.rank - a.rank || a.path.localeCompare(b.path));
}
