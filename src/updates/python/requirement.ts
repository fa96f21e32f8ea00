import { explain } from '@renovatebot/pep440';
import { normalizePythonName } from '../../languages/python/pep508.js';

/** One PEP 508 requirement's version specifier, with where it stands in the text it was read from. */
export interface RequirementSpec {
  /** PEP 503 normalised name. */
  name: string;
  /** The specifier as written (`==1.0.0`, `>= 1.2, <2`): the only text an update changes. */
  spec: string;
  /** Offsets of `spec` in the text given to parseRequirementSpec. */
  start: number;
  end: number;
}

const isNameChar = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z0-9._-]$/.test(c);
const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t';

/**
 * `name [extras] specifier ; marker` read by hand (no backtracking): undefined for a requirement
 * that has no version specifier to change (a URL, a path, `name @ url`, and a bare name unless
 * `bare`: then its spec is empty, placed just after the name and extras).
 */
export function parseRequirementSpec(text: string, bare = false): RequirementSpec | undefined {
  let i = 0;
  while (isSpace(text[i])) i += 1;
  const nameStart = i;
  while (isNameChar(text[i])) i += 1;
  if (i === nameStart || !/^[A-Za-z0-9]$/.test(text[nameStart] ?? '')) return undefined;
  const name = normalizePythonName(text.slice(nameStart, i));
  while (isSpace(text[i])) i += 1;
  if (text[i] === '[') {
    const close = text.indexOf(']', i);
    if (close < 0) return undefined;
    i = close + 1;
    while (isSpace(text[i])) i += 1;
  }
  const start = i;
  if (bare && (i === text.length || text[i] === ';')) return { name, spec: '', start, end: start };
  if (!'<>=!~'.includes(text[start] ?? 'x')) return undefined;
  const semicolon = text.indexOf(';', start);
  let end = semicolon < 0 ? text.length : semicolon;
  while (end > start && isSpace(text[end - 1])) end -= 1;
  const spec = text.slice(start, end);
  if (/[@/\\'"#]/.test(spec)) return undefined;
  return { name, spec, start, end };
}

/**
 * The version in use when nothing locks it: the specifier's floor (`==`, `===`, `>=`, `~=`), or
 * undefined when it has none (`<2`, a wildcard `==1.*`).
 */
export function floorVersion(spec: string): string | undefined {
  for (const clause of spec.split(',')) {
    const floor = /^\s*(===|==|>=|~=)\s*([^\s*]+)\s*$/.exec(clause);
    if (floor?.[2] !== undefined && explain(floor[2]) !== null) return floor[2];
  }
  return undefined;
}
