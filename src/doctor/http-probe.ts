/** What a GET to a service answered: its status and (capped) text, or why nothing came back. */
export type ProbeAnswer = { ok: true; status: number; text: string } | { ok: false; reason: string };

const MAX_PROBE_BYTES = 64 * 1024;

/** GET with a deadline and a size cap: a probe of a slow or hostile service returns, never hangs. */
export async function probe(
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<ProbeAnswer> {
  try {
    const response = await fetch(url, {
      headers,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
    const text = (await response.text()).slice(0, MAX_PROBE_BYTES);
    return { ok: true, status: response.status, text };
  } catch (error) {
    return { ok: false, reason: describeFailure(error, timeoutMs) };
  }
}

function describeFailure(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  const code = cause && 'code' in cause && typeof cause.code === 'string' ? cause.code : undefined;
  return code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}
