import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AutodevError, isAutodevError } from '../../errors.js';
import type { Edit, SearchReplaceEdit } from '../types.js';
import { resolveInside } from './safe-path.js';

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

  for (const [index, edit] of edits.entries()) {
    if (edit.kind === 'unified_diff') {
      await flush();
      try {
        for (const file of await deps.applyUnifiedDiff(dir, edit.diff)) touched.add(file);
      } catch (error) {
        if (!isAutodevError(error, 'EDIT_ALREADY_APPLIED')) throw error;
        alreadyApplied.push(`edit #${index + 1} (diff of ${edit.files.join(', ')})`);
      }
      continue;
    }
    const context = `edit #${index + 1} (SEARCH/REPLACE for ${edit.path})`;
    const target = await resolveInside(dir, edit.path, context);
    const before =
      pending.get(target.relative)?.content ??
      (await readFile(target.absolute, 'utf8').catch(() => undefined));
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
  const eol = content.includes('\r\n') ? '\r\n' : '\n';
  const fileLines = content.split(/\r?\n/);
  const searchLines = edit.search.split('\n');
  const replaceLines = edit.replace === '' ? [] : edit.replace.split('\n');

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
    const replacement = level.reindent ? reindent(replaceLines, searchLines, matched) : replaceLines;
    fileLines.splice(start, searchLines.length, ...replacement);
    return fileLines.join(eol);
  }
  const trailing = MATCH_LEVELS[1];
  if (replaceLines.some((line) => line.trim() !== '') && trailing) {
    if (findMatches(fileLines, replaceLines, trailing.normalize).length > 0) return ALREADY_APPLIED;
  }
  throw new AutodevError(
    'PATCH_FAILED',
    `${context}: the SEARCH text was not found in the file. It must repeat existing lines exactly; it began with: ` +
      JSON.stringify(searchLines.slice(0, 3).join('\n')),
    { details: { path: edit.path } },
  );
}

const MATCH_LEVELS: { normalize: (line: string) => string; reindent: boolean }[] = [
  { normalize: (line) => line, reindent: false },
  { normalize: (line) => line.trimEnd(), reindent: false },
  { normalize: (line) => line.trim(), reindent: true },
];

function findMatches(
  fileLines: string[],
  searchLines: string[],
  normalize: (line: string) => string,
): number[] {
  const wanted = searchLines.map(normalize);
  const starts: number[] = [];
  for (let start = 0; start + wanted.length <= fileLines.length; start += 1) {
    if (wanted.every((line, offset) => normalize(fileLines[start + offset] ?? '') === line))
      starts.push(start);
  }
  return starts;
}

/** Shifts the replacement by the indentation the file has and the SEARCH text lacked (or had extra). */
function reindent(replaceLines: string[], searchLines: string[], matched: string[]): string[] {
  const first = searchLines.findIndex((line) => line.trim() !== '');
  const written = indentOf(searchLines[first] ?? '');
  const actual = indentOf(matched[first] ?? '');
  if (actual.startsWith(written)) {
    const extra = actual.slice(written.length);
    return replaceLines.map((line) => (line.trim() === '' ? line : `${extra}${line}`));
  }
  if (written.startsWith(actual)) {
    const surplus = written.slice(actual.length);
    return replaceLines.map((line) => (line.startsWith(surplus) ? line.slice(surplus.length) : line));
  }
  return replaceLines;
}

function indentOf(line: string): string {
  return /^\s*/.exec(line)?.[0] ?? '';
}

function withFinalNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
