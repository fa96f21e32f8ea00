/**
 * The hidden marker a keyed comment carries, so a resumed round finds its own comment and does not
 * post it twice. The key is reduced to safe characters: it goes into an HTML comment.
 */
export function commentMarker(key: string): string {
  return `<!-- autodev:${key.replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 200)} -->`;
}

/** One pull request's comment thread, as a forge reads and writes it. */
export interface CommentThread {
  /** The bodies of the comments already posted. */
  bodies(): Promise<string[]>;
  post(body: string): Promise<void>;
}

/**
 * Posts `body` under the key's marker unless a comment already carries it: a round resumed after a
 * crash between the post and its checkpoint finds its comment instead of posting it again.
 */
export async function postCommentOnce(thread: CommentThread, key: string, body: string): Promise<void> {
  const marker = commentMarker(key);
  if ((await thread.bodies()).some((existing) => existing.includes(marker))) return;
  await thread.post(`${body}\n\n${marker}`);
}
