import { AutodevError } from '../../errors.js';

export interface Token {
  text: string;
  line: number;
  kind: 'ident' | 'literal' | 'punct';
}

export type Dialect = 'rust' | 'go';

const MAX_TOKENS = 2_000_000;
const TWO_CHAR_PUNCT = new Set(['::', '->', '=>', '<-', ':=', '..', '&&', '||', '==', '!=', '<=', '>=']);

/**
 * Tokens of Rust or Go source with comments removed and string, char and raw-string literals kept
 * whole, so a `pub` or `{` inside a comment or a string is never read as code. It understands only
 * what item headers need: identifiers, literals and punctuation; anything else is one punct token.
 */
export function tokenize(source: string, dialect: Dialect, file: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  const n = source.length;
  const fail = (what: string): never => {
    throw new AutodevError('SOURCE_UNPARSABLE', `${file}:${line}: ${what}`);
  };
  const advanceTo = (end: number) => {
    for (let k = i; k < end; k += 1) if (source.charCodeAt(k) === 10) line += 1;
    i = end;
  };
  const push = (start: number, kind: Token['kind']) => {
    const startLine = line;
    const text = source.slice(start, i);
    tokens.push({ text, line: startLine, kind });
    if (tokens.length > MAX_TOKENS) fail(`over ${MAX_TOKENS} tokens`);
  };
  /** A quoted literal from `start` (at the quote) to its closing quote, honouring backslash escapes. */
  const quoted = (quote: string, escapes: boolean): number => {
    let k = i + 1;
    while (k < n && source[k] !== quote) {
      if (escapes && source[k] === '\\') k += 1;
      k += 1;
    }
    if (k >= n) fail(`unterminated ${quote} literal`);
    return k + 1;
  };

  while (i < n) {
    const c = source[i] ?? '';
    const next = source[i + 1] ?? '';
    if (c === '\n') {
      line += 1;
      i += 1;
    } else if (/\s/.test(c)) {
      i += 1;
    } else if (c === '/' && next === '/') {
      const end = source.indexOf('\n', i);
      i = end === -1 ? n : end;
    } else if (c === '/' && next === '*') {
      // Rust block comments nest; Go's do not.
      let depth = 0;
      let k = i;
      do {
        if (source.startsWith('/*', k) && (dialect === 'rust' || depth === 0)) {
          depth += 1;
          k += 2;
        } else if (source.startsWith('*/', k)) {
          depth -= 1;
          k += 2;
        } else if (k >= n) {
          fail('unterminated block comment');
        } else {
          k += 1;
        }
      } while (depth > 0);
      advanceTo(k);
    } else if (dialect === 'rust' && (c === 'r' || c === 'b') && /^(b?r#*")/.test(source.slice(i, i + 260))) {
      const start = i;
      const open = /^b?r(#*)"/.exec(source.slice(i, i + 260));
      const hashes = open?.[1] ?? '';
      const close = source.indexOf(`"${hashes}`, i + (open?.[0].length ?? 0));
      if (close === -1) fail('unterminated raw string');
      advanceTo(close + 1 + hashes.length);
      push(start, 'literal');
    } else if (c === '"' || (dialect === 'rust' && c === 'b' && (next === '"' || next === "'"))) {
      const start = i;
      if (c === 'b') i += 1;
      const q = source[i] ?? '"';
      const end = quoted(q, true);
      advanceTo(end);
      push(start, 'literal');
    } else if (dialect === 'go' && c === '`') {
      const start = i;
      const close = source.indexOf('`', i + 1);
      if (close === -1) fail('unterminated raw string');
      advanceTo(close + 1);
      push(start, 'literal');
    } else if (c === "'") {
      const start = i;
      // Rust lifetimes ('a, 'static) have no closing quote; char literals do ('a', '\n', '\'').
      const lifetime =
        dialect === 'rust' ? /^'[A-Za-z_][A-Za-z0-9_]*(?!')/.exec(source.slice(i, i + 200)) : null;
      if (lifetime) {
        i += lifetime[0].length;
        push(start, 'ident');
      } else {
        advanceTo(quoted("'", true));
        push(start, 'literal');
      }
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      const start = i;
      while (i < n && /[A-Za-z0-9_\u0080-\uffff]/.test(source[i] ?? '')) i += 1;
      push(start, 'ident');
    } else if (/[0-9]/.test(c)) {
      const start = i;
      while (i < n && /[A-Za-z0-9_.]/.test(source[i] ?? '') && !source.startsWith('..', i)) i += 1;
      push(start, 'literal');
    } else {
      const start = i;
      i += source.startsWith('...', i) ? 3 : TWO_CHAR_PUNCT.has(c + next) ? 2 : 1;
      push(start, 'punct');
    }
  }
  return tokens;
}

/** Tokens back to text, spaced so that equal token sequences always give equal text. */
export function joinTokens(tokens: readonly Token[]): string {
  return tokens
    .map((t) => t.text)
    .join(' ')
    .replace(/ ?:: ?/g, '::')
    .replace(/ ?(?<!\.)\.(?!\.) ?/g, '.')
    .replace(/ ([,;:)\]>?])/g, '$1')
    .replace(/([([<&]) /g, '$1')
    .replace(/ </g, '<')
    .replace(/::</g, '::<');
}

/** Index just past the bracket group opened at `open` (`(`, `[` or `{`), or the end if it never closes. */
export function skipGroup(tokens: readonly Token[], open: number): number {
  const pairs: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
  const stack: string[] = [];
  for (let k = open; k < tokens.length; k += 1) {
    const t = tokens[k]?.text ?? '';
    const close = pairs[t];
    if (close) stack.push(close);
    else if (t === stack.at(-1)) {
      stack.pop();
      if (stack.length === 0) return k + 1;
    }
  }
  return tokens.length;
}
