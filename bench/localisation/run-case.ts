import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildRepoMap, estimateTokens, type TagParser } from '../../src/repomap/index.js';
import { rankBm25 } from './bm25.js';
import { CHANGELOG_NAMES, changelogEntry } from './changelog.js';
import { fetchRelease, type ReleasePair } from './fetch.js';
import { graphOnlyRanking } from './graph-only.js';
import { changedSourceFiles, sourceFiles } from './source-diff.js';

export const MAP_TOKENS = 1024;
export const TOP_K = [1, 3, 5] as const;

export interface CaseResult {
  case: string;
  task: string;
  changed: string[];
  files: number;
  mapTop: string[];
  bm25Top: string[];
  /** Best (1-based) position of a changed file; Infinity when absent. */
  mapPosition: number;
  /** The same for the reference graph alone, before the words' half is fused in. */
  graphPosition: number;
  bm25Position: number;
  mapTokens: number;
  /** Tokens of BM25's top-5 paths, and of those five files' contents (what the model would read). */
  bm25ListingTokens: number;
  bm25ContentTokens: number;
}

export type CaseOutcome = CaseResult | { case: string; excluded: string };

/** One bug fix: fetch both releases, rank the old tree's files for the release note, both ways. */
export async function runCase(cacheDir: string, parser: TagParser, spec: ReleasePair): Promise<CaseOutcome> {
  const label = `${spec.name} ${spec.from}→${spec.to}`;
  const oldDir = await fetchRelease(cacheDir, spec.ecosystem, spec.name, spec.from);
  const newDir = await fetchRelease(cacheDir, spec.ecosystem, spec.name, spec.to);
  const task = await releaseNote(newDir, spec.to);
  if (!task) return { case: label, excluded: 'no release note for the version in the package' };
  const files = await sourceFiles(oldDir);
  const changed = await changedSourceFiles(oldDir, newDir, files, spec);
  if (changed.length === 0)
    return { case: label, excluded: 'no source file changed (dependency or packaging release)' };

  const map = await buildRepoMap(
    { workspaceDir: oldDir, files, taskText: task, tokenBudget: MAP_TOKENS },
    { parser },
  );
  const mapTop = map.ranked.map((file) => file.path);
  const graphTop = await graphOnlyRanking(oldDir, files, task, parser);
  const documents = await Promise.all(
    files.map(async (file) => ({ id: file, text: await readFile(path.join(oldDir, file), 'utf8') })),
  );
  const bm25Top = rankBm25(documents, task);
  const texts = new Map(documents.map((doc) => [doc.id, doc.text]));
  const bm25Five = bm25Top.slice(0, 5);
  return {
    case: label,
    task,
    changed,
    files: files.length,
    mapTop: mapTop.slice(0, 5),
    bm25Top: bm25Five,
    mapPosition: bestPosition(mapTop, changed),
    graphPosition: bestPosition(graphTop, changed),
    bm25Position: bestPosition(bm25Top, changed),
    mapTokens: map.tokens,
    bm25ListingTokens: estimateTokens(bm25Five.join('\n')),
    bm25ContentTokens: estimateTokens(bm25Five.map((file) => texts.get(file) ?? '').join('\n')),
  };
}

async function releaseNote(dir: string, version: string): Promise<string | undefined> {
  for (const name of CHANGELOG_NAMES) {
    const text = await readFile(path.join(dir, name), 'utf8').catch(() => undefined);
    const entry = text === undefined ? undefined : changelogEntry(text, version);
    if (entry) return entry;
  }
  return undefined;
}

function bestPosition(ranked: readonly string[], changed: readonly string[]): number {
  const positions = changed.map((file) => ranked.indexOf(file)).filter((index) => index >= 0);
  return positions.length === 0 ? Number.POSITIVE_INFINITY : Math.min(...positions) + 1;
}
