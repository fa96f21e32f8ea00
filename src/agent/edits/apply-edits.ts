import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AutodevError, isAutodevError } from '../../errors.js';
import type { Edit, SearchReplaceEdit } from '../types.js';
import { applyHunks } from './apply-hunks.js';
import { readPlainDiff } from './diff-hunks.js';
import { blockLines, fromLineTable, spliceLines, toLineTable, type ReplacementLine } from './line-table.js';
import { closestText, findMatches, indentShift, MATCH_LEVELS } from './locate-block.js';
import { resolveInside } from './safe-path.js';
import { unchangedLines } from './unchanged-lines.js';

export interface ApplyEditsDeps {
  /** Applies a unified diff in `dir` (git apply in the workspace layer); returns the files touched. */
  applyUnifiedDiff(dir: string, diff: string): Promise<string[]>;
}

/**
 * Applies edits in order and returns the files touched. An edit the files already hold (a diff that
 * `git apply --reverse` would take back, a SEARCH/REPLACE whose REPLACE text is there and SEARCH text
 * is not) is skipped, not failed; when every edit is such, EDIT_ALREADY_APPLIED says so, naming them. A run of SEARCH/REPLACE edits is computed in
 * memory and written only when every block of the run matched, so a failing block leaves its
 * neighbours unwritten; diffs are applied by `deps`, which refuses a diff that does not apply.
 */
export async function applyEdits(dir: string, edits: Edit[], deps: ApplyEditsDeps): Promise<string[]> {
  const touched = new Set<string>();
  let pending = new Map<string, { absolute: string; content: string }>();
  const alreadyApplied: string[] = [];

  const flush = async (): Promise<void> => {
    for (const [relative, file] of pending) {
      await mkdir(path.dirname(file.absolute), { recursive: true });
      await writeFile(file.absolute, file.content);
      touched.add(relative);
    }
    pending = new Map();
  };

  const current = async (file: { absolute: string; relative: string }): Promise<string | undefined> =>
    pending.get(file.relative)?.content ?? (await readFile(file.absolute, 'utf8').catch(() => undefined));

  for (const [index, edit] of edits.entries()) {
    if (edit.kind === 'unified_diff') {
      const context = `edit #${index + 1} (diff of ${edit.files.join(', ')})`;
      // Placed like SEARCH/REPLACE blocks first (whitespace-tolerant, line numbers as hints); git apply
      // takes what that cannot: new, deleted, renamed files, or a hunk it could not place.
      const placed = await placeDiff(dir, edit.diff, context, current);
      if (placed.kind === 'applied') {
        for (const [relative, file] of placed.files) pending.set(relative, file);
        continue;
      }
      if (placed.kind === 'already_applied') {
        alreadyApplied.push(context);
        continue;
      }
      await flush();
      try {
        for (const file of await deps.applyUnifiedDiff(dir, edit.diff)) touched.add(file);
      } catch (error) {
        if (isAutodevError(error, 'PATCH_FAILED')) {
          const why = placed.kind === 'failed' ? `\n${placed.message}` : '';
          throw new AutodevError('PATCH_FAILED', `${context}: ${error.message}${why}`, {
            cause: error,
            details: { files: edit.files },
          });
        }
        if (!isAutodevError(error, 'EDIT_ALREADY_APPLIED')) throw error;
        alreadyApplied.push(context);
      }
      continue;
    }
    const context = `edit #${index + 1} (SEARCH/REPLACE for ${edit.path})`;
    const target = await resolveInside(dir, edit.path, context);
    const before = await current(target);
    const after = replaceBlock(before, edit, context);
    if (after === ALREADY_APPLIED) {
      alreadyApplied.push(context);
      continue;
    }
    pending.set(target.relative, { absolute: target.absolute, content: after });
  }
  await flush();
  if (edits.length > 0 && alreadyApplied.length === edits.length) {
    throw new AutodevError('EDIT_ALREADY_APPLIED', `already applied: ${alreadyApplied.join(', ')}`, {
      details: { edits: alreadyApplied },
    });
  }
  return [...touched];
}

const ALREADY_APPLIED = Symbol('already applied');

/**
 * The file's new content, or ALREADY_APPLIED when the SEARCH text is not there but the REPLACE text
 * is (the edit was made before); `content` is undefined when the file does not exist yet.
 */
