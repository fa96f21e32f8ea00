/** Text read from the task and the test output; the rest is cut (both come from outside). */
const MAX_TEXT_CHARS = 64 * 1024;
const URL = /\bhttps?:\/\/[^\s)\]>'"]+/g;
const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]{2,}/g;
/** A path with an extension, as stack traces and test reports print them (`src/a/b.ts:12:3`). */
const FILE_PATH = /[A-Za-z0-9_.\-/\\]{1,300}\.[A-Za-z]{1,5}\b/g;

/** A word that is surely a name in code, not English: `quoted`, dotted, called, snake or camel case. */
const CODE_STRENGTH = 1;
/** A plain word that happens to name a definition too (`parse`, `encode`, `values`): a weak hint. */
const WORD_STRENGTH = 0.25;

/** What the task and the baseline run point at: the seeds of the ranking. */
export interface TaskTerms {
  /** Each identifier with how surely it names code (WORD_STRENGTH up to CODE_STRENGTH). */
  identifiers: Map<string, number>;
  /** Every word and name part, lower-cased: matched against the words of file names. */
  words: Set<string>;
  /** Paths as written (forward slashes, no leading `./`); matched against the files by suffix. */
  paths: Set<string>;
}

export function extractTaskTerms(taskText: string, baselineOutput = ''): TaskTerms {
  // Links in release notes and issues (`https://host/org/repo/commit/…`) name hosts and projects,
  // not code: their words would seed whichever file shares them.
  const text = `${taskText.slice(0, MAX_TEXT_CHARS)}\n${keepEnd(baselineOutput, MAX_TEXT_CHARS)}`.replace(
    URL,
    ' ',
  );
  const identifiers = new Map<string, number>();
  const words = new Set<string>();
  for (const match of text.matchAll(IDENTIFIER)) {
    const name = match[0];
    const before = text[match.index - 1] ?? ' ';
    const after = text[match.index + name.length] ?? ' ';
    const codeLike =
      '`.'.includes(before) || '`(.'.includes(after) || name.includes('_') || /[a-z][A-Z]/.test(name);
    identifiers.set(name, Math.max(identifiers.get(name) ?? 0, codeLike ? CODE_STRENGTH : WORD_STRENGTH));
    for (const part of nameParts(name)) words.add(part);
  }
  const paths = new Set<string>();
  for (const match of text.matchAll(FILE_PATH)) {
    const normalized = match[0]
      .split('\\')
      .join('/')
      .replace(/^(\.\/)+/, '');
    if (normalized.includes('/') || /\.[a-z]{1,4}$/.test(normalized)) paths.add(normalized);
  }
  return { identifiers, words, paths };
}

/** A test run's failures are at its end when output is long: keep the end. */
function keepEnd(text: string, max: number): string {
  return text.length > max ? text.slice(-max) : text;
}

/** `parseConfig`, `parse_config`, `parse-config` → parse, config (lower-cased, 3 letters or more). */
export function nameParts(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((part) => part.length >= 3);
}
