import { notesKey } from '../release-notes/render.js';
import { redactPatterns, withoutControls } from '../release-notes/sanitize.js';
import type { UpdateCandidate } from '../types.js';
import type { DependencyApiDiff } from './diff.js';

/** One package's API diff in a pull request body, and all packages' together (untrusted text). */
export const MAX_API_DIFF_PER_PACKAGE = 4 * 1024;
export const MAX_API_DIFF_TOTAL = 12 * 1024;
/** A signature longer than this is cut: the line is for reading, not for the compiler. */
const MAX_LINE = 300;

/** A signature on one line, without control or bidi characters, credentials redacted. */
function line(sign: string, file: string, text: string): string {
  const flat = withoutControls(redactPatterns(`${file}: ${text}`)).replace(/\s+/g, ' ');
  return `${sign} ${flat.length > MAX_LINE ? `${flat.slice(0, MAX_LINE)}…` : flat}`;
}

/** The diff's lines: removed and changed exports first (what breaks callers), then added ones. */
function diffLines(diff: DependencyApiDiff): string[] {
  return [
    ...diff.removed.map((c) => line('-', c.file, c.before)),
    ...diff.changed.flatMap((c) => [line('-', c.file, c.before), line('+', c.file, c.after ?? '')]),
    ...diff.added.map((c) => line('+', c.file, c.before)),
  ];
}

/** Lines up to `max` characters, saying how many were left out. */
function bounded(lines: readonly string[], max: number): string[] {
  const out: string[] = [];
  let size = 0;
  for (const [i, text] of lines.entries()) {
    if (size + text.length + 1 > max) {
      out.push(`… ${String(lines.length - i)} more line(s) left out`);
      break;
    }
    out.push(text);
    size += text.length + 1;
  }
  return out;
}

/**
 * A fenced block no line of the content can close: the fence is longer than any run of backticks
 * in it. Inside it nothing renders: no HTML, link, image or mention.
 */
function fenced(lines: readonly string[]): string {
  const longest = Math.max(
    0,
    ...lines.map((l) => Math.max(0, ...(l.match(/`+/g) ?? []).map((r) => r.length))),
  );
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}diff`, ...lines, fence].join('\n');
}

/**
 * The public-API part of an update's description: per package the exports removed, changed and
 * added between the two published versions, as read from their sources; nothing when no package's
 * API was compared (an ecosystem without a reader, or archives without sources).
 */
export function apiDiffSection(
  updates: readonly UpdateCandidate[],
  diffs: ReadonlyMap<string, DependencyApiDiff>,
): string | undefined {
  if (!updates.some((u) => diffs.has(notesKey(u)))) return undefined;
  const parts = ['### Public API changes', ''];
  let total = 0;
  for (const u of updates) {
    const title = `\`${u.name.replace(/[`\r\n]/g, ' ').slice(0, 120)}\` ${u.from} → ${u.to}`;
    const diff = diffs.get(notesKey(u));
    if (diff === undefined) {
      parts.push(`${title}: public API not compared`, '');
      continue;
    }
    const lines = diffLines(diff);
    // File names are the publisher's: only their count is shown outside the fenced block.
    const unread = diff.unread.length === 0 ? '' : ` (${String(diff.unread.length)} file(s) not read)`;
    if (lines.length === 0) {
      parts.push(`${title}: no export removed, changed or added${unread}`, '');
      continue;
    }
    // Less room than one cut line: the package gets a line saying so, not an empty block.
    if (MAX_API_DIFF_TOTAL - total < MAX_LINE + 16) {
      parts.push(
        `${title}: public API diff left out (${String(MAX_API_DIFF_TOTAL / 1024)} KiB shown already)`,
        '',
      );
      continue;
    }
    const shown = bounded(lines, Math.min(MAX_API_DIFF_PER_PACKAGE, MAX_API_DIFF_TOTAL - total));
    total += shown.reduce((n, l) => n + l.length + 1, 0);
    parts.push(
      `${title}, exports removed (-), changed (- old, + new) and added (+), from the published sources${unread}:`,
      '',
      fenced(shown),
      '',
    );
  }
  return parts.join('\n').trimEnd();
}
