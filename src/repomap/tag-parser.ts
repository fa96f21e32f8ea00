import { createHash } from 'node:crypto';
import { Language, Parser, Query } from 'web-tree-sitter';
import { grammarWasmPath, LANGUAGE_SPECS } from './languages.js';
import {
  SYMBOL_KINDS,
  type FileTags,
  type RepoMapLanguage,
  type SymbolDefinition,
  type SymbolKind,
} from './types.js';

const MAX_SIGNATURE_CHARS = 120;

export interface TagParserOptions {
  /** Longest one file's parse and query may take; a file over it is skipped, not half-read. */
  parseTimeoutMs: number;
  /** Checked while a file parses: true cuts the parse short (a cancelled or out-of-time map). */
  shouldStop?: () => boolean;
}

export interface TagParser {
  /** The file's definitions and references, or undefined when the parse ran out of time. */
  tags(filePath: string, language: RepoMapLanguage, source: string): Promise<FileTags | undefined>;
}

interface LoadedLanguage {
  parser: Parser;
  query: Query;
}

/**
 * Parses source files with tree-sitter (WebAssembly: no native build, same result everywhere) and runs
 * each language's tag query. The compiled grammars are the process's (see loadGrammar), and the tags
 * of contents parsed before come from the cache (see createTagCache): a repository parsed earlier (by
 * another task, a repair round, the warm-up during setup) costs a hash per file.
 */
export function createTagParser(options: TagParserOptions & { cache?: TagCache }): TagParser {
  const cache = options.cache ?? createTagCache();
  return {
    async tags(filePath, language, source) {
      const key = contentKey(language, source);
      const known = cache.get(key);
      if (known) return { path: filePath, language, ...known };
      const { parser, query } = await loadGrammar(language);
      const deadline = Date.now() + options.parseTimeoutMs;
      // Returning true from the progress callback cancels the parse: parse() then returns null.
      const stop = options.shouldStop;
      const tree = parser.parse(source, null, {
        progressCallback: () => Date.now() > deadline || stop?.() === true,
      });
      if (!tree) return undefined;
      try {
        const remainingMicros = Math.max(1, deadline - Date.now()) * 1000;
        const matches = query.matches(tree.rootNode, { timeoutMicros: remainingMicros });
        if (Date.now() > deadline) return undefined;
        const tags = collectTags(filePath, language, matches, source.split('\n'));
        cache.set(key, { definitions: tags.definitions, references: tags.references });
        return tags;
      } finally {
        tree.delete();
      }
    },
  };
}

/** What a file's contents define and use, whatever its path: the part of FileTags worth keeping. */
export type ContentTags = Pick<FileTags, 'definitions' | 'references'>;

export interface TagCache {
  get(key: string): ContentTags | undefined;
  set(key: string, tags: ContentTags): void;
}

/**
 * How much the cache holds, counted in definitions and references (one name each, tens of bytes):
 * a few large repositories' worth, tens of megabytes at most. The least recently used go first.
 */
const TAG_CACHE_NAMES = 1_000_000;

/**
 * Tags by content (the language and a hash of the text, as a git blob id is), the least recently
 * used dropped first. Keyed by content, never by path: a file the task or the sandbox changed is
 * parsed again, and the same file in the repo's next worktree is not.
 */
export function createTagCache(maxNames = TAG_CACHE_NAMES): TagCache {
  const entries = new Map<string, ContentTags>();
  let held = 0;
  const weight = (tags: ContentTags) => 1 + tags.definitions.length + tags.references.length;
  const drop = (key: string) => {
    const known = entries.get(key);
    if (!known) return;
    entries.delete(key);
    held -= weight(known);
  };
  return {
    get(key) {
      const found = entries.get(key);
      if (found) {
        // A Map keeps insertion order: inserting again marks it the most recently used.
        entries.delete(key);
        entries.set(key, found);
      }
      return found;
    },
    set(key, tags) {
      drop(key);
      if (weight(tags) > maxNames) return;
      entries.set(key, tags);
      held += weight(tags);
      for (const oldest of entries.keys()) {
        if (held <= maxNames) break;
        drop(oldest);
      }
    },
  };
}

function contentKey(language: RepoMapLanguage, source: string): string {
  return `${language}:${createHash('sha1').update(source).digest('hex')}`;
}

let runtimeReady: Promise<void> | undefined;
const grammars = new Map<RepoMapLanguage, Promise<LoadedLanguage>>();

/**
 * The language's compiled grammar and tag query, loaded once per process: the first load costs about
 * a second and a half, and a compiled grammar never changes (web-tree-sitter's runtime is
 * process-wide by its own design). Sharing one parser is safe: parse and query run synchronously,
 * with no await between them, so two maps in one process never interleave on it.
 */
export function loadGrammar(language: RepoMapLanguage): Promise<LoadedLanguage> {
  let entry = grammars.get(language);
  if (!entry) {
    entry = compileGrammar(language);
    // A failed load is tried again next time rather than remembered.
    entry.catch(() => grammars.delete(language));
    grammars.set(language, entry);
  }
  return entry;
}

async function compileGrammar(language: RepoMapLanguage): Promise<LoadedLanguage> {
  runtimeReady ??= Parser.init();
  await runtimeReady;
  const grammar = await Language.load(grammarWasmPath(language));
  const parser = new Parser();
  parser.setLanguage(grammar);
  return { parser, query: new Query(grammar, LANGUAGE_SPECS[language].tagQuery) };
}

type Matches = ReturnType<Query['matches']>;

function collectTags(
  filePath: string,
  language: RepoMapLanguage,
  matches: Matches,
  lines: string[],
): FileTags {
  // One definition node may match several patterns (a method is also a function): the earliest
  // pattern, the most specific, wins.
  const definitions = new Map<number, { pattern: number; symbol: SymbolDefinition }>();
  const definitionNames = new Set<number>();
  const references: { start: number; name: string }[] = [];
  for (const match of matches) {
    const name = match.captures.find((capture) => capture.name === 'name')?.node;
    if (!name) continue;
    const definition = match.captures.find((capture) => capture.name.startsWith('definition.'));
    if (definition) {
      definitionNames.add(name.startIndex);
      const kind = symbolKind(definition.name.slice('definition.'.length));
      const known = definitions.get(definition.node.startIndex);
      if (kind && (!known || known.pattern > match.patternIndex)) {
        definitions.set(definition.node.startIndex, {
          pattern: match.patternIndex,
          symbol: {
            name: name.text,
            kind,
            line: definition.node.startPosition.row + 1,
            signature: signatureOf(lines[definition.node.startPosition.row] ?? ''),
          },
        });
      }
      continue;
    }
    if (match.captures.some((capture) => capture.name === 'reference'))
      references.push({ start: name.startIndex, name: name.text });
  }
  return {
    path: filePath,
    language,
    definitions: [...definitions.values()].map((entry) => entry.symbol).sort((a, b) => a.line - b.line),
    // A definition's own name (a struct's type_identifier) is not a use of it.
    references: references.filter((ref) => !definitionNames.has(ref.start)).map((ref) => ref.name),
  };
}

function symbolKind(text: string): SymbolKind | undefined {
  return SYMBOL_KINDS.find((kind) => kind === text);
}

/** The definition's whole first line (tree-sitter columns count bytes, not characters). */
function signatureOf(line: string): string {
  const trimmed = line.trim();
  const cut = trimmed.endsWith('{') ? trimmed.slice(0, -1).trimEnd() : trimmed;
  return cut.length > MAX_SIGNATURE_CHARS ? `${cut.slice(0, MAX_SIGNATURE_CHARS)}…` : cut;
}
