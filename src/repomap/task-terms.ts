/** Text read from the task and the test output; the rest is cut (both come from outside). */
const MAX_TEXT_CHARS = 64 * 1024;
const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]{2,}/g;
/** A path with an extension, as stack traces and test reports print them (`src/a/b.ts:12:3`). */
const FILE_PATH = /[A-Za-z0-9_.\-/\\]{1,300}\.[A-Za-z]{1,5}\b/g;

/** What the task and the baseline run point at: the seeds of the ranking. */
export interface TaskTerms {
  identifiers: Set<string>;
  /** Paths as written (forward slashes, no leading `./`); matched against the files by suffix. */
  paths: Set<string>;
}

export function extractTaskTerms(taskText: string, baselineOutput = ''): TaskTerms {
  const text = `${taskText.slice(0, MAX_TEXT_CHARS)}\n${keepEnd(baselineOutput, MAX_TEXT_CHARS)}`;
  const identifiers = new Set<string>();
  for (const match of text.matchAll(IDENTIFIER)) identifiers.add(match[0]);
  const paths = new Set<string>();
  for (const match of text.matchAll(FILE_PATH)) {
    const normalized = match[0]
      .split('\\')
      .join('/')
      .replace(/^(\.\/)+/, '');
    if (normalized.includes('/') || /\.[a-z]{1,4}$/.test(normalized)) paths.add(normalized);
  }
  return { identifiers, paths };
}

/** A test run's failures are at its end when output is long: keep the end. */
function keepEnd(text: string, max: number): string {
  return text.length > max ? text.slice(-max) : text;
}
