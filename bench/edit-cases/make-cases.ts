/**
 * Edit cases from one source file: a model's reply (SEARCH/REPLACE or unified diff) with the flaw of
 * its kind, and what a correct applier does with it: apply it (giving `expected`) or refuse it.
 */
import { randomInt, type Random } from './random.js';

export const EDIT_CASE_KINDS = [
  'exact',
  'indentation_drift',
  'indentation_kind',
  'trailing_whitespace',
  'blank_line_whitespace',
  'stale_hunk_header',
  'missing_context',
  'ambiguous',
  'non_matching',
  'already_applied',
] as const;
export type EditCaseKind = (typeof EDIT_CASE_KINDS)[number];

export interface EditCase {
  id: string;
  kind: EditCaseKind;
  format: 'search_replace' | 'unified_diff';
  language: string;
  path: string;
  /** The file before the edit. */
  before: string;
  /** The model's reply. */
  reply: string;
  /** The file after a correct application; undefined when the edit must be refused. */
  expected: string | undefined;
}

export interface CaseSource {
  language: string;
  path: string;
  content: string;
}

const CONTEXT = 3;
/** Lines a reply's syntax could mistake for its own: fences and SEARCH/REPLACE markers. */
const UNSAFE_LINE = /^(```|~~~|<{5,9} |={5,9}\s*$|>{5,9} )/;

/** Every kind's cases that this file allows (a kind the file cannot express is left out). */
export function makeCases(source: CaseSource, random: Random, idPrefix: string): EditCase[] {
  const lines = source.content.slice(0, -1).split('\n');
  const comment = source.language === 'python' ? '#' : '//';
  const cases: EditCase[] = [];
  const add = (
    kind: EditCaseKind,
    format: EditCase['format'],
    reply: string | undefined,
    expected: string | undefined,
    before = source.content,
    variant = '',
  ) => {
    if (reply === undefined) return;
    cases.push({
      id: `${idPrefix}.${kind}.${format === 'search_replace' ? 'sr' : 'diff'}${variant}`,
      kind,
      format,
      language: source.language,
      path: source.path,
      before,
      reply,
      expected,
    });
  };

  const region = pickRegion(lines, random, (r) => r.lines.some((l) => /^\s+\S/.test(l)));
  if (region === undefined) return cases;
  const edited = editLines(region.lines, random, comment, idPrefix);
  const after = joinFile([...lines.slice(0, region.start), ...edited, ...lines.slice(region.end)]);
  const diff = (options: DiffOptions = {}) => unifiedDiff(source.path, lines, region, edited, options);

  add('exact', 'search_replace', searchReplace(source.path, region.lines, edited), after);
  add('exact', 'unified_diff', diff(), after);

  // The model lost (or added) indentation: the whole block shifted, the file's indentation stands.
  const indent = commonIndent(region.lines);
  if (indent.length > 0) {
    const strip = (block: string[]) => block.map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l));
    add(
      'indentation_drift',
      'search_replace',
      searchReplace(source.path, strip(region.lines), strip(edited)),
      after,
    );
  }
  const deeper = (block: string[]) => block.map((l) => (l.trim() === '' ? l : `    ${l}`));
  add('indentation_drift', 'unified_diff', diff({ transform: deeper }), after);

  // The model swapped the file's kind of indentation: tabs written as spaces, or spaces as tabs.
  const swap = indentKindSwap(lines);
  if (swap !== undefined) {
    const swapAll = (block: string[]) => block.map(swap);
    add(
      'indentation_kind',
      'search_replace',
      searchReplace(source.path, swapAll(region.lines), swapAll(edited)),
      after,
    );
    add('indentation_kind', 'unified_diff', diff({ transform: swapAll }), after);
  }

  const trailing = (block: string[]) => block.map((l, i) => (i % 2 === 0 && l.trim() !== '' ? `${l}  ` : l));
  add(
    'trailing_whitespace',
    'search_replace',
    searchReplace(source.path, trailing(region.lines), edited),
    after,
  );
  add('trailing_whitespace', 'unified_diff', diff({ transform: trailing, transformAdded: false }), after);

  // Blank lines: the file's hold the indentation an editor left there; the model's are empty.
  const blank = pickRegion(
    lines,
    random,
    (r) => r.lines.some((l) => l === '') && r.lines.some((l) => /^\s+\S/.test(l)),
  );
  if (blank !== undefined) {
    const padded = lines.map((l, i) =>
      l === '' && i >= blank.start && i < blank.end ? indentNear(lines, i) : l,
    );
    const paddedRegion = { ...blank, lines: padded.slice(blank.start, blank.end) };
    const editedPadded = editLines(paddedRegion.lines, random, comment, idPrefix);
    const editedByModel = editedPadded.map((l) => (l.trim() === '' ? '' : l));
    const beforePadded = joinFile(padded);
    const afterPadded = joinFile([
      ...padded.slice(0, blank.start),
      ...editedPadded,
      ...padded.slice(blank.end),
    ]);
    const strippedSearch = paddedRegion.lines.map((l) => (l.trim() === '' ? '' : l));
    add(
      'blank_line_whitespace',
      'search_replace',
      searchReplace(source.path, strippedSearch, editedByModel),
      afterPadded,
      beforePadded,
    );
    // The classic diff slip: a blank context line sent as an empty line, without its leading space.
    const blankEdited = editLines(blank.lines, random, comment, idPrefix);
    const blankAfter = joinFile([...lines.slice(0, blank.start), ...blankEdited, ...lines.slice(blank.end)]);
    add(
      'blank_line_whitespace',
      'unified_diff',
      unifiedDiff(source.path, lines, blank, blankEdited, { emptyBlankContext: true }),
      blankAfter,
    );
  }

  const offset = randomInt(random, 3, 25) * (random() < 0.5 ? -1 : 1);
  add('stale_hunk_header', 'unified_diff', diff({ lineOffset: offset }), after);
  add(
    'stale_hunk_header',
    'unified_diff',
    diff({ countDelta: random() < 0.5 ? -1 : 1 }),
    after,
    source.content,
    '-count',
  );

  if (region.lines.some((l) => l.trim() !== '') && occurrences(lines, region.lines) === 1) {
    add('missing_context', 'unified_diff', diff({ context: 0 }), after);
    add('missing_context', 'unified_diff', diff({ bareHeader: true }), after, source.content, '-bare');
  }

  const twice = duplicatedLine(lines, random);
  if (twice !== undefined) {
    const changed = `${twice}${comment === '#' ? '  # changed' : '  // changed'}`;
    add('ambiguous', 'search_replace', searchReplace(source.path, [twice], [changed]), undefined);
    add('ambiguous', 'unified_diff', bareHunk(source.path, [`-${twice}`, `+${changed}`]), undefined);
  }

  const wrong = mismatched(region.lines, lines);
  if (wrong !== undefined) {
    add('non_matching', 'search_replace', searchReplace(source.path, wrong, edited), undefined);
    add(
      'non_matching',
      'unified_diff',
      unifiedDiff(source.path, lines, { ...region, lines: wrong }, edited, {}),
      undefined,
    );
  }

  add(
    'already_applied',
    'search_replace',
    searchReplace(source.path, region.lines, edited),
    undefined,
    after,
  );
  add('already_applied', 'unified_diff', diff(), undefined, after);
  return cases;
}

interface Region {
  start: number;
  end: number;
  lines: string[];
}

/** A window of 3 to 6 lines, away from the file's ends, unique in the file even ignoring whitespace. */
function pickRegion(
  lines: string[],
  random: Random,
  accept: (region: Region) => boolean,
): Region | undefined {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const size = randomInt(random, 3, 6);
    const start = randomInt(random, CONTEXT + 1, Math.max(CONTEXT + 1, lines.length - size - CONTEXT - 2));
    const region = { start, end: start + size, lines: lines.slice(start, start + size) };
    if (region.end + CONTEXT >= lines.length) continue;
    if (
      region.lines.length !== size ||
      lines.slice(start - CONTEXT, region.end + CONTEXT).some((l) => UNSAFE_LINE.test(l))
    )
      continue;
    if (region.lines[0]?.trim() === '' || region.lines.at(-1)?.trim() === '') continue;
    if (occurrences(lines, region.lines, (l) => l.trim()) !== 1) continue;
    if (accept(region)) return region;
  }
  return undefined;
}

/** The model's change: one line gets a trailing comment, and a new line follows it. */
function editLines(block: string[], random: Random, comment: string, id: string): string[] {
  const candidates = block.map((l, i) => (l.trim() !== '' ? i : -1)).filter((i) => i >= 0);
  const at = candidates[Math.floor(random() * candidates.length)] ?? 0;
  const target = block[at] ?? '';
  const indent = /^\s*/.exec(target)?.[0] ?? '';
  return [
    ...block.slice(0, at),
    `${target} ${comment} edited`,
    `${indent}${comment} added by ${id}`,
    ...block.slice(at + 1),
  ];
}

function searchReplace(path: string, search: string[], replace: string[]): string {
  return [`${path}`, '<<<<<<< SEARCH', ...search, '=======', ...replace, '>>>>>>> REPLACE', ''].join('\n');
}

interface DiffOptions {
  context?: number;
  lineOffset?: number;
  countDelta?: number;
  bareHeader?: boolean;
  emptyBlankContext?: boolean;
  /** Applied to context and removed lines (and added ones unless transformAdded is false). */
  transform?: (block: string[]) => string[];
  transformAdded?: boolean;
}

function unifiedDiff(
  path: string,
  lines: string[],
  region: Region,
  edited: string[],
  options: DiffOptions,
): string {
  const context = options.context ?? CONTEXT;
  const t = options.transform ?? ((b: string[]) => b);
  const before = t(lines.slice(region.start - context, region.start));
  const after = t(lines.slice(region.end, region.end + context));
  const removed = t(region.lines);
  const added = options.transformAdded === false ? edited : t(edited);
  const ctx = (l: string) => (options.emptyBlankContext && l === '' ? '' : ` ${l}`);
  const oldStart = region.start - context + 1 + (options.lineOffset ?? 0);
  const oldCount = before.length + removed.length + after.length + (options.countDelta ?? 0);
  const newCount = before.length + added.length + after.length + (options.countDelta ?? 0);
  const header = options.bareHeader
    ? '@@ @@'
    : `@@ -${Math.max(1, oldStart)},${oldCount} +${Math.max(1, oldStart)},${newCount} @@`;
  const body = [
    ...before.map(ctx),
    ...removed.map((l) => `-${l}`),
    ...added.map((l) => `+${l}`),
    ...after.map(ctx),
  ];
  return ['```diff', `--- a/${path}`, `+++ b/${path}`, header, ...body, '```', ''].join('\n');
}

function bareHunk(path: string, body: string[]): string {
  return ['```diff', `--- a/${path}`, `+++ b/${path}`, '@@ @@', ...body, '```', ''].join('\n');
}

function occurrences(lines: string[], block: string[], normalize: (l: string) => string = (l) => l): number {
  const wanted = block.map(normalize);
  let count = 0;
  for (let start = 0; start + wanted.length <= lines.length; start += 1) {
    if (wanted.every((l, i) => normalize(lines[start + i] ?? '') === l)) count += 1;
  }
  return count;
}

/** A line of some substance that the file holds at least twice. */
function duplicatedLine(lines: string[], random: Random): string | undefined {
  const seen = new Map<string, number>();
  for (const line of lines)
    if (line.trim().length >= 8 && !UNSAFE_LINE.test(line)) seen.set(line, (seen.get(line) ?? 0) + 1);
  const dups = [...seen].filter(([, count]) => count >= 2).map(([line]) => line);
  return dups[Math.floor(random() * dups.length)];
}

/** The block with one word of its longest line changed, so it matches nowhere in the file. */
function mismatched(block: string[], lines: string[]): string[] | undefined {
  const longest = block.reduce((best, l, i) => (l.length > (block[best]?.length ?? 0) ? i : best), 0);
  const line = block[longest] ?? '';
  const word = /[A-Za-z_]{3,}/.exec(line);
  if (word === null) return undefined;
  const changed = [...block];
  changed[longest] = `${line.slice(0, word.index)}zzq${word[0]}${line.slice(word.index + word[0].length)}`;
  return occurrences(lines, changed, (l) => l.trim()) === 0 ? changed : undefined;
}

function commonIndent(block: string[]): string {
  const indents = block.filter((l) => l.trim() !== '').map((l) => /^\s*/.exec(l)?.[0] ?? '');
  if (indents.length === 0) return '';
  return indents.reduce((a, b) => {
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i += 1;
    return a.slice(0, i);
  });
}

/**
 * Leading tabs as four spaces each in a file indented with tabs; in one indented with spaces, each
 * unit of its indentation (its smallest) as a tab. Undefined for a file with no indentation.
 */
function indentKindSwap(lines: string[]): ((line: string) => string) | undefined {
  if (lines.some((l) => l.startsWith('\t'))) {
    return (l) => {
      const tabs = /^\t*/.exec(l)?.[0].length ?? 0;
      return `${'    '.repeat(tabs)}${l.slice(tabs)}`;
    };
  }
  const widths = lines.filter((l) => /^ +\S/.test(l)).map((l) => /^ */.exec(l)?.[0].length ?? 0);
  if (widths.length === 0) return undefined;
  const unit = Math.min(...widths);
  return (l) => {
    const spaces = /^ */.exec(l)?.[0].length ?? 0;
    if (l.trim() === '') return l;
    return `${'\t'.repeat(Math.floor(spaces / unit))}${' '.repeat(spaces % unit)}${l.slice(spaces)}`;
  };
}

/** The indentation of the next non-blank line: what an editor leaves on a blank line inside a block. */
function indentNear(lines: string[], index: number): string {
  for (let i = index + 1; i < lines.length; i += 1) {
    const l = lines[i] ?? '';
    if (l.trim() !== '') return /^\s*/.exec(l)?.[0] || '    ';
  }
  return '    ';
}

function joinFile(lines: string[]): string {
  return `${lines.join('\n')}\n`;
}
