/**
 * Finding a block of lines a model wrote in a file that may differ from it in whitespace only: exact
 * first, then ignoring line ends, then ignoring indentation (the replacement re-indented to match).
 * Shared by SEARCH/REPLACE blocks and diff hunks.
 */

export interface MatchLevel {
  name: 'exact' | 'line ends' | 'indentation';
  normalize: (line: string) => string;
  reindent: boolean;
}

export const MATCH_LEVELS: readonly MatchLevel[] = [
  { name: 'exact', normalize: (line) => line, reindent: false },
  { name: 'line ends', normalize: (line) => line.trimEnd(), reindent: false },
  { name: 'indentation', normalize: (line) => line.trim(), reindent: true },
];

/** Start indexes of every place `block` occurs in `fileLines` under `normalize`. */
export function findMatches(
  fileLines: readonly string[],
  block: readonly string[],
  normalize: (line: string) => string,
): number[] {
  const wanted = block.map(normalize);
  const starts: number[] = [];
  for (let start = 0; start + wanted.length <= fileLines.length; start += 1) {
    if (wanted.every((line, offset) => normalize(fileLines[start + offset] ?? '') === line))
      starts.push(start);
  }
  return starts;
}

/** The indentation the file has where the model wrote `written` lines that matched `matched`. */
export function indentShift(
  written: readonly string[],
  matched: readonly string[],
): (line: string) => string {
  const first = written.findIndex((line) => line.trim() !== '');
  const wrote = indentOf(written[first] ?? '');
  const actual = indentOf(matched[first] ?? '');
  if (wrote === actual) return otherKindBelow(written, matched) ?? ((line) => line);
  if (actual.startsWith(wrote)) {
    const extra = actual.slice(wrote.length);
    return (line) => (line.trim() === '' ? line : `${extra}${line}`);
  }
  if (wrote.startsWith(actual)) {
    const surplus = wrote.slice(actual.length);
    return (line) => (line.startsWith(surplus) ? line.slice(surplus.length) : line);
  }
  // Spaces put before tab indentation (or the reverse): the drift is a prefix the file does not have.
  if (wrote.endsWith(actual)) {
    const surplus = wrote.slice(0, wrote.length - actual.length);
    return (line) => (line.startsWith(surplus) ? line.slice(surplus.length) : line);
  }
  if (actual.endsWith(wrote)) {
    const missing = actual.slice(0, actual.length - wrote.length);
    return (line) => (line.trim() === '' ? line : `${missing}${line}`);
  }
  const otherKind = convertIndentKind(wrote, actual);
  if (otherKind !== undefined) return otherKind;
  // Unrelated indentation: the written indentation of the first line is swapped for the file's on
  // every line that has it, deeper lines keeping the rest.
  return (line) => (wrote !== '' && line.startsWith(wrote) ? `${actual}${line.slice(wrote.length)}` : line);
}

/**
 * A first line indented alike (often not at all) says nothing of the kind of indentation: the first
 * line below it indented differently does, when the model swapped tabs and spaces.
 */
function otherKindBelow(
  written: readonly string[],
  matched: readonly string[],
): ((line: string) => string) | undefined {
  for (const [i, line] of written.entries()) {
    if (line.trim() === '') continue;
    const wrote = indentOf(line);
    const actual = indentOf(matched[i] ?? '');
    if (wrote !== actual) return convertIndentKind(wrote, actual);
  }
  return undefined;
}

/**
 * Spaces written where the file indents with tabs, or tabs where it has spaces: each written level
 * (the tab width the two indentations imply) becomes one of the file's, so a deeper line stays deeper
 * in the file's kind of indentation; spaces aligning after tabs stay. Undefined when it is not that.
 */
function convertIndentKind(wrote: string, actual: string): ((line: string) => string) | undefined {
  const fileTabs = tabWidth(actual, wrote);
  if (fileTabs !== undefined) {
    return (line) => {
      const spaces = /^ */.exec(line)?.[0].length ?? 0;
      if (line.trim() === '') return line;
      return `${'\t'.repeat(Math.floor(spaces / fileTabs))}${' '.repeat(spaces % fileTabs)}${line.slice(spaces)}`;
    };
  }
  const modelTabs = tabWidth(wrote, actual);
  if (modelTabs !== undefined) {
    return (line) => {
      const tabs = /^\t*/.exec(line)?.[0].length ?? 0;
      if (line.trim() === '') return line;
      return `${' '.repeat(tabs * modelTabs)}${line.slice(tabs)}`;
    };
  }
  return undefined;
}

/** The tab width that makes `tabbed` (tabs, then fewer spaces than a tab) as wide as `spaced`, if any. */
function tabWidth(tabbed: string, spaced: string): number | undefined {
  const parts = /^(\t+)( *)$/.exec(tabbed);
  if (parts === null || !/^ +$/.test(spaced)) return undefined;
  const tabs = parts[1]?.length ?? 0;
  const rest = parts[2]?.length ?? 0;
  const width = (spaced.length - rest) / tabs;
  return Number.isInteger(width) && width > rest ? width : undefined;
}

function indentOf(line: string): string {
  return /^\s*/.exec(line)?.[0] ?? '';
}

/** Past this many line comparisons the closest-text search samples window starts instead of trying all. */
const MAX_COMPARISONS = 2_000_000;

/**
 * The lines of the file most like `block` (most lines equal but for whitespace), numbered, with one
 * line around them: what the model is shown when its block matched nowhere, to copy from.
 */
export function closestText(fileLines: readonly string[], block: readonly string[]): string {
  const wanted = block.map((line) => line.trim());
  if (fileLines.length === 0 || wanted.every((line) => line === '')) return '(the file is empty)';
  // Windows may run over either end of the file: a block whose first or last lines the file does not
  // have (a line the model imagined before the first or after the last) still finds the lines it has.
  const first = 1 - wanted.length;
  const windows = fileLines.length + wanted.length - 1;
  const step = Math.max(1, Math.ceil((windows * wanted.length) / MAX_COMPARISONS));
  let best = 0;
  let bestScore = -1;
  for (let start = first; start < fileLines.length; start += step) {
    let score = 0;
    for (let i = 0; i < wanted.length; i += 1) {
      if (wanted[i] !== '' && (fileLines[start + i] ?? '').trim() === wanted[i]) score += 1;
    }
    if (score > bestScore) {
      best = start;
      bestScore = score;
    }
  }
  if (bestScore <= 0) return '(no line of it is in the file)';
  const from = Math.max(0, best - 1);
  const to = Math.min(fileLines.length, best + wanted.length + 1);
  return fileLines
    .slice(from, to)
    .map((line, i) => `${String(from + i + 1).padStart(5)} | ${line}`)
    .join('\n');
}
