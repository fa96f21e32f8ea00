import type { Hunk } from './diff-hunks.js';
import { fromLineTable, spliceLines, toLineTable, type ReplacementLine } from './line-table.js';
import { closestText, findMatches, indentShift, MATCH_LEVELS } from './locate-block.js';

export type HunksOutcome =
  { kind: 'applied'; content: string } | { kind: 'already_applied' } | { kind: 'failed'; message: string };

/**
 * Applies a file's hunks to its content in memory. Each hunk's old lines (context and removed) are
 * found as a block, whitespace-tolerant; its line number only chooses among several exact places.
 * Context lines keep the file's text; added lines take the file's indentation. A hunk whose new lines
 * are there and old lines are not was applied before.
 */
export function applyHunks(content: string, hunks: Hunk[], where: string): HunksOutcome {
  // The final newline is held apart, so that no hunk matches the empty "line" after it.
  const finalEnd = /\r?\n$/.exec(content)?.[0] ?? '';
  const table = toLineTable(content.slice(0, content.length - finalEnd.length));
  table.eol = content.includes('\r\n') ? '\r\n' : '\n';
  const lines = table.texts;
  let applied = 0;
  let already = 0;
  // Line numbers in later hunks are of the original file: shift them by what earlier hunks added.
  let shift = 0;
  for (const [index, hunk] of hunks.entries()) {
    const oldBlock = hunk.lines.filter((l) => l.op !== '+').map((l) => l.text);
    const newBlock = hunk.lines.filter((l) => l.op !== '-').map((l) => l.text);
    const label = `${where}, hunk #${index + 1} (${hunk.header})`;
    if (oldBlock.every((l) => l.trim() === '')) {
      return { kind: 'failed', message: `${label}: it has no context or removed lines to place it by` };
    }
    const place = locate(
      lines,
      oldBlock,
      hunk.oldStart === undefined ? undefined : hunk.oldStart - 1 + shift,
    );
    if (place.kind === 'ambiguous') {
      return {
        kind: 'failed',
        message: `${label}: its lines match ${place.starts.length} places (lines ${place.starts.map((s) => s + 1).join(', ')}) and the header gives no line number to choose; include more context`,
      };
    }
    if (place.kind === 'missing') {
      if (locate(lines, newBlock, undefined).kind === 'found') {
        already += 1;
        continue;
      }
      return {
        kind: 'failed',
        message: `${label}: its context and removed lines are not in the file. Closest text in the file:\n${closestText(lines, oldBlock)}`,
      };
    }
    const matched = lines.slice(place.start, place.start + oldBlock.length);
    const shiftIndent = place.reindent ? indentShift(oldBlock, matched) : (line: string) => line;
    // Context lines are the file's own, terminator included; added lines are the model's.
    const replacement: ReplacementLine[] = [];
    let cursor = 0;
    for (const line of hunk.lines) {
      if (line.op === '+') replacement.push({ text: shiftIndent(line.text) });
      else {
        if (line.op === ' ') replacement.push({ keep: cursor });
        cursor += 1;
      }
    }
    spliceLines(table, place.start, oldBlock.length, replacement);
    shift += replacement.length - oldBlock.length;
    applied += 1;
  }
  if (applied === 0 && already > 0) return { kind: 'already_applied' };
  if (already > 0) {
    return {
      kind: 'failed',
      message: `${where}: ${already} of its hunks are already in the file and the others are not`,
    };
  }
  return { kind: 'applied', content: `${fromLineTable(table)}${finalEnd}` };
}

type Placement =
  | { kind: 'found'; start: number; reindent: boolean }
  | { kind: 'ambiguous'; starts: number[] }
  | { kind: 'missing' };

/**
 * The block's place at the strictest level that finds it. Several places: the one at the hinted line
 * when there is a hint and the block is there exactly (git's own rule, within its offset search);
 * otherwise ambiguous, since guessing would apply the edit in the wrong place.
 */
function locate(lines: string[], block: string[], hint: number | undefined): Placement {
  for (const level of MATCH_LEVELS) {
    const starts = findMatches(lines, block, level.normalize);
    if (starts.length === 1) return { kind: 'found', start: starts[0] ?? 0, reindent: level.reindent };
    if (starts.length > 1) {
      if (hint !== undefined) {
        const nearest = [...starts].sort((a, b) => Math.abs(a - hint) - Math.abs(b - hint));
        const [first, second] = nearest;
        if (first !== undefined && (second === undefined || Math.abs(first - hint) < Math.abs(second - hint)))
          return { kind: 'found', start: first, reindent: level.reindent };
      }
      return { kind: 'ambiguous', starts };
    }
  }
  return { kind: 'missing' };
}
