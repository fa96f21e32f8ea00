import { mapStrings } from '../secrets/redact.js';

/**
 * What the store keeps of one long text for display (step outputs, command logs, event payloads):
 * its head and tail with a marker in between. Redaction and JSON of a text are linear, but a text of
 * many MB still holds the event loop for hundreds of ms; no display needs more than this. The work
 * itself never goes through here: a change is kept as a commit (refs/autodev/changes/...).
 */
export const MAX_STORED_TEXT_CHARS = 256 * 1024;

export function boundText(text: string, max = MAX_STORED_TEXT_CHARS): string {
  if (text.length <= max) return text;
  const keep = Math.floor(max / 2);
  const dropped = text.length - 2 * keep;
  return `${text.slice(0, keep)}\n[... ${dropped} characters not stored ...]\n${text.slice(-keep)}`;
}

/** boundText over every string of a JSON-like value, returning a copy. */
export function boundDeep<T>(value: T, max = MAX_STORED_TEXT_CHARS): T {
  return mapStrings(value, (text) => boundText(text, max));
}
