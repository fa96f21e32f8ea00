import { AutodevError } from '../../errors.js';
import type { Edit, SearchReplaceEdit, UnifiedDiffEdit } from '../types.js';

/**
 * Finds the edits in a model's reply, so models without tool calling can still change code:
 * unified diffs in ```diff / ```patch fences (or a reply that is nothing but a diff), and aider-style
 * SEARCH/REPLACE blocks preceded by the file's path. Edits come back in the order they appear.
 */
export function parseEdits(reply: string): Edit[] {
  const lines = reply.replace(/\r\n/g, '\n').split('\n');
  const found: { at: number; edit: Edit }[] = [];
  const consumed = new Set<number>();

  for (const fence of findFences(lines)) {
    const body = lines.slice(fence.start + 1, fence.end);
    if (body.some((line) => SEARCH.test(line))) continue; // left to the SEARCH/REPLACE pass
    const declared = /^(diff|patch|udiff)$/i.test(fence.info);
    if (!declared && !looksLikeDiff(body)) continue;
    found.push({
      at: fence.start,
      edit: toUnifiedDiffEdit(body.join('\n'), `at line ${fence.start + 2} of the reply`),
    });
    for (let i = fence.start; i <= fence.end; i += 1) consumed.add(i);
  }

  found.push(...parseSearchReplace(lines, consumed));

  if (found.length === 0 && looksLikeDiff(lines.slice(firstNonBlank(lines)))) {
    found.push({ at: 0, edit: toUnifiedDiffEdit(reply.trim()) });
  }
  if (found.length === 0) {
    throw new AutodevError(
      'NO_EDIT_FOUND',
      'The reply holds no edit. Answer with a unified diff in a ```diff fence (with --- a/path and +++ b/path ' +
        'headers and @@ hunks), or with SEARCH/REPLACE blocks: the file path on its own line, then ' +
        '<<<<<<< SEARCH, the exact existing lines, =======, the new lines, >>>>>>> REPLACE.',
    );
  }
  return found.sort((a, b) => a.at - b.at).map(({ edit }) => edit);
}

const SEARCH = /^<{5,9} SEARCH\s*$/;
const DIVIDER = /^={5,9}\s*$/;
const REPLACE = /^>{5,9} REPLACE\s*$/;
const FENCE = /^(`{3,}|~{3,})\s*([^`\s]*)[^`]*$/;

interface Fence {
  start: number;
  end: number;
  info: string;
}

/** Fenced blocks; a closing fence is at least as long as its opening, so diffs of Markdown survive. */
function findFences(lines: string[]): Fence[] {
  const fences: Fence[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const open = FENCE.exec(lines[i] ?? '');
    if (open === null) continue;
    const marker = open[1] ?? '```';
    const close = new RegExp(`^${marker[0] === '`' ? '`' : '~'}{${marker.length},}\\s*$`);
    let end = i + 1;
    while (end < lines.length && !close.test(lines[end] ?? '')) end += 1;
    if (end >= lines.length) break; // unterminated: not a block we can trust
    fences.push({ start: i, end, info: open[2] ?? '' });
    i = end;
  }
  return fences;
}

function looksLikeDiff(lines: string[]): boolean {
  const first = lines.find((line) => line.trim() !== '') ?? '';
  if (!first.startsWith('diff --git ') && !first.startsWith('--- ')) return false;
  return lines.some((line) => line.startsWith('+++ ')) && lines.some((line) => line.startsWith('@@'));
}

