const BEGIN_MARK = '-----BEGIN ';
const END_MARK = '-----END ';
// Sticky: each is tried only where indexOf found its marker, and `[A-Z ]*` stops at the next dash.
// `( BLOCK)?`: a PGP private key is armoured as `-----BEGIN PGP PRIVATE KEY BLOCK-----`.
const BEGIN_LINE = /-----BEGIN [A-Z ]*PRIVATE KEY(?: BLOCK)?-----/y;
const END_LINE = /-----END [A-Z ]*PRIVATE KEY(?: BLOCK)?-----/y;

function matchAt(pattern: RegExp, text: string, at: number): number | undefined {
  pattern.lastIndex = at;
  return pattern.test(text) ? pattern.lastIndex : undefined;
}

/** End (exclusive) of the first `-----END … PRIVATE KEY-----` line at or after `from`, if any. */
function endOfBlock(text: string, from: number): number | undefined {
  for (let at = text.indexOf(END_MARK, from); at !== -1; at = text.indexOf(END_MARK, at + 1)) {
    const end = matchAt(END_LINE, text, at);
    if (end !== undefined) return end;
  }
  return undefined;
}

/**
 * Replaces every PEM private key block, BEGIN line to END line, in one pass over the text. A regex
 * `BEGIN…[\s\S]*?…END` rescans to the end of the text from every BEGIN that has no END, which took
 * 25 s over 4 MB of header lines. A block without END (output cut in the middle of a key) is replaced
 * up to the end of the text: the rest of the key must not leak because its footer is missing.
 */
export function redactPrivateKeys(text: string, replacement: string): string {
  let out = '';
  let copied = 0;
  for (let at = text.indexOf(BEGIN_MARK); at !== -1; at = text.indexOf(BEGIN_MARK, at + 1)) {
    const headerEnd = matchAt(BEGIN_LINE, text, at);
    if (headerEnd === undefined) continue;
    const end = endOfBlock(text, headerEnd) ?? text.length;
    out += text.slice(copied, at) + replacement;
    copied = end;
    if (end === text.length) break;
    at = end - 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}
