/**
 * A unified diff read as blocks of lines, so its hunks can be placed the way SEARCH/REPLACE blocks
 * are (whitespace-tolerant, line numbers as a hint only). Only plain changes to existing files are
 * read; anything else (new, deleted, renamed, binary files, "\ No newline") is left to git apply.
 */

export interface HunkLine {
  op: ' ' | '-' | '+';
  text: string;
  /** Read from an empty line: a blank context line, or the blank line that ends the model's diff. */
  bare?: true;
}

export interface Hunk {
  header: string;
  /** 1-based line the hunk says it starts at; absent for a bare "@@ @@" header. */
  oldStart?: number;
  lines: HunkLine[];
}

export interface FileHunks {
  path: string;
  hunks: Hunk[];
}

const HUNK_HEADER = /^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@/;
const GIT_EXTENDED =
  /^(new file mode|deleted file mode|old mode|new mode|rename from|rename to|copy from|copy to|similarity index|Binary files|GIT binary patch)/;

/** The files and hunks of a plain diff; undefined when the diff is not plain (see above). */
export function readPlainDiff(diff: string): FileHunks[] | undefined {
  const lines = diff.replace(/\r\n/g, '\n').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const files: FileHunks[] = [];
  let file: FileHunks | undefined;
  let hunk: Hunk | undefined;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? '';
    if (line.startsWith('--- ') && (lines[i + 1] ?? '').startsWith('+++ ')) {
      const from = headerPath(line);
      const to = headerPath(lines[i + 1] ?? '');
      if (from !== to || to === '/dev/null' || to === '') return undefined;
      file = { path: to, hunks: [] };
      files.push(file);
      hunk = undefined;
      i += 1;
      continue;
    }
    if (line.startsWith('diff --git ') || line.startsWith('index ')) {
      hunk = undefined;
      continue;
    }
    if (GIT_EXTENDED.test(line) || line.startsWith('\\')) return undefined;
    if (line.startsWith('@@')) {
      if (file === undefined) return undefined;
      const numbers = HUNK_HEADER.exec(line);
      hunk = {
        header: line,
        lines: [],
        ...(numbers?.[1] !== undefined ? { oldStart: Number(numbers[1]) } : {}),
      };
      file.hunks.push(hunk);
      continue;
    }
    if (hunk === undefined) continue; // text between files (the model's words, "diff --git" lines)
    // An empty line is a blank context line whose leading space was lost (editors and models drop it).
    if (line === '') hunk.lines.push({ op: ' ', text: '', bare: true });
    else if (line[0] === ' ' || line[0] === '-' || line[0] === '+')
      hunk.lines.push({ op: line[0], text: line.slice(1) });
    else return undefined;
  }
  if (files.length === 0 || files.some((f) => f.hunks.length === 0)) return undefined;
  // Empty lines closing a hunk are the reply's spacing more often than context: they do not anchor it.
  for (const each of files.flatMap((f) => f.hunks)) while (each.lines.at(-1)?.bare) each.lines.pop();
  return files;
}

/** "+++ b/src/x.ts\t2024-01-01" → "src/x.ts" */
function headerPath(line: string): string {
  const raw = line.slice(4).split('\t')[0]?.trim() ?? '';
  const unquoted = raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  return /^[ab]\//.test(unquoted) ? unquoted.slice(2) : unquoted;
}
