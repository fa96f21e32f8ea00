/** One request of a load run, as bench/lib/load-client.ts and bench/lib/open-loop.ts send it. */
import type { LoadRequest } from './load-protocol.js';

const REQUEST_TIMEOUT_MS = 30_000;

export function loopbackUrl(baseUrl: string, path: string): URL {
  const url = new URL(path, baseUrl);
  if (url.hostname !== '127.0.0.1') throw new Error(`refusing to load ${url.host}: loopback only`);
  return url;
}

export function requestInit(request: LoadRequest, index: number): RequestInit {
  if (request.kind === 'get') return { method: 'GET' };
  const task = { ...request.task, title: `${request.task.title} #${index}` };
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(task),
  };
}

/** The status of one request, its body read to the end (so keep-alive reuses the socket). */
export async function once(url: URL, init: RequestInit): Promise<string> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  await response.arrayBuffer();
  return String(response.status);
}
