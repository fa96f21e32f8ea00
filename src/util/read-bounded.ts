/**
 * A remote answer (a registry, a forge) as text, read no further than `maxBytes` (a declared length over it is refused
 * before reading): the remote is untrusted, and one endless answer must not fill the server's memory.
 * `tooBig` names what was refused in the ecosystem's words.
 */
export async function readBoundedText(
  response: Response,
  maxBytes: number,
  tooBig: (reason: string) => Error,
): Promise<string> {
  return (await readBoundedBytes(response, maxBytes, tooBig)).toString('utf8');
}

/** readBoundedText's bytes, for an answer that is not text (a package tarball). */
export async function readBoundedBytes(
  response: Response,
  maxBytes: number,
  tooBig: (reason: string) => Error,
): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    await response.body?.cancel();
    throw tooBig(`${String(declared)} bytes, over ${String(maxBytes)}`);
  }
  const reader = response.body?.getReader();
  if (!reader) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooBig(`over ${String(maxBytes)} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
