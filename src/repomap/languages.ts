import { createRequire } from 'node:module';
import path from 'node:path';
import { GO_TAGS } from '../languages/go/tags-query.js';
import { PYTHON_TAGS } from '../languages/python/tags-query.js';
import { RUST_TAGS } from '../languages/rust/tags-query.js';
import { JAVASCRIPT_TAGS } from '../languages/node/tags-query-javascript.js';
import { TYPESCRIPT_TAGS } from '../languages/node/tags-query-typescript.js';
import type { RepoMapLanguage } from './types.js';

interface LanguageSpec {
  /** npm package shipping the grammar's .wasm, and the file's name inside it. */
  grammarPackage: string;
  wasmFile: string;
  tagQuery: string;
}

/** One entry per language: adding one is a grammar package, a query file and a line here. */
export const LANGUAGE_SPECS: Record<RepoMapLanguage, LanguageSpec> = {
  python: {
    grammarPackage: 'tree-sitter-python',
    wasmFile: 'tree-sitter-python.wasm',
    tagQuery: PYTHON_TAGS,
  },
  rust: { grammarPackage: 'tree-sitter-rust', wasmFile: 'tree-sitter-rust.wasm', tagQuery: RUST_TAGS },
  go: { grammarPackage: 'tree-sitter-go', wasmFile: 'tree-sitter-go.wasm', tagQuery: GO_TAGS },
  javascript: {
    grammarPackage: 'tree-sitter-javascript',
    wasmFile: 'tree-sitter-javascript.wasm',
    tagQuery: JAVASCRIPT_TAGS,
  },
  typescript: {
    grammarPackage: 'tree-sitter-typescript',
    wasmFile: 'tree-sitter-typescript.wasm',
    tagQuery: TYPESCRIPT_TAGS,
  },
  tsx: {
    grammarPackage: 'tree-sitter-typescript',
    wasmFile: 'tree-sitter-tsx.wasm',
    tagQuery: TYPESCRIPT_TAGS,
  },
};

const EXTENSIONS: Record<string, RepoMapLanguage> = {
  '.py': 'python',
  '.pyi': 'python',
  '.rs': 'rust',
  '.go': 'go',
  '.js': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.jsx': 'javascript',
  '.ts': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.tsx': 'tsx',
};

export function languageForPath(file: string): RepoMapLanguage | undefined {
  return EXTENSIONS[path.extname(file).toLowerCase()];
}

const require = createRequire(import.meta.url);

/** The grammar's .wasm inside its installed package (the packages export no path to it). */
export function grammarWasmPath(language: RepoMapLanguage): string {
  const spec = LANGUAGE_SPECS[language];
  return path.join(path.dirname(require.resolve(`${spec.grammarPackage}/package.json`)), spec.wasmFile);
}
