import { isNonPublicPath } from '../api-surface/public-paths.js';
import { joinTokens, skipGroup, tokenize, type Token } from '../api-surface/lexer.js';
import type { ApiItem, ApiSurfaceExtractor } from '../api-surface/types.js';

const ITEM_KEYWORDS = new Set([
  'fn',
  'struct',
  'enum',
  'trait',
  'type',
  'const',
  'static',
  'mod',
  'union',
  'use',
]);

/** What a `{ … }` block is: where a `pub` inside it is public, and under which name. */
interface Frame {
  kind: 'module' | 'impl' | 'struct' | 'body';
  name: string;
}

/**
 * `pub` items of one Rust file, read by a small lexer (comments and strings skipped) and item headers
 * up to their `{` or `;`: functions and methods of inherent impls, structs and their `pub` fields,
 * enums and traits with their bodies, type aliases, consts, statics, modules and `pub use`.
 *
 * Not seen (documented limits): macro-generated items and `#[macro_export]` macros, `#[cfg]`
 * conditions, trait impls (`impl Trait for T`), and whether a `pub` item is reachable from the crate
 * root (a `pub` item of a private module counts as public).
 */
export function createRustApiSurface(): ApiSurfaceExtractor {
  return {
    language: 'rust',
    handles: (file) => file.endsWith('.rs') && !isNonPublicPath(file) && !file.endsWith('build.rs'),
    extract: (source, file) => Promise.resolve(extractRust(source, file)),
  };
}

export function extractRust(source: string, file: string): ApiItem[] {
  const tokens = tokenize(source, 'rust', file);
  const items: ApiItem[] = [];
  const frames: Frame[] = [{ kind: 'module', name: '' }];
  let statementStart = 0;
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]?.text ?? '';
    const frame = frames.at(-1) ?? { kind: 'module', name: '' };
    if (t === '#' && tokens[i + 1]?.text === '[') {
      i = skipGroup(tokens, i + 1);
      statementStart = i;
    } else if (t === 'pub' && frame.kind !== 'body') {
      if (tokens[i + 1]?.text === '(') {
        // pub(crate), pub(super), pub(in path): visible inside the crate only.
        i = skipGroup(tokens, i + 1);
        continue;
      }
      const read = readPubItem(tokens, i, frame);
      if (read.item) items.push(read.item);
      if (read.opens) frames.push(read.opens);
      i = read.next;
      statementStart = i;
    } else if (t === '{') {
      frames.push(frameOf(tokens.slice(statementStart, i)));
      i += 1;
      statementStart = i;
    } else if (t === '}') {
      if (frames.length > 1) frames.pop();
      i += 1;
      statementStart = i;
    } else if (t === ';' || (t === ',' && frame.kind === 'struct')) {
      i += 1;
      statementStart = i;
    } else {
      i += 1;
    }
  }
  return items;
}

/** The block a non-`pub` header opens: an inherent impl's methods are public API, a fn body's are not. */
function frameOf(header: Token[]): Frame {
  const words = header.filter((t) => !['unsafe', 'default'].includes(t.text));
  const first = words[0]?.text;
  if (first === 'impl') {
    const isTraitImpl = words.some((t) => t.text === 'for');
    return isTraitImpl ? { kind: 'body', name: '' } : { kind: 'impl', name: implTarget(words.slice(1)) };
  }
  if (first === 'mod') return { kind: 'module', name: words[1]?.text ?? '' };
  if (first === 'struct' || first === 'union') return { kind: 'struct', name: words[1]?.text ?? '' };
  return { kind: 'body', name: '' };
}

/** `impl<T: X> Foo<T> where …` → `Foo`: the type the methods belong to. */
function implTarget(rest: Token[]): string {
  let k = 0;
  if (rest[0]?.text === '<') {
    let depth = 0;
    for (; k < rest.length; k += 1) {
      if (rest[k]?.text === '<') depth += 1;
      if (rest[k]?.text === '>') depth -= 1;
      if (depth === 0) break;
    }
    k += 1;
  }
  // The type's path without its generic arguments: `Config<'a, T>` → `Config`.
  const endAt = rest.findIndex((t, idx) => idx >= k && (t.text === 'where' || t.text === '<'));
  return joinTokens(rest.slice(k, endAt === -1 ? rest.length : endAt));
}

function qualified(frame: Frame, name: string): string {
  if (frame.name === '') return name;
  return frame.kind === 'struct' ? `${frame.name}.${name}` : `${frame.name}::${name}`;
}

