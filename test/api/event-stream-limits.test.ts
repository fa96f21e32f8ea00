import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/api-client.js';
import {
  parseErrorBody,
  parseTaskBody,
  seedTask,
  startTestRuntime,
  TASKS,
  type TestRuntime,
} from '../helpers/runtime.js';

interface OpenedStream {
  status: number;
  /** The error body when the server refused the stream. */
  text: string;
  close(): Promise<void>;
}

/**
 * Opens `GET …/events?stream=true` from `localAddress` (any 127/8 address reaches the loopback
 * listener, so one machine plays several clients) and returns once the head is in. A refused stream
 * has its JSON body read; an accepted one stays open until `close`.
 */
function openStream(baseUrl: string, path: string, localAddress: string): Promise<OpenedStream> {
  return new Promise((resolve, reject) => {
    const req: ClientRequest = request(`${baseUrl}${path}`, {
      localAddress,
      headers: { accept: 'text/event-stream' },
    });
    req.on('error', reject);
    req.on('response', (res: IncomingMessage) => {
      const close = () =>
        new Promise<void>((done) => {
          res.once('close', () => done());
          req.destroy();
        });
      if (res.statusCode === 200) {
        res.resume();
        // The first bytes (the replayed events) show the server registered the stream.
        res.once('data', () => resolve({ status: 200, text: '', close }));
        return;
      }
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, close: async () => {} }));
    });
    req.end();
  });
}

describe('event streams are capped in total and per client address', () => {
  let t: TestRuntime;
  let path: string;

  beforeAll(async () => {
    t = await startTestRuntime({
      configToml: ['[autodev]', 'max_event_streams = 3', 'max_event_streams_per_client = 2'].join('\n'),
    });
    const created = await api(t.baseUrl, TASKS, { method: 'POST', body: JSON.stringify(seedTask()) });
    expect(created.status).toBe(201);
    path = `${TASKS}/${parseTaskBody(created.text).id}/events?stream=true`;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 429 past the per-client cap and 503 past the total, naming the key, and frees a slot on close', async () => {
    const first = await openStream(t.baseUrl, path, '127.0.0.1');
    const second = await openStream(t.baseUrl, path, '127.0.0.1');
    expect([first.status, second.status]).toEqual([200, 200]);

    const third = await openStream(t.baseUrl, path, '127.0.0.1');
    expect(third.status).toBe(429);
    const perClient = parseErrorBody(third.text);
    expect(perClient.code).toBe('TOO_MANY_EVENT_STREAMS');
    expect(perClient.message).toContain('[autodev] max_event_streams_per_client (2)');

    // Another address still has room of its own, until the server-wide cap is reached.
    const other = await openStream(t.baseUrl, path, '127.0.0.2');
    expect(other.status).toBe(200);
    const full = await openStream(t.baseUrl, path, '127.0.0.3');
    expect(full.status).toBe(503);
    const total = parseErrorBody(full.text);
    expect(total.code).toBe('EVENT_STREAMS_FULL');
    expect(total.message).toContain('[autodev] max_event_streams (3)');

    // The plain event list is not a stream and is never refused for it.
    expect((await api(t.baseUrl, path.replace('?stream=true', ''))).status).toBe(200);

    // A client that hangs up gives its slot back: the same address streams again.
    await first.close();
    let again: OpenedStream | undefined;
    for (let attempt = 0; attempt < 50 && again?.status !== 200; attempt += 1) {
      again = await openStream(t.baseUrl, path, '127.0.0.1');
      if (again.status !== 200) await new Promise((r) => setTimeout(r, 20));
    }
    expect(again?.status).toBe(200);
    for (const stream of [second, other, again]) await stream?.close();
  });
});
