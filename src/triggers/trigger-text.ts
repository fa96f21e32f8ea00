import { commentMarker } from '../forges/comment-marker.js';

/**
 * A comment autodev writes on an issue, cut to the forge's limit and carrying the hidden marker that
 * keeps autodev's own comments out of reviews and out of the triggers.
 */
export function markedComment(body: string, issueNumber: number, maxChars: number): string {
  return `${body.slice(0, maxChars)}\n\n${commentMarker(`issue-${issueNumber}`)}`;
}

/** The number at the end of a forge URL (`.../issues/12`), or undefined. */
export function trailingNumber(url: string | null | undefined): number | undefined {
  const match = /\/(\d{1,9})$/.exec(url ?? '');
  return match ? Number(match[1]) : undefined;
}

/** A webhook's body as JSON, or undefined when it is not JSON (then it is no trigger). */
export function parseJsonBody(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}
