import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * The public registries' hosts, spelled in parts so this file does not name them either. Every
 * registry location comes from its client's own configuration (issue #22): behind a corporate mirror
 * a written-in address breaks autodev.
 */
const HOSTS = [
  ['registry', 'npmjs', 'org'],
  ['registry', 'yarnpkg', 'com'],
  ['repo', 'yarnpkg', 'com'],
  ['pypi', 'org'],
  ['files', 'pythonhosted', 'org'],
  ['crates', 'io'],
  ['proxy', 'golang', 'org'],
  ['sum', 'golang', 'org'],
].map((parts) => parts.join('.'));

describe('no registry address in the product', () => {
  it('no tracked file under src/, test/, bench/, docs/ or the README names a public registry host', async () => {
    const { stdout } = await exec('git', ['ls-files', '-z', 'src', 'test', 'bench', 'docs', 'README.md'], {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
    });
    const files = stdout.split('\0').filter((f) => f !== '' && !/\.(png|jpg|gz|zip|wasm)$/.test(f));
    expect(files.length).toBeGreaterThan(100);
    const found: string[] = [];
    for (const file of files) {
      const text = (await readFile(path.join(ROOT, file), 'utf8').catch(() => '')).toLowerCase();
      for (const host of HOSTS) if (text.includes(host)) found.push(`${file}: ${host}`);
    }
    expect(found).toEqual([]);
  });
});
