/**
 * The API as the page calls it. The bearer token lives in sessionStorage (gone with the tab) and is
 * sent in the Authorization header; it never appears in a URL.
 */
const TOKEN_KEY = 'autodev.token';
const BASE = '/api/v1/autodev';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
  ) {
    super(message);
  }
}

export const token = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (value: string) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

export function authHeaders(): Record<string, string> {
  const t = token.get();
  return t ? { authorization: `Bearer ${t}` } : {};
}

/** Unauthorized answers call this (the app shows the token prompt). */
let onUnauthorized: () => void = () => undefined;
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

export async function call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders() };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(BASE + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = (await response.json().catch(() => ({}))) as {
    error?: { code: string; message: string; details?: unknown };
  };
  if (!response.ok) {
    if (response.status === 401) onUnauthorized();
    const e = data.error ?? { code: `HTTP_${response.status}`, message: response.statusText };
    throw new ApiError(response.status, e.code, e.message, e.details);
  }
  return data as T;
}

/**
 * Server-sent events read with fetch (EventSource cannot send an Authorization header). Calls
 * `onEvent` per event until the stream ends or `signal` aborts; resolves when the stream is over.
 */
export async function stream(
  path: string,
  onEvent: (type: string, data: unknown) => void,
  signal: AbortSignal,
): Promise<void> {
  const response = await fetch(BASE + path, {
    headers: { accept: 'text/event-stream', ...authHeaders() },
    signal,
  });
  if (!response.ok || !response.body) {
    if (response.status === 401) onUnauthorized();
    return;
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) type = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length > 0) onEvent(type, JSON.parse(data.join('\n')));
    }
  }
}