function readPubItem(
  tokens: Token[],
  start: number,
  frame: Frame,
): { item?: ApiItem; opens?: Frame; next: number } {
  // A struct field: `pub name: Type` up to the `,` or `}` that ends it.
  if (frame.kind === 'struct' && tokens[start + 2]?.text === ':') {
    const end = fieldEnd(tokens, start + 1);
    const name = tokens[start + 1]?.text ?? '';
    return {
      item: { name: qualified(frame, name), kind: 'field', signature: joinTokens(tokens.slice(start, end)) },
      next: end,
    };
  }
  const headerEnd = headerEndAt(tokens, start);
  const header = tokens.slice(start, headerEnd);
  const words = header.map((t) => t.text);
  const kindAt = words.findIndex((w) => ITEM_KEYWORDS.has(w));
  const kind = words.includes('fn') ? 'fn' : (words[kindAt] ?? 'item');
  const nameAt = kind === 'fn' ? words.indexOf('fn') + 1 : kindAt + 1;
  const terminator = tokens[headerEnd]?.text;
  const afterHeader = headerEnd + 1;

  if (kind === 'use') {
    // `pub use a::{b, c};`: the braces belong to the path, the item ends at its `;`.
    let end = headerEnd;
    while (end < tokens.length && tokens[end]?.text !== ';')
      end = tokens[end]?.text === '{' ? skipGroup(tokens, end) : end + 1;
    const text = joinTokens(tokens.slice(start, end));
    return { item: { name: text.replace(/^pub use /, ''), kind: 'use', signature: text }, next: end + 1 };
  }
  const name = qualified(frame, words[nameAt] ?? '?');
  if (kind === 'const' || kind === 'static') {
    const eq = words.indexOf('=');
    return {
      item: { name, kind, signature: joinTokens(header.slice(0, eq === -1 ? header.length : eq)) },
      next: afterHeader,
    };
  }
  if (terminator !== '{') return { item: { name, kind, signature: joinTokens(header) }, next: afterHeader };
  const bodyEnd = skipGroup(tokens, headerEnd);
  if (kind === 'enum' || kind === 'trait') {
    // Variants and trait methods are the API; default method bodies are not.
    const body = stripInnerBodies(tokens.slice(headerEnd, bodyEnd));
    return { item: { name, kind, signature: joinTokens([...header, ...body]) }, next: bodyEnd };
  }
  if (kind === 'fn') return { item: { name, kind, signature: joinTokens(header) }, next: bodyEnd };
  const opens: Frame =
    kind === 'struct' || kind === 'union'
      ? { kind: 'struct', name }
      : kind === 'mod'
        ? { kind: 'module', name }
        : { kind: 'body', name: '' };
  return { item: { name, kind, signature: joinTokens(header) }, opens, next: afterHeader };
}

/** The `{` or `;` ending an item header, outside parentheses and brackets. */
function headerEndAt(tokens: Token[], start: number): number {
  let depth = 0;
  for (let k = start; k < tokens.length; k += 1) {
    const t = tokens[k]?.text ?? '';
    if (t === '(' || t === '[') depth += 1;
    else if (t === ')' || t === ']') depth -= 1;
    else if (depth === 0 && (t === '{' || t === ';')) return k;
  }
  return tokens.length;
}

/** The `,` or `}` ending a struct field, outside `<…>`, `(…)` and `[…]`. */
function fieldEnd(tokens: Token[], start: number): number {
  let depth = 0;
  for (let k = start; k < tokens.length; k += 1) {
    const t = tokens[k]?.text ?? '';
    if (t === '<' || t === '(' || t === '[') depth += 1;
    else if (t === '>' || t === ')' || t === ']') depth -= 1;
    else if (depth <= 0 && (t === ',' || t === '}')) return k;
  }
  return tokens.length;
}

/** Inside a trait or enum body, a `{ … }` after `)` or a return type is a default body: `{…}`. */
function stripInnerBodies(body: Token[]): Token[] {
  const out: Token[] = [];
  let k = 0;
  while (k < body.length) {
    const t = body[k];
    if (t && t.text === '{' && k > 0 && isFnBodyStart(body, k)) {
      const end = skipGroup(body, k);
      out.push({ ...t, text: '{…}' });
      k = end;
    } else {
      if (t) out.push(t);
      k += 1;
    }
  }
  return out;
}

/** A `{` inside a trait body opens a default method body when the statement it ends began with `fn`. */
function isFnBodyStart(body: Token[], at: number): boolean {
  for (let k = at - 1; k > 0; k -= 1) {
    const t = body[k]?.text ?? '';
    if (t === ';' || t === '}' || t === '{' || t === ',') return false;
    if (t === 'fn') return true;
  }
  return false;
}
