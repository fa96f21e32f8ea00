import { isDeepStrictEqual } from 'node:util';
import { AutodevError } from '../../errors.js';
import type { UpdateCandidate } from '../types.js';
import { sectionOf } from './declared.js';

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The index just past the `}` closing the object that opens at `open` (string-aware). */
function objectEnd(text: string, open: number): number {
  let depth = 0;
  let inString = false;
  for (let i = open; i < text.length; i += 1) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth += 1;
    else if (c === '}') {
      depth -= 1;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** The span of a top-level section's object (`"devDependencies": { ... }`), or undefined. */
function sectionSpan(text: string, section: string): { start: number; end: number } | undefined {
  // Only a key at the first level of the document: a nested "dependencies" (a workspace's) is not it.
  const key = new RegExp(`"${section}"\\s*:\\s*\\{`, 'g');
  for (let match = key.exec(text); match !== null; match = key.exec(text)) {
    const open = match.index + match[0].length - 1;
    const before = text.slice(0, match.index);
    if (objectDepth(before) !== 1) continue;
    const end = objectEnd(text, open);
    if (end > 0) return { start: open, end };
  }
  return undefined;
}

function objectDepth(prefix: string): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < prefix.length; i += 1) {
    const c = prefix[i];
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth += 1;
    else if (c === '}' || c === ']') depth -= 1;
  }
  return depth;
}

/**
 * package.json with only the version texts of `updates` changed, in place: key order, indentation
 * and everything else byte for byte as it was. The result is checked by parsing both: any other
 * difference (a name written with escapes, a duplicated key) refuses the edit rather than guess.
 */
export function editNpmManifest(manifest: string, updates: readonly UpdateCandidate[]): string {
  let text = manifest;
  for (const update of updates) {
    if (update.fromRange === update.toRange) continue;
    const section = sectionOf(update.depType);
    const span = sectionSpan(text, section);
    const entry = new RegExp(
      `("${escapeRegExp(update.name)}"\\s*:\\s*)"${escapeRegExp(update.fromRange)}"`,
      'g',
    );
    const inside = span === undefined ? '' : text.slice(span.start, span.end);
    const hits = [...inside.matchAll(entry)];
    if (span === undefined || hits.length !== 1) {
      throw new AutodevError(
        'UPDATE_EDIT_FAILED',
        `package.json: cannot find "${update.name}": "${update.fromRange}" once in ${section}`,
        { details: { file: 'package.json', name: update.name, section } },
      );
    }
    const replaced = inside.replace(entry, (_m, key: string) => `${key}${JSON.stringify(update.toRange)}`);
    text = text.slice(0, span.start) + replaced + text.slice(span.end);
  }
  const expected = JSON.parse(manifest) as Record<string, Record<string, string>>;
  for (const update of updates) {
    const section = expected[sectionOf(update.depType)];
    if (section) section[update.name] = update.toRange;
  }
  if (!isDeepStrictEqual(JSON.parse(text), expected)) {
    throw new AutodevError(
      'UPDATE_EDIT_FAILED',
      'package.json: the version edit changed more than the versions',
    );
  }
  return text;
}
