import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAutodevError } from '../../errors.js';
import { fetchSparseIndexVersions } from './sparse-index.js';

/** Index files by path, as a sparse registry serves them; anything else answers `status`. */
const FILES: Record<string, string> = {
  '/ti/ny/tinyadd': [
    '{"name":"tinyadd","vers":"1.0.0","deps":[],"cksum":"00","features":{},"yanked":false}',
    '{"name":"tinyadd","vers":"1.0.1","deps":[],"cksum":"00","features":{},"yanked":true,"pubtime":"2026-11-01T10:00:00Z"}',
    '{"name":"TinyAdd","vers":"1.0.2","deps":[],"cksum":"00","features":{}}',
    '{"name":"other","vers":"9.0.0","deps":[],"cksum":"00","features":{},"yanked":false}',
    '',
  ].join('\n'),
  '/br/ok/broken': 'not json\n',
};

describe('fetchSparseIndexVersions', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((request, response) => {
      const body = FILES[request.url ?? ''];
      if (body !== undefined) response.writeHead(200).end(body);
      else response.writeHead(request.url === '/fa/il/failing' ? 503 : 404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads every version of the crate with yanked and pubtime, names compared without case', async () => {
    expect(await fetchSparseIndexVersions(base, 'tinyadd')).toEqual([
      { version: '1.0.0', publishedAt: undefined, deprecated: false, yanked: false },
      { version: '1.0.1', publishedAt: '2026-11-01T10:00:00Z', deprecated: false, yanked: true },
      { version: '1.0.2', publishedAt: undefined, deprecated: false, yanked: false },
    ]);
  });

  it('has no versions for a crate the index does not know, or a name no crate can have', async () => {
    expect(await fetchSparseIndexVersions(base, 'missing')).toEqual([]);
    expect(await fetchSparseIndexVersions(base, '../../etc/passwd')).toEqual([]);
  });

  it('names the index, the crate and the reason for an error answer or an unreadable file', async () => {
    for (const [crate, reason] of [
      ['failing', 'HTTP 503'],
      ['broken', 'the answer is not an index file'],
    ] as const) {
      const error: unknown = await fetchSparseIndexVersions(base, crate).catch((e: unknown) => e);
      expect(isAutodevError(error, 'UPDATE_REGISTRY_UNREACHABLE')).toBe(true);
      expect((error as Error).message).toBe(
        `cargo registry index ${base} could not be read for ${crate}: ${reason}`,
      );
    }
  });
});
