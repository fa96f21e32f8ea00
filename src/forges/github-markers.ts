/**
 * autodev's comments carry a hidden marker naming their key, so a resumed round finds the comment it
 * already posted, and readActivity leaves autodev's own comments out of the review.
 */
const MARKER_PREFIX = '<!-- autodev:';

/** The key is URL-encoded: no `-->` or newline from a key can end the HTML comment early. */
export function commentMarker(key: string): string {
  return `${MARKER_PREFIX}${encodeURIComponent(key)} -->`;
}

export function isAutodevComment(body: string | null | undefined): boolean {
  return body?.includes(MARKER_PREFIX) ?? false;
}
