import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback pass-through in front of a fake forge's API that can hold one answer back: the request
 * that opens a pull request is served by the forge (the pull request exists), and its answer waits
 * until the test has killed the server. That is the worst moment to die in delivery: the forge has
 * the pull request, autodev has not recorded it.
 */
export interface HoldProxy {
  url: string;
  /** Hold the next answer to a request matching `pattern` (`METHOD /path`); resolves once it is held. */
  holdNext(pattern: RegExp): Promise<void>;
  close(): Promise<void>;
}

const readAll = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

export async function startHoldProxy(upstream: string): Promise<HoldProxy> {
  const target = new URL(upstream);
  let armed: { pattern: RegExp; held: () => void } | undefined;
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readAll(req);
      const line = `${req.method ?? 'GET'} ${new URL(req.url ?? '/', upstream).pathname}`;
      const hold = armed && armed.pattern.test(line) ? armed : undefined;
      if (hold) armed = undefined;
      const headers = { ...req.headers, host: target.host };
      const upstreamReq = httpRequest(
        { hostname: target.hostname, port: target.port, path: req.url, method: req.method, headers },
        (answer) => {
          if (hold) {
            // Served upstream; the answer never comes back (the client is killed while waiting).
            answer.resume();
            hold.held();
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstreamReq.on('error', () => res.writeHead(502).end());
      upstreamReq.end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    holdNext: (pattern) =>
      new Promise<void>((held) => {
        armed = { pattern, held };
      }),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
