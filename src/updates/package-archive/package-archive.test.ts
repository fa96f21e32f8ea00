import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildTarGz, buildZip, type TestEntry } from '../../../test/helpers/archives.js';
import { suiteRandom } from '../../../test/helpers/seeded-random.js';
import { readArchive, type ArchiveFormat, type ArchiveLimits } from './index.js';

const LIMITS: ArchiveLimits = {
  maxEntries: 50,
  maxUnpackedBytes: 256 * 1024,
  maxFileBytes: 1024,
  maxPickedBytes: 4096,
};

const build = (format: ArchiveFormat, entries: readonly TestEntry[]): Buffer =>
  format === 'zip' ? buildZip(entries) : buildTarGz(entries);

const all = (): boolean => true;

describe.each(['tar.gz', 'zip'] as const)('package archive reader: %s (seeded)', (format) => {
  const random = suiteRandom();

  it('reads the picked regular files by entry path, and nothing else', async () => {
    const names = Array.from(
      { length: 1 + random.int(8) },
      (_, i) => `pkg-1.0/${random.from('abcxyz', 5)}${String(i)}.txt`,
    );
    const texts = names.map(() => random.from('abc def\nghé', random.int(200)));
    const entries = names.map((name, i) => ({ name, data: texts[i], deflate: random.int(2) === 0 }));
    const picked = names.filter((_, i) => i % 2 === 0);
    const out = await readArchive(format, build(format, entries), (p) => picked.includes(p), LIMITS);
    expect([...out.keys()].sort()).toEqual([...picked].sort());
    for (const name of picked) expect(out.get(name)).toBe(texts[names.indexOf(name)]);
  });

  it('cuts a picked file at its bound and stops picking past the total', async () => {
    const big = 'x'.repeat(5000);
    const entries = Array.from({ length: 8 }, (_, i) => ({
      name: `p/f${String(i)}`,
      data: big,
      deflate: true,
    }));
    const out = await readArchive(format, build(format, entries), all, LIMITS);
    expect(out.get('p/f0')).toBe('x'.repeat(LIMITS.maxFileBytes));
    const total = [...out.values()].reduce((n, t) => n + t.length, 0);
    expect(total).toBeLessThanOrEqual(LIMITS.maxPickedBytes);
    expect(out.size).toBe(LIMITS.maxPickedBytes / LIMITS.maxFileBytes);
  });

  it.each(['../escape.md', 'pkg/../../escape.md', '/etc/passwd'])(
    'refuses an archive with an entry named %s',
    async (name) => {
      const bytes = build(format, [
        { name: 'pkg/CHANGELOG.md', data: '## 1.0.0' },
        { name, data: 'pwned' },
      ]);
      await expect(readArchive(format, bytes, all, LIMITS)).rejects.toMatchObject({
        code: 'ARCHIVE_REFUSED',
      });
    },
  );

  it('never reads a symbolic link, whatever it is named', async () => {
    const link: TestEntry =
      format === 'zip'
        ? { name: 'pkg/CHANGELOG.md', data: '/etc/passwd', mode: 0o120777 }
        : { name: 'pkg/CHANGELOG.md', type: 'SymbolicLink', linkpath: '/etc/passwd' };
    const out = await readArchive(
      format,
      build(format, [link, { name: 'pkg/a.txt', data: 'a' }]),
      all,
      LIMITS,
    );
    expect([...out.keys()]).toEqual(['pkg/a.txt']);
  });

  it('refuses an archive of more entries than its bound', async () => {
    const entries = Array.from({ length: LIMITS.maxEntries + 1 }, (_, i) => ({
      name: `p/${String(i)}`,
      data: '',
    }));
    await expect(readArchive(format, build(format, entries), () => false, LIMITS)).rejects.toMatchObject({
      code: 'ARCHIVE_REFUSED',
      message: expect.stringContaining(`more than ${String(LIMITS.maxEntries)} entries`) as unknown,
    });
  });

  it('refuses an archive that unpacks past its bound (a bomb), having read only a bounded part', async () => {
    const zeros = Buffer.alloc(LIMITS.maxUnpackedBytes + 1024);
    const bytes = build(format, [{ name: 'p/zeros', data: zeros, deflate: true }]);
    expect(bytes.length).toBeLessThan(zeros.length / 50);
    await expect(readArchive(format, bytes, all, LIMITS)).rejects.toMatchObject({
      code: 'ARCHIVE_REFUSED',
      message: expect.stringContaining('unpacks to over') as unknown,
    });
  });

  it('refuses what is not an archive of its format', async () => {
    await expect(
      readArchive(format, Buffer.from(random.from('abc', 300)), all, LIMITS),
    ).rejects.toMatchObject({
      code: 'ARCHIVE_REFUSED',
    });
  });
});

describe('archive specifics', () => {
  it('an entry whose data is longer than its declared size is cut at the declared size or refused, never read past it', async () => {
    const bytes = buildZip([{ name: 'p/a.txt', data: 'x'.repeat(600), declaredSize: 10, deflate: true }]);
    const read = readArchive('zip', bytes, all, LIMITS);
    await expect(read).rejects.toMatchObject({ code: 'ARCHIVE_REFUSED' });
  });

  it('a gzip holding no tar entries yields no files', async () => {
    await expect(readArchive('tar.gz', gzipSync(Buffer.from('hello')), all, LIMITS)).resolves.toEqual(
      new Map(),
    );
  });
});
