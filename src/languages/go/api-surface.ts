import { isNonPublicPath } from '../api-surface/public-paths.js';
import { joinTokens, skipGroup, tokenize, type Token } from '../api-surface/lexer.js';
import type { ApiItem, ApiSurfaceExtractor } from '../api-surface/types.js';

const isExported = (name: string | undefined): boolean => name !== undefined && /^\p{Lu}/u.test(name);

/** Go inserts a semicolon at a line end after these: the line ends the declaration there. */
function endsStatement(t: Token): boolean {
  return t.kind !== 'punct' || [')', ']', '}', '++', '--'].includes(t.text);
}

/**
 * Exported identifiers of one Go file, read by a small lexer (comments and strings skipped) at the
 * top level only: funcs, methods of exported types, types (struct and interface bodies reduced to
 * their exported fields and methods), consts and vars with their declared type.
 *
 * Not seen (documented limits): constant values (a changed value is not a changed signature),
 * types inferred from an initializer (`var X = f()`), and methods of unexported types reachable
 * through an interface.
 */
export function createGoApiSurface(): ApiSurfaceExtractor {
  return {
    language: 'go',
    handles: (file) => file.endsWith('.go') && !file.endsWith('_test.go') && !isNonPublicPath(file),
    extract: (source, file) => Promise.resolve(extractGo(source, file)),
  };
}

export function extractGo(source: string, file: string): ApiItem[] {
  const tokens = tokenize(source, 'go', file);
  const items: ApiItem[] = [];
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]?.text ?? '';
    if (t === 'func') {
      const end = funcHeaderEnd(tokens, i);
      const item = funcItem(tokens.slice(i, end));
      if (item) items.push(item);
      i = tokens[end]?.text === '{' ? skipGroup(tokens, end) : end;
    } else if (t === 'type' || t === 'const' || t === 'var') {
      if (tokens[i + 1]?.text === '(') {
        const groupEnd = skipGroup(tokens, i + 1);
        let k = i + 2;
        while (k < groupEnd - 1) {
          const end = specEnd(tokens, k, groupEnd - 1);
          items.push(...specItems(t, tokens.slice(k, end)));
          k = end;
        }
        i = groupEnd;
      } else {
        const end = specEnd(tokens, i + 1, tokens.length);
        items.push(...specItems(t, tokens.slice(i + 1, end)));
        i = end;
      }
    } else if (t === '{' || t === '(' || t === '[') {
      i = skipGroup(tokens, i);
    } else {
      i += 1;
    }
  }
  return items;
}

/** The `{` of a func body: the first at bracket depth 0 that does not open a `struct{}` or `interface{}` type. */
function funcHeaderEnd(tokens: Token[], start: number): number {
  let k = start + 1;
  while (k < tokens.length) {
    const t = tokens[k]?.text ?? '';
    if (t === '(' || t === '[') k = skipGroup(tokens, k);
    else if (t === 'struct' || t === 'interface')
      k = tokens[k + 1]?.text === '{' ? skipGroup(tokens, k + 1) : k + 1;
    else if (t === '{') return k;
    else if (t === 'func' && k > start) k += 1;
    else if (
      k + 1 < tokens.length &&
      (tokens[k + 1]?.line ?? 0) > (tokens[k]?.line ?? 0) &&
      endsStatement(tokens[k] as Token)
    )
      return k + 1;
    else k += 1;
  }
  return tokens.length;
}

function funcItem(header: Token[]): ApiItem | undefined {
  let k = 1;
  let receiverType: string | undefined;
  if (header[1]?.text === '(') {
    const end = skipGroup(header, 1);
    // `(c *Client[T])` or `(Client)`: the receiver's type is its last plain identifier before any `[`.
    const inner = header.slice(2, end - 1);
    const bracket = inner.findIndex((t) => t.text === '[');
    const idents = (bracket === -1 ? inner : inner.slice(0, bracket)).filter((t) => t.kind === 'ident');
    receiverType = idents.at(-1)?.text;
    k = end;
  }
  const name = header[k]?.text;
  if (!isExported(name) || (receiverType !== undefined && !isExported(receiverType))) return undefined;
  // The receiver's variable name is not part of the signature.
  const signature =
    receiverType !== undefined ? `func (${receiverType}) ${joinTokens(header.slice(k))}` : joinTokens(header);
  return {
    name: receiverType ? `${receiverType}.${name}` : (name ?? ''),
    kind: receiverType ? 'method' : 'func',
    signature,
  };
}

/** One spec of a type/const/var declaration ends at a line end outside brackets (Go's semicolon rule). */
function specEnd(tokens: Token[], start: number, limit: number): number {
  let k = start;
  while (k < limit) {
    const t = tokens[k] as Token;
    if (t.text === ';') return k + 1;
    if (t.text === '(' || t.text === '[' || t.text === '{') {
      k = skipGroup(tokens, k);
      const last = tokens[k - 1];
      if (k >= limit || !last || (tokens[k]?.line ?? 0) > last.line) return k;
      continue;
    }
    if (k + 1 >= limit || ((tokens[k + 1]?.line ?? 0) > t.line && endsStatement(t))) return k + 1;
    k += 1;
  }
  return limit;
}

function specItems(keyword: string, spec: Token[]): ApiItem[] {
  if (spec.length === 0) return [];
  if (keyword === 'type') {
    const name = spec[0]?.text;
    if (!isExported(name)) return [];
    return [{ name: name ?? '', kind: 'type', signature: `type ${joinTokens(exportedMembersOnly(spec))}` }];
  }
  // `A, B int = 1, 2`: the names, then the type up to `=`.
  const names: string[] = [];
  let k = 0;
  while (spec[k]?.kind === 'ident') {
    names.push(spec[k]?.text ?? '');
    if (spec[k + 1]?.text !== ',') break;
    k += 2;
  }
  const eq = spec.findIndex((t) => t.text === '=');
  const type = joinTokens(spec.slice(k + 1, eq === -1 ? spec.length : eq));
  return names
    .filter(isExported)
    .map((name) => ({ name, kind: keyword, signature: `${keyword} ${name}${type ? ` ${type}` : ''}` }));
}

/** A struct's or interface's unexported fields and methods are not API: their lines are dropped. */
function exportedMembersOnly(spec: Token[]): Token[] {
  const open = spec.findIndex(
    (t, idx) => t.text === '{' && ['struct', 'interface'].includes(spec[idx - 1]?.text ?? ''),
  );
  if (open === -1) return spec;
  const close = skipGroup(spec, open) - 1;
  const kept: Token[] = [];
  let lineTokens: Token[] = [];
  const flush = () => {
    const first = lineTokens[0];
    const embeddedPointer = first?.text === '*' ? lineTokens[1] : first;
    if (first && (isExported(embeddedPointer?.text) || embeddedPointer?.kind !== 'ident'))
      kept.push(...lineTokens, { ...first, text: ';' });
    lineTokens = [];
  };
  for (let k = open + 1; k < close; k += 1) {
    const t = spec[k] as Token;
    if (
      lineTokens.length > 0 &&
      t.line > (lineTokens.at(-1)?.line ?? 0) &&
      endsStatement(lineTokens.at(-1) as Token)
    )
      flush();
    if (t.text === ';') flush();
    else if (t.text === '{' || t.text === '(' || t.text === '[') {
      const end = skipGroup(spec, k);
      lineTokens.push(...spec.slice(k, end));
      k = end - 1;
    } else lineTokens.push(t);
  }
  flush();
  return [...spec.slice(0, open + 1), ...kept, ...spec.slice(close)];
}
