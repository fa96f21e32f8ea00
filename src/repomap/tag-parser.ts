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
 * each language's tag query. Grammars load on first use and stay loaded for the parser's life.
 */
export function createTagParser(options: TagParserOptions): TagParser {
  const loaded = new Map<RepoMapLanguage, Promise<LoadedLanguage>>();
  const load = (language: RepoMapLanguage): Promise<LoadedLanguage> => {
    let entry = loaded.get(language);
    if (!entry) {
      entry = loadLanguage(language);
      loaded.set(language, entry);
    }
    return entry;
  };
  return {
    async tags(filePath, language, source) {
      const { parser, query } = await load(language);
      const deadline = Date.now() + options.parseTimeoutMs;
      // Returning true from the progress callback cancels the parse: parse() then returns null.
      const tree = parser.parse(source, null, { progressCallback: () => Date.now() > deadline });
      if (!tree) return undefined;
      try {
        const remainingMicros = Math.max(1, deadline - Date.now()) * 1000;
        const matches = query.matches(tree.rootNode, { timeoutMicros: remainingMicros });
        if (Date.now() > deadline) return undefined;
        return collectTags(filePath, language, matches, source.split('\n'));
      } finally {
        tree.delete();
      }
    },
  };
}

let runtimeReady: Promise<void> | undefined;

async function loadLanguage(language: RepoMapLanguage): Promise<LoadedLanguage> {
  // web-tree-sitter's runtime is process-wide by its design; initialising it twice is wasted work.
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
