import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changelogEntry } from '../../bench/localisation/changelog.js';
import { changedSourceFiles, sourceFiles } from '../../bench/localisation/source-diff.js';

/**
 * The localisation bench's case rules for its second set: the release note is read from changelogs in
 * the formats Python, Rust and Go packages ship, and only their own source files are ranked.
 */
describe("changelog entries in the second case set's formats", () => {
  it('reads a reStructuredText section (Pallets: "Version X" underlined with dashes)', () => {
    const changes = [
      'Version 8.1.5',
      '-------------',
      '',
      'Released 2023-07-13',
      '',
      '-   Fix type hints for ``group`` on Python 3.8. :issue:`2551`',
      '',
      '',
      'Version 8.1.4',
      '-------------',
      '',
      '-   Replace all ``typing.Dict`` occurrences.',
    ].join('\n');
    expect(changelogEntry(changes, '8.1.5')).toBe(
      'Released 2023-07-13\n\n-   Fix type hints for ``group`` on Python 3.8. :issue:`2551`',
    );
    expect(changelogEntry(changes, '8.1.4')).toBe('-   Replace all ``typing.Dict`` occurrences.');
  });

  it('reads a version-and-date title underlined with equals signs (urllib3)', () => {
    const changes =
      '2.0.4 (2023-07-19)\n==================\n\n- Added support for union operators.\n\n2.0.3 (2023-06-07)\n==================\n\n- Allowed alternative SSL libraries.\n';
    expect(changelogEntry(changes, '2.0.4')).toBe('- Added support for union operators.');
    expect(changelogEntry(changes, '2.0.3')).toBe('- Allowed alternative SSL libraries.');
  });

  it('keeps the sub-headings of a Markdown entry whose versions carry a v or brackets (hyper, log)', () => {
    const hyper =
      '### v0.14.27 (2023-06-26)\n\n#### Bug Fixes\n\n* **http1:** fix panic\n\n### v0.14.26 (2023-04-13)\n\n* older';
    expect(changelogEntry(hyper, '0.14.27')).toBe('#### Bug Fixes\n\n* **http1:** fix panic');
    const log =
      '## [0.4.20] - 2023-07-11\n\n* Remove rustversion dev-dependency\n\n## [0.4.19] - 2023-06-10\n\n* older';
    expect(changelogEntry(log, '0.4.20')).toBe('* Remove rustversion dev-dependency');
  });

  it('tells a release from a longer version that starts with it (Go modules: 5.5.1 is not 5.5.10)', () => {
    const pgx =
      '# 5.5.10 (2024-01-01)\n\n* later fix\n\n# 5.5.1 (2023-12-09)\n\n* Fix: prefer driver.Valuer\n';
    expect(changelogEntry(pgx, '5.5.1')).toBe('* Fix: prefer driver.Valuer');
    expect(changelogEntry('# Version 0.5.8\n\n- Fix race condition\n', '0.5.8')).toBe('- Fix race condition');
  });
});

describe('source files of a Python, Rust or Go release', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'localisation-source-'));
    const files = {
      'src/click/core.py': 'def main(): pass\n',
      'src/click/test_helpers.py': 'x = 1\n',
      'tests/test_core.py': 'def test_main(): pass\n',
      'conftest.py': 'import pytest\n',
      'setup.py': 'from setuptools import setup\n',
      'docs/conf.py': 'project = "click"\n',
      'src/lib.rs': 'pub fn parse() {}\n',
      'benches/parse.rs': 'fn bench() {}\n',
      'conn.go': 'package pgx\n',
      'conn_test.go': 'package pgx\n',
      'pgtype/testdata/fixture.go': 'package testdata\n',
    };
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), text);
    }
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("ranks the package's code, not its tests, benches, docs or packaging scripts", async () => {
    expect((await sourceFiles(dir)).sort()).toEqual(['conn.go', 'src/click/core.py', 'src/lib.rs']);
  });
});

describe('the answer of a release pair', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'localisation-diff-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function release(name: string, files: Record<string, string>): Promise<string> {
    const dir = path.join(root, name);
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), text);
    }
    return dir;
  }

  it('counts the files the fix changed, not a version module or a line that only names the version', async () => {
    const before = await release('2.32.2', {
      'src/requests/__version__.py': '__version__ = "2.32.2"\n__build__ = 0x023202\n',
      'src/requests/adapters.py': 'def send(self):\n    return self.poolmanager\n',
      'src/requests/help.py': 'VERSION = "2.32.2"\n',
      'src/requests/models.py': 'class Response: pass\n',
    });
    const after = await release('2.32.3', {
      'src/requests/__version__.py': '__version__ = "2.32.3"\n__build__ = 0x023203\n',
      'src/requests/adapters.py': 'def send(self):\n    return self.poolmanager.connection\n',
      'src/requests/help.py': 'VERSION = "2.32.3"\n',
      'src/requests/models.py': 'class Response: pass\n',
    });
    const files = await sourceFiles(before);
    expect(await changedSourceFiles(before, after, files, { from: '2.32.2', to: '2.32.3' })).toEqual([
      'src/requests/adapters.py',
    ]);
  });
});