function replaceBlock(
  content: string | undefined,
  edit: SearchReplaceEdit,
  context: string,
): string | typeof ALREADY_APPLIED {
  if (edit.search.trim() === '') {
    const addition = withFinalNewline(edit.replace);
    if (content === undefined || content === '') return addition;
    return `${withFinalNewline(content)}${addition}`;
  }
  if (content === undefined) {
    throw new AutodevError(
      'PATCH_FAILED',
      `${context}: the file does not exist; use an empty SEARCH section to create it`,
      {
        details: { path: edit.path },
      },
    );
  }
  const table = toLineTable(content);
  // After a final newline the table holds an empty last text that is no line of the file: a SEARCH
  // ending in a blank line must not match there (as diff hunks do not, see apply-hunks.ts).
  const endsWithNewline = table.texts.length > 1 && table.texts.at(-1) === '';
  const fileLines = endsWithNewline ? table.texts.slice(0, -1) : table.texts;
  const searchLines = blockLines(edit.search);
  const replaceLines = blockLines(edit.replace);

  // Strict first; then forgive trailing whitespace; then indentation, re-indenting the replacement.
  for (const level of MATCH_LEVELS) {
    const starts = findMatches(fileLines, searchLines, level.normalize);
    if (starts.length > 1) {
      throw new AutodevError(
        'PATCH_FAILED',
        `${context}: the SEARCH text matches ${starts.length} places (lines ${starts.map((s) => s + 1).join(', ')}); ` +
          'include more surrounding lines so it matches exactly one',
        { details: { path: edit.path, matches: starts.length } },
      );
    }
    const start = starts[0];
    if (start === undefined) continue;
    const matched = fileLines.slice(start, start + searchLines.length);
    const reindent = level.reindent ? indentShift(searchLines, matched) : (line: string) => line;
    // Lines the model left as they were keep the file's bytes; the lines it wrote are as it wrote them.
    const kept = unchangedLines(searchLines, replaceLines);
    const replacement = replaceLines.map((line, j): ReplacementLine => {
      const keep = kept[j];
      return keep === undefined ? { text: reindent(line) } : { keep };
    });
    spliceLines(table, start, searchLines.length, replacement);
    return fromLineTable(table);
  }
  const trailing = MATCH_LEVELS[1];
  if (replaceLines.some((line) => line.trim() !== '') && trailing) {
    if (findMatches(fileLines, replaceLines, trailing.normalize).length > 0) return ALREADY_APPLIED;
  }
  throw new AutodevError(
    'PATCH_FAILED',
    `${context}: the SEARCH text was not found in the file. It must repeat existing lines exactly; it began with: ` +
      `${JSON.stringify(searchLines.slice(0, 3).join('\n'))}. Closest text in the file:\n${closestText(fileLines, searchLines)}`,
    { details: { path: edit.path } },
  );
}

type Placed =
  | { kind: 'applied'; files: Map<string, { absolute: string; content: string }> }
  | { kind: 'already_applied' }
  | { kind: 'failed'; message: string }
  | { kind: 'not_plain' };

/** A plain diff applied in memory, file by file; nothing is written unless every file's hunks placed. */
async function placeDiff(
  dir: string,
  diff: string,
  context: string,
  current: (file: { absolute: string; relative: string }) => Promise<string | undefined>,
): Promise<Placed> {
  const plain = readPlainDiff(diff);
  if (plain === undefined) return { kind: 'not_plain' };
  const files = new Map<string, { absolute: string; content: string }>();
  let already = 0;
  for (const file of plain) {
    const target = await resolveInside(dir, file.path, context);
    const before = await current(target);
    if (before === undefined) return { kind: 'not_plain' };
    const outcome = applyHunks(
      files.get(target.relative)?.content ?? before,
      file.hunks,
      `${context}, ${file.path}`,
    );
    if (outcome.kind === 'failed') return outcome;
    if (outcome.kind === 'already_applied') already += 1;
    else files.set(target.relative, { absolute: target.absolute, content: outcome.content });
  }
  if (files.size === 0 && already > 0) return { kind: 'already_applied' };
  return { kind: 'applied', files };
}

function withFinalNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
