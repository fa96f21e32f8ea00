/**
 * A file as lines with each line's own terminator, so that an edit rewrites only the lines it changes:
 * a file with mixed `\n` and `\r\n` endings keeps both, byte for byte, outside the edited block.
 * `texts` is what `content.split(/\r?\n/)` gives; `ends[i]` is the terminator after `texts[i]`, and
 * the last entry's is always '' (after a final newline the last text is the empty string).
 */
export interface LineTable {
  texts: string[];
  ends: string[];
  /** The terminator new lines get: `\r\n` when the file uses it anywhere, else `\n`. */
  eol: string;
}

export function toLineTable(content: string): LineTable {
  const texts: string[] = [];
  const ends: string[] = [];
  const pattern = /\r?\n/g;
  let from = 0;
  for (let match = pattern.exec(content); match !== null; match = pattern.exec(content)) {
    texts.push(content.slice(from, match.index));
    ends.push(match[0]);
    from = match.index + match[0].length;
  }
  texts.push(content.slice(from));
  ends.push('');
  return { texts, ends, eol: content.includes('\r\n') ? '\r\n' : '\n' };
}

/**
 * The lines of a block the model wrote (a SEARCH or REPLACE text). A newline ends a line rather than
 * starting an empty one, as in a file: "    x\n" is the one line "    x", and "    x\n\n" is that line
 * and a blank one. Its line ends are its own (\n or \r\n, whatever the file has), so they are split
 * off like the file's and never compared.
 */
export function blockLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

export function fromLineTable(table: LineTable): string {
  let out = '';
  for (let i = 0; i < table.texts.length; i += 1) out += `${table.texts[i] ?? ''}${table.ends[i] ?? ''}`;
  return out;
}

/** One line of a replacement: the model's text, or a line of the replaced block kept as it is. */
export type ReplacementLine = { text: string } | { keep: number };

/**
 * Replaces `count` lines from `start` with `replacement`. A kept line (an index into the replaced
 * block) keeps its text and terminator exactly; a new line ends like the replaced block's last line
 * (or with the file's `eol`), so an edit in a `\n` stretch of a mixed file writes `\n`.
 */
export function spliceLines(
  table: LineTable,
  start: number,
  count: number,
  replacement: ReplacementLine[],
): void {
  // New lines end like the block they replace (its last line's terminator), else like the file.
  const blockEnd = (count > 0 ? table.ends[start + count - 1] : undefined) || table.eol;
  const texts: string[] = [];
  const ends: string[] = [];
  for (const line of replacement) {
    if ('keep' in line) {
      texts.push(table.texts[start + line.keep] ?? '');
      ends.push(table.ends[start + line.keep] ?? table.eol);
    } else {
      texts.push(line.text);
      ends.push(blockEnd);
    }
  }
  table.texts.splice(start, count, ...texts);
  table.ends.splice(start, count, ...ends);
  // Every line but the last is terminated; the last never is (see LineTable).
  const last = table.ends.length - 1;
  for (let i = 0; i < last; i += 1) if (table.ends[i] === '') table.ends[i] = table.eol;
  if (last >= 0) table.ends[last] = '';
}
