import { isDeepStrictEqual } from 'node:util';
import { AutodevError } from '../../errors.js';
import type { UpdateCandidate } from '../types.js';
import { CARGO_TABLES, dependencyTables, parseCargoToml, registryRequirement } from './declared.js';

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** A TOML string literal on one line: basic (`"..."`, with escapes) or literal (`'...'`). */
const STRING = String.raw`"(?:[^"\\\n]|\\.)*"|'[^'\n]*'`;

/** The text of a one-line string literal. */
function stringValue(literal: string): string | undefined {
  if (literal.startsWith("'")) return literal.slice(1, -1);
  try {
    return JSON.parse(literal) as string;
  } catch {
    return undefined;
  }
}

/** The new literal, in the old one's quotes when the text allows it. */
function literalFor(old: string, text: string): string {
  return old.startsWith("'") && !/['\n\r]/.test(text) ? `'${text}'` : JSON.stringify(text);
}

/** `a."b.c".d` to ['a', 'b.c', 'd'] (a table header's key, quotes removed). */
function headerPath(header: string): string[] | undefined {
  const parts: string[] = [];
  const key = new RegExp(String.raw`\s*(?:([A-Za-z0-9_-]+)|(${STRING}))\s*(\.|$)`, 'y');
  let match: RegExpExecArray | null;
  while (key.lastIndex < header.length && (match = key.exec(header)) !== null) {
    const part = match[1] ?? stringValue(match[2] ?? '');
    if (part === undefined) return undefined;
    parts.push(part);
    if (match[3] === '') return parts;
  }
  return parts.length > 0 && key.lastIndex === header.length ? parts : undefined;
}

const isDependencyTable = (path: readonly string[]): boolean => {
  const names = CARGO_TABLES.map(([name]) => name);
  if (path.length === 1) return names.includes(path[0] ?? '');
  if (path.length === 2) return path[0] === 'workspace' && path[1] === 'dependencies';
  return path.length === 3 && path[0] === 'target' && names.includes(path[2] ?? '');
};

interface Span {
  start: number;
  end: number;
  literal: string;
}

/** The header of a `[table]` line (its text between the brackets), or undefined for any other line. */
function tableHeader(line: string): string | undefined {
  const trimmed = line.trimStart();
  if (!trimmed.startsWith('[') || trimmed.startsWith('[[')) return undefined;
  let quote: string | undefined;
  for (let i = 1; i < trimmed.length; i += 1) {
    const c = trimmed[i];
    if (quote !== undefined) {
      if (c === '\\' && quote === '"') i += 1;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === ']') return trimmed.slice(1, i);
  }
  return undefined;
}

/** Tokens of an inline table's line: strings, punctuation, and the runs between them (linear). */
const TOKEN = new RegExp(String.raw`(${STRING})|([{}\[\],=])|([^"'{}\[\],=]+)`, 'gy');

/** The `version = "..."` string of the inline table that opens at `open` (the first level only). */
function inlineVersion(line: string, open: number): { at: number; literal: string } | undefined {
  let depth = 0;
  let expectKey = false;
  let sawVersion: 'key' | 'eq' | undefined;
  TOKEN.lastIndex = open;
  for (let match = TOKEN.exec(line); match !== null; match = TOKEN.exec(line)) {
    const [token, literal, punct, run] = match;
    if (run !== undefined) {
      if (run.trim() === '') continue;
      sawVersion = depth === 1 && expectKey && run.trim() === 'version' ? 'key' : undefined;
      expectKey = false;
      continue;
    }
    if (literal !== undefined) {
      if (sawVersion === 'eq') return { at: match.index, literal };
      sawVersion = undefined;
      expectKey = false;
      continue;
    }
    if (punct === '=' && sawVersion === 'key') {
      sawVersion = 'eq';
      continue;
    }
    sawVersion = undefined;
    if (token === '{' || token === '[') depth += 1;
    if (token === '}' || token === ']') depth -= 1;
    if (depth === 0) return undefined;
    expectKey = depth === 1 && (token === '{' || token === ',');
  }
  return undefined;
}

/**
 * Where the requirement strings of `name` are written: `name = "1.2"`, `name = { version = "1.2", ... }`
 * on one line, or `version = "1.2"` under a `[dependencies.name]` header, in every dependency table.
 */
function requirementSpans(text: string, name: string): Span[] {
  const spans: Span[] = [];
  const key = `(?:${escapeRegExp(name)}|"${escapeRegExp(name)}"|'${escapeRegExp(name)}')`;
  const entry = new RegExp(String.raw`^\s*${key}\s*=\s*`);
  const ownTable = new RegExp(String.raw`^(\s*version\s*=\s*)(${STRING})`);
  const literalAt = new RegExp(STRING, 'y');
  let table: string[] | undefined = [];
  let multiline = false;
  let offset = 0;
  for (const line of text.split('\n')) {
    const start = offset;
    offset += line.length + 1;
    // A header-like line inside a multi-line string is text, not a table.
    const fences = (line.match(/"""|'''/g) ?? []).length;
    if (multiline || fences % 2 === 1) {
      if (fences % 2 === 1) multiline = !multiline;
      continue;
    }
    const header = tableHeader(line);
    if (header !== undefined) {
      table = headerPath(header);
      continue;
    }
    if (/^\s*\[\[/.test(line)) {
      table = undefined;
      continue;
    }
    if (table === undefined) continue;
    if (isDependencyTable(table)) {
      const head = entry.exec(line);
      if (head === null) continue;
      const valueAt = head[0].length;
      literalAt.lastIndex = valueAt;
      const plain = literalAt.exec(line);
      const found =
        plain !== null
          ? { at: valueAt, literal: plain[0] }
          : line[valueAt] === '{'
            ? inlineVersion(line, valueAt)
            : undefined;
      if (found)
        spans.push({
          start: start + found.at,
          end: start + found.at + found.literal.length,
          literal: found.literal,
        });
    } else if (table[table.length - 1] === name && isDependencyTable(table.slice(0, -1))) {
      const match = ownTable.exec(line);
      if (match?.[1] !== undefined && match[2] !== undefined) {
        const at = start + match[1].length;
        spans.push({ start: at, end: at + match[2].length, literal: match[2] });
      }
    }
  }
  return spans;
}

/** What the manifest should read as after the edit: each matching requirement replaced. */
function expectedDocument(manifest: string, updates: readonly UpdateCandidate[]): unknown {
  const doc = parseCargoToml('Cargo.toml', manifest);
  for (const update of updates) {
    for (const { table } of dependencyTables(doc)) {
      const value = table[update.name];
      if (registryRequirement(value)?.trim() !== update.fromRange.trim()) continue;
      if (typeof value === 'string') table[update.name] = update.toRange;
      else (value as Record<string, unknown>).version = update.toRange;
    }
  }
  return doc;
}

/**
 * Cargo.toml with only the requirement strings of `updates` changed, in place: comments, key order,
 * quotes and spacing as they were. Every place the crate is declared with the old requirement changes
 * (its `[dependencies]` and a `[target.*.dependencies]` alike: `cargo update --precise` needs them all
 * to admit the new version). Parsing the result must give the old document with just those values
 * changed; anything else (an entry split over lines, a dotted key) refuses the edit rather than guess.
 */
export function editCargoManifest(manifest: string, updates: readonly UpdateCandidate[]): string {
  let text = manifest;
  for (const update of updates) {
    if (update.fromRange === update.toRange) continue;
    const spans = requirementSpans(text, update.name).filter(
      (span) => stringValue(span.literal)?.trim() === update.fromRange.trim(),
    );
    if (spans.length === 0) {
      throw new AutodevError(
        'UPDATE_EDIT_FAILED',
        `Cargo.toml: cannot find ${update.name} = "${update.fromRange}" in a dependency table`,
        { details: { file: 'Cargo.toml', name: update.name } },
      );
    }
    for (const span of [...spans].reverse()) {
      text = text.slice(0, span.start) + literalFor(span.literal, update.toRange) + text.slice(span.end);
    }
  }
  let edited: unknown;
  try {
    edited = parseCargoToml('Cargo.toml', text);
  } catch {
    edited = undefined;
  }
  if (!isDeepStrictEqual(edited, expectedDocument(manifest, updates))) {
    throw new AutodevError(
      'UPDATE_EDIT_FAILED',
      'Cargo.toml: the version edit changed more than the versions',
      {
        details: { file: 'Cargo.toml' },
      },
    );
  }
  return text;
}
