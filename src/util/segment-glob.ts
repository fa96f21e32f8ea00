/**
 * Glob matching for workspace member patterns, which come from the repository and are hostile.
 * A regex-compiling matcher backtracks exponentially on a pattern like `*a*a*a*a*a*a*b`, so this
 * one matches in O(pattern × name) time: a path segment with `*`, `?`, `[...]` (`!` or `^`
 * negating, ranges), `\` escaping; a path whose `**` segment matches any number of segments.
 */
type Token = { star: true } | { star: false; test: (c: string) => boolean };

export function isGlobSegment(segment: string): boolean {
  return /[*?[]/.test(segment);
}

function classAt(pattern: string, open: number): { test: (c: string) => boolean; end: number } | undefined {
  let i = open + 1;
  const negated = pattern[i] === '!' || pattern[i] === '^';
  if (negated) i += 1;
  const ranges: [string, string][] = [];
  const start = i;
  for (; i < pattern.length; i += 1) {
    const c = pattern[i] ?? '';
    if (c === ']' && i > start) break;
    const to = pattern[i + 2];
    if (pattern[i + 1] === '-' && to !== undefined && to !== ']') {
      ranges.push([c, to]);
      i += 2;
    } else ranges.push([c, c]);
  }
  if (i >= pattern.length) return undefined;
  return { test: (c) => ranges.some(([lo, hi]) => c >= lo && c <= hi) !== negated, end: i };
}

function tokensOf(pattern: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i] ?? '';
    if (c === '*') {
      if (!tokens.at(-1)?.star) tokens.push({ star: true });
    } else if (c === '?') tokens.push({ star: false, test: () => true });
    else if (c === '[' && classAt(pattern, i)) {
      const cls = classAt(pattern, i);
      if (cls) {
        tokens.push({ star: false, test: cls.test });
        i = cls.end;
      }
    } else {
      const literal = c === '\\' && i + 1 < pattern.length ? (pattern[(i += 1)] ?? '') : c;
      tokens.push({ star: false, test: (x) => x === literal });
    }
  }
  return tokens;
}

/** Whether one path segment (a folder name) matches one pattern segment. A wildcard skips dot names. */
export function matchSegment(pattern: string, name: string): boolean {
  const tokens = tokensOf(pattern);
  if (name.startsWith('.') && !pattern.startsWith('.')) return false;
  let p = 0;
  let s = 0;
  let starP = -1;
  let starS = 0;
  while (s < name.length) {
    const token = tokens[p];
    if (token && !token.star && token.test(name[s] ?? '')) {
      p += 1;
      s += 1;
    } else if (token?.star) {
      starP = p;
      p += 1;
      starS = s;
    } else if (starP >= 0) {
      p = starP + 1;
      starS += 1;
      s = starS;
    } else return false;
  }
  while (tokens[p]?.star) p += 1;
  return p === tokens.length;
}

/** Whether the segments of a path match the pattern's segments, `**` standing for any number. */
export function matchPath(pattern: string[], segments: string[]): boolean {
  const memo = new Map<number, boolean>();
  const at = (i: number, j: number): boolean => {
    const key = i * (segments.length + 1) + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let result: boolean;
    if (i === pattern.length) result = j === segments.length;
    else if (pattern[i] === '**') result = at(i + 1, j) || (j < segments.length && at(i, j + 1));
    else
      result = j < segments.length && matchSegment(pattern[i] ?? '', segments[j] ?? '') && at(i + 1, j + 1);
    memo.set(key, result);
    return result;
  };
  return at(0, 0);
}