/** Checks a diff names its files and has hunks; NO_EDIT_FOUND says what is missing. */
export function toUnifiedDiffEdit(diff: string, where = ''): UnifiedDiffEdit {
  const lines = diff.split('\n');
  const files: string[] = [];
  lines.forEach((line, i) => {
    if (!line.startsWith('+++ ')) return;
    const target = headerPath(line);
    // A deleted file's +++ is /dev/null: name it by its --- header instead.
    const path = target === '/dev/null' ? headerPath(lines[i - 1] ?? '') : target;
    if (path !== '' && path !== '/dev/null' && !files.includes(path)) files.push(path);
  });
  if (files.length === 0 || !lines.some((line) => line.startsWith('@@'))) {
    throw new AutodevError(
      'NO_EDIT_FOUND',
      `The diff${where === '' ? '' : ` ${where}`} has no file headers or hunks: a unified diff needs ` +
        '"--- a/path" and "+++ b/path" lines before its "@@ -l,n +l,n @@" hunks.',
    );
  }
  return { kind: 'unified_diff', diff: diff.endsWith('\n') ? diff : `${diff}\n`, files };
}

/** "+++ b/src/x.ts\t2024-01-01" → "src/x.ts" */
function headerPath(line: string): string {
  const raw = line.slice(4).split('\t')[0]?.trim() ?? '';
  const unquoted = raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  return /^[ab]\//.test(unquoted) ? unquoted.slice(2) : unquoted;
}

function firstNonBlank(lines: string[]): number {
  const index = lines.findIndex((line) => line.trim() !== '');
  return index === -1 ? lines.length : index;
}

function parseSearchReplace(
  lines: string[],
  consumed: ReadonlySet<number>,
): { at: number; edit: SearchReplaceEdit }[] {
  const edits: { at: number; edit: SearchReplaceEdit }[] = [];
  let lastPath: string | undefined;
  for (let i = 0; i < lines.length; i += 1) {
    if (consumed.has(i) || !SEARCH.test(lines[i] ?? '')) continue;
    const path = pathBefore(lines, i) ?? lastPath;
    if (path === undefined) {
      throw blockError(
        i,
        'has no file path: put the path on its own line just before the block (or its ``` fence)',
      );
    }
    const divider = indexFrom(lines, i + 1, DIVIDER);
    const replace = divider === -1 ? -1 : indexFrom(lines, divider + 1, REPLACE);
    const nextSearch = indexFrom(lines, i + 1, SEARCH);
    if (divider === -1 || replace === -1 || (nextSearch !== -1 && nextSearch < replace)) {
      throw blockError(
        i,
        `for ${path} is not closed: it needs a ======= line and then a >>>>>>> REPLACE line`,
      );
    }
    edits.push({
      at: i,
      edit: {
        kind: 'search_replace',
        path,
        search: blockText(lines.slice(i + 1, divider)),
        replace: blockText(lines.slice(divider + 1, replace)),
      },
    });
    lastPath = path;
    i = replace;
  }
  return edits;
}

/**
 * A block's lines as text, each ending in a newline: applied, a final newline ends the last line and
 * adds none (blockLines), so a blank line just before ======= or >>>>>>> REPLACE stays a line to match.
 */
function blockText(block: string[]): string {
  return block.length === 0 ? '' : `${block.join('\n')}\n`;
}

/** The path line before a block: the line above it, or above its opening fence; undefined when that is not a path. */
function pathBefore(lines: string[], searchLine: number): string | undefined {
  let k = searchLine - 1;
  if (FENCE.test(lines[k] ?? '')) k -= 1;
  const cleaned = (lines[k] ?? '')
    .trim()
    .replace(/^#+\s*/, '')
    .replace(/:$/, '')
    .replace(/^[`*]+|[`*]+$/g, '')
    .replace(/:$/, '')
    .trim();
  if (cleaned === '' || /\s/.test(cleaned) || REPLACE.test(cleaned) || FENCE.test(cleaned)) return undefined;
  return cleaned;
}

function indexFrom(lines: string[], start: number, pattern: RegExp): number {
  for (let i = start; i < lines.length; i += 1) if (pattern.test(lines[i] ?? '')) return i;
  return -1;
}

function blockError(line: number, problem: string): AutodevError {
  return new AutodevError(
    'NO_EDIT_FOUND',
    `The SEARCH/REPLACE block at line ${line + 1} of the reply ${problem}.`,
  );
}
