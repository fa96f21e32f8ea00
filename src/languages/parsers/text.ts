// Colour codes some runners print even without a TTY (FORCE_COLOR in a repo's scripts).
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

export function lines(text: string): string[] {
  return stripAnsi(text).split(/\r?\n/);
}

/** Parses each line that is a JSON object, skipping the rest (progress text, banners). */
export function jsonLines(text: string): unknown[] {
  const out: unknown[] = [];
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{')) continue;
    try {
      out.push(JSON.parse(trimmed));
    } catch {
      // A line cut by output truncation or interleaved text: not ours to report.
    }
  }
  return out;
}

/**
 * Splits a stream of concatenated, possibly pretty-printed JSON values (go vet -json writes one
 * object per package to stderr, between `# pkg` comment lines) into the parsed top-level objects.
 */
export function concatenatedJsonObjects(text: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"' && depth > 0) inString = true;
    else if (ch === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (ch === '}' && depth > 0) {
      depth--;
      if (depth === 0) {
        try {
          out.push(JSON.parse(text.slice(start, i + 1)));
        } catch {
          // Not JSON after all (braces inside plain text): skip it.
        }
      }
    }
  }
  return out;
}
