import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTarGz, buildZip } from '../../../test/helpers/archives.js';
import { AutodevError } from '../../errors.js';
import { cargoContents, crateDownloadUrl } from '../cargo/contents.js';
import { goContents } from '../go/contents.js';
import { npmContents } from '../npm/contents.js';
import { pythonContents } from '../python/contents.js';
import { releasesOfFiles } from '../python/simple-index.js';

const WANT_ALL = { changelog: true, api: true };

/**
 * Each ecosystem's published archive read through a real HTTP server on loopback, the way a scan
 * reads it: only from an allowed host, within the archive bounds.
 */
describe('what each ecosystem’s published archive offers', () => {
  const files = new Map<string, Buffer>();
  const asked: string[] = [];
  let server: http.Server;
  let base = '';
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      asked.push(req.url ?? '');
      const body = files.get(req.url ?? '');
      if (body === undefined) res.writeHead(404).end();
      else res.writeHead(200, { 'content-length': body.length }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const access = {
    fetch,
    assertAllowed: (ecosystem: string, url: string) =>
      url.startsWith(base)
        ? Promise.resolve()
        : Promise.reject(new AutodevError('UPDATE_REGISTRY_REFUSED', `${ecosystem}: ${url} refused`)),
  };

  it('a Python sdist: its CHANGELOG file over PKG-INFO, its modules under src/ by import path', async () => {
    files.set(
      '/packages/tiny-2.0.0.tar.gz',
      buildTarGz([
        { name: 'tiny-2.0.0/PKG-INFO', data: 'Metadata-Version: 2.1\nName: tiny\n\nthe readme\n' },
        { name: 'tiny-2.0.0/CHANGES.rst', data: '2.0.0\n-----\n\n* sum\n' },
        { name: 'tiny-2.0.0/setup.py', data: 'def setup(): pass\n' },
        { name: 'tiny-2.0.0/src/tiny/__init__.py', data: 'def sum(a, b):\n    return a + b\n' },
        { name: 'tiny-2.0.0/tests/test_tiny.py', data: 'def test_x(): pass\n' },
      ]),
    );
    const out = await pythonContents(access, `${base}/packages/tiny-2.0.0.tar.gz`, WANT_ALL);
    expect(out?.changelog).toBe('2.0.0\n-----\n\n* sum\n');
    expect([...(out?.api?.keys() ?? [])]).toEqual(['tiny/__init__.py']);
  });

  it('a Python wheel: METADATA’s description as the notes, dist-info left out of the modules', async () => {
    files.set(
      '/packages/tiny-2.0.0-py3-none-any.whl',
      buildZip([
        { name: 'tiny/__init__.py', data: 'def sum(a, b):\n    return a + b\n', deflate: true },
        {
          name: 'tiny-2.0.0.dist-info/METADATA',
          data: 'Metadata-Version: 2.1\nName: tiny\n\n## 2.0.0\n- sum\n',
        },
        { name: 'tiny-2.0.0.dist-info/RECORD', data: '' },
      ]),
    );
    const out = await pythonContents(access, `${base}/packages/tiny-2.0.0-py3-none-any.whl`, WANT_ALL);
    expect(out?.changelog).toBe('## 2.0.0\n- sum');
    expect([...(out?.api?.keys() ?? [])]).toEqual(['tiny/__init__.py']);
  });

  it('a release’s archive is its sdist, else a pure wheel; the index page’s link is resolved against it', () => {
    const [release] = releasesOfFiles(
      [
        {
          filename: 'tiny-2.0.0-cp312-cp312-manylinux_x86_64.whl',
          href: '../../p/a.whl',
          yanked: false,
          uploadTime: undefined,
        },
        {
          filename: 'tiny-2.0.0-py3-none-any.whl',
          href: '../../p/b.whl#sha256=00',
          yanked: false,
          uploadTime: undefined,
        },
        {
          filename: 'tiny-2.0.0.tar.gz',
          href: '../../p/c.tar.gz#sha256=00',
          yanked: false,
          uploadTime: undefined,
        },
      ],
      'tiny',
      'http://127.0.0.1:1/simple/tiny/',
    );
    expect(release?.archive).toBe('http://127.0.0.1:1/p/c.tar.gz');
    const [wheelOnly] = releasesOfFiles(
      [{ filename: 'tiny-2.0.0-py3-none-any.whl', href: '/p/b.whl', yanked: false, uploadTime: undefined }],
      'tiny',
      'http://127.0.0.1:1/simple/tiny/',
    );
    expect(wheelOnly?.archive).toBe('http://127.0.0.1:1/p/b.whl');
  });

  it('a .crate from the dl template, and a Go module zip: the changelog at the package’s root only', async () => {
    expect(crateDownloadUrl(`${base}/dl`, 'Tiny', '1.0.0+b')).toBe(`${base}/dl/Tiny/1.0.0%2Bb/download`);
    expect(crateDownloadUrl(`${base}/{lowerprefix}/{crate}-{version}.crate`, 'Tiny', '1.0.0')).toBe(
      `${base}/ti/ny/Tiny-1.0.0.crate`,
    );
    expect(crateDownloadUrl(`${base}/{crate}/{sha256-checksum}`, 'tiny', '1.0.0')).toBeUndefined();
    files.set(
      '/tiny-1.0.1.crate',
      buildTarGz([
        { name: 'tiny-1.0.1/src/CHANGELOG.md', data: 'not this one' },
        { name: 'tiny-1.0.1/CHANGELOG.md', data: '## 1.0.1\n- fix\n' },
      ]),
    );
    expect((await cargoContents(access, `${base}/tiny-1.0.1.crate`, WANT_ALL))?.changelog).toBe(
      '## 1.0.1\n- fix\n',
    );
    files.set(
      '/example.com/tiny/@v/v1.0.1.zip',
      buildZip([
        { name: 'example.com/tiny@v1.0.1/sub/CHANGELOG.md', data: 'not this one' },
        { name: 'example.com/tiny@v1.0.1/CHANGELOG.md', data: '## v1.0.1\n- fix\n' },
      ]),
    );
    const go = await goContents(
      access,
      'example.com/tiny',
      'v1.0.1',
      `${base}/example.com/tiny/@v/v1.0.1.zip`,
      WANT_ALL,
    );
    expect(go?.changelog).toBe('## v1.0.1\n- fix\n');
  });

  it('an npm tarball: its types entry as package.json names it', async () => {
    files.set(
      '/tiny-2.0.0.tgz',
      buildTarGz([
        { name: 'package/package.json', data: JSON.stringify({ name: 'tiny', types: 'lib/index.d.ts' }) },
        { name: 'package/lib/index.d.ts', data: 'export declare function sum(a: number): number;\n' },
        { name: 'package/index.d.ts', data: 'export declare function not_this(): void;\n' },
      ]),
    );
    const out = await npmContents(access, `${base}/tiny-2.0.0.tgz`, WANT_ALL);
    expect([...(out?.api?.entries() ?? [])]).toEqual([
      ['lib/index.d.ts', 'export declare function sum(a: number): number;\n'],
    ]);
    // Re-exports are followed (relative ones, within the package), each file once.
    files.set(
      '/tiny-3.0.0.tgz',
      buildTarGz([
        { name: 'package/package.json', data: JSON.stringify({ name: 'tiny', main: 'dist/index.js' }) },
        {
          name: 'package/dist/index.d.ts',
          data: "export * from './math.js';\nexport { a } from \"./more\";\nexport * from '../../outside';\n",
        },
        {
          name: 'package/dist/math.d.ts',
          data: "export declare function sum(a: number): number;\nexport * from './index';\n",
        },
        { name: 'package/dist/more/index.d.ts', data: 'export declare const a: 1;\n' },
        { name: 'package/dist/unrelated.d.ts', data: 'export declare const b: 2;\n' },
      ]),
    );
    const reexported = await npmContents(access, `${base}/tiny-3.0.0.tgz`, WANT_ALL);
    expect([...(reexported?.api?.keys() ?? [])].sort()).toEqual([
      'dist/index.d.ts',
      'dist/math.d.ts',
      'dist/more/index.d.ts',
    ]);
    expect(out?.changelog).toBeUndefined();
  });

  it('fetches nothing from a host off the allow-list, and gives nothing for a hostile archive', async () => {
    const before = asked.length;
    expect(
      await pythonContents(access, 'http://127.0.0.2:9/packages/tiny-2.0.0.tar.gz', WANT_ALL),
    ).toBeUndefined();
    expect(asked.length).toBe(before);
    files.set('/evil-1.0.0.crate', buildTarGz([{ name: '../CHANGELOG.md', data: '## 1.0.0\n- pwned\n' }]));
    expect(await cargoContents(access, `${base}/evil-1.0.0.crate`, WANT_ALL)).toBeUndefined();
  });
});
