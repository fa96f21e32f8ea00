import { createRedactor } from '../../secrets/redact.js';

/** The credential patterns every output is redacted with (no configured values: notes are public text). */
export const redactPatterns = createRedactor([]);

/** Bidi overrides and isolates, and the marks: they can make text read other than it is. */
const BIDI = new Set([
  0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069,
]);

/** Control characters (NUL, terminal escapes) other than tab and newline, and bidi controls, dropped. */
export function withoutControls(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    const control = (code < 0x20 && ch !== '\n' && ch !== '\t') || (code >= 0x7f && code <= 0x9f);
    if (!control && !BIDI.has(code)) out += ch;
  }
  return out;
}

/** Cut at a line end within `maxChars`, saying so on a quoted line of its own. */
function cutQuoted(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const lineEnd = text.lastIndexOf('\n', maxChars);
  return `${text.slice(0, lineEnd > 0 ? lineEnd : maxChars)}\n> … (cut)`;
}

/**
 * Release notes are written by whoever published the package: in a pull request body they must not
 * ping people (`@user`), link this repository's issues (`#12`), show HTML, images or links to hosts
 * of their choosing, nor pass as autodev's own headings. What is left is their words, quoted, in at
 * most `maxChars` (and the cut marker).
 */
export function sanitizeNotes(text: string, maxChars: number): string {
  // Sanitising never shortens by much: past a few times the bound the rest would be cut anyway.
  const cleaned = withoutControls(redactPatterns(text.slice(0, maxChars * 4)))
    // No HTML, comments or <autolinks>: a `<` shows as itself.
    .replace(/</g, '&lt;')
    // No inline link or image (`[text](url)`, `![alt](url)`): the target is no longer one.
    .replace(/\]\(/g, '] (')
    // Reference definitions (`[1]: https://...`) lose their target.
    .replace(/^(\s*\[[^\]\n]*\]):.*$/gm, '$1')
    // A zero-width space after `@` and `#` keeps the text and drops the mention and the issue link.
    .replace(/(^|[^\w])@(?=\w)/g, '$1@\u200b')
    .replace(/#(?=\d)/g, '#\u200b');
  const quoted = cleaned
    .split('\n')
    .map((line) => (line === '' ? '>' : `> ${line}`))
    .join('\n');
  return cutQuoted(quoted, maxChars);
}
