/**
 * The hidden marker a keyed comment carries, so a resumed round finds its own comment and does not
 * post it twice. The key is reduced to safe characters: it goes into an HTML comment.
 */
export function commentMarker(key: string): string {
  return `<!-- autodev:${key.replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 200)} -->`;
}
