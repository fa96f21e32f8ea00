import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutodevError, isAutodevError } from '../../errors.js';
import { findUpdates } from '../find.js';
import type { RegistryAccess } from '../registry-access.js';
import { resolveUpdateSettings } from '../settings.js';
import type { RepoFiles } from '../types.js';
import { configuredIndexUrl, createPythonUpdater } from './index.js';
import { classifyPython, newPythonRange, PEP440_VERSIONING } from './versioning.js';

const NOW = new Date('2026-12-06T00:00:00Z');
const DAY = 86_400_000;
const daysAgo = (days: number): string => new Date(NOW.getTime() - days * DAY).toISOString();

/** A loopback simple index: PEP 691 JSON for tiny-calc, PEP 503 HTML for html-only, 500 for broken. */
function startIndex(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    if (req.url === '/simple/tiny-calc/' && String(req.headers.accept).includes('vnd.pypi.simple.v1+json')) {
      res.writeHead(200, { 'content-type': 'application/vnd.pypi.simple.v1+json' });
      res.end(
        JSON.stringify({
          meta: { 'api-version': '1.1' },
          name: 'tiny-calc',
          files: [
            { filename: 'tiny_calc-1.0.0-py3-none-any.whl', 'upload-time': daysAgo(40) },
            { filename: 'tiny_calc-1.0.1.tar.gz', 'upload-time': daysAgo(20) },
            { filename: 'tiny_calc-1.0.1-py3-none-any.whl', 'upload-time': daysAgo(19) },
            { filename: 'tiny_calc-1.0.2-py3-none-any.whl', 'upload-time': daysAgo(10), yanked: 'broken' },
            { filename: 'tiny_calc-1.1.0rc1-py3-none-any.whl', 'upload-time': daysAgo(2) },
            { filename: 'tiny_calc-1.1.0-py3-none-any.whl', 'upload-time': daysAgo(1) },
          ],
        }),
      );
    } else if (req.url === '/simple/html-only/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        '<html><body><a href="/p/html_only-2.0.tar.gz#sha256=1">html_only-2.0.tar.gz</a><br>' +
          '<a href="/p/html-only-2.1.zip" data-yanked="">html-only-2.1.zip</a></body></html>',
      );
    } else if (req.url === '/simple/broken/') {
      res.writeHead(500);
      res.end();
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function repo(files: Record<string, string>): RepoFiles {
  return { read: (file) => Promise.resolve(files[file]) };
}

describe('the Python updater against a loopback simple index', () => {
  let server: http.Server;
  let index: string;
  const asked: string[][] = [];
  let machineListing = '';
  const access: RegistryAccess = {
    clientRegistry: (argv) => {
      asked.push([...argv]);
      return Promise.resolve(argv.includes('config') ? machineListing : undefined);
    },
    assertAllowed: (ecosystem, url) =>
      url.startsWith(index)
        ? Promise.resolve()
        : Promise.reject(new AutodevError('UPDATE_REGISTRY_REFUSED', `${ecosystem}: ${url} refused`)),
    discovered: () => Promise.resolve([]),
    clientEnv: {},
    fetch,
  };
  const updater = createPythonUpdater(access);

  beforeAll(async () => {
    server = await startIndex();
    index = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/simple/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads requirements (following -r), pyproject sections, and the --index-url a requirements file names', async () => {
    const files = repo({
      'requirements.txt': `--index-url ${index}\ntiny-calc==1.0.0  # app\nunpinned\n`,
      'requirements-dev.txt': '-r requirements.txt\n-r ci/extra.txt\nhtml_only>=2.0,<3\n',
      'ci/extra.txt': 'Broken~=1.0\n',
      'pyproject.toml':
        '[project]\nname = "app"\ndependencies = ["tiny-calc>=1.0"]\n[project.optional-dependencies]\ntest = ["html-only==2.0"]\n',
    });
    expect(await updater.declared(files)).toEqual([
      {
        name: 'tiny-calc',
        depType: 'prod',
        range: '==1.0.0',
        current: '1.0.0',
        manifest: 'requirements.txt',
      },
      {
        name: 'html-only',
        depType: 'dev',
        range: '>=2.0,<3',
        current: '2.0',
        manifest: 'requirements-dev.txt',
      },
      { name: 'broken', depType: 'prod', range: '~=1.0', current: '1.0', manifest: 'ci/extra.txt' },
      { name: 'tiny-calc', depType: 'prod', range: '>=1.0', current: '1.0', manifest: 'pyproject.toml' },
      { name: 'html-only', depType: 'dev', range: '==2.0', current: '2.0', manifest: 'pyproject.toml' },
    ]);
    const lookup = await updater.lookup(files);
    expect(asked).toEqual([]);
    const versions = await lookup.versions('Tiny.Calc');
    expect(versions.map((v) => [v.version, v.yanked, v.publishedAt])).toEqual([
      ['1.0.0', false, daysAgo(40)],
      ['1.0.1', false, daysAgo(20)],
      ['1.0.2', true, daysAgo(10)],
      ['1.1.0rc1', false, daysAgo(2)],
      ['1.1.0', false, daysAgo(1)],
    ]);
    expect((await lookup.versions('html-only')).map((v) => [v.version, v.yanked, v.publishedAt])).toEqual([
      ['2.0', false, undefined],
      ['2.1', true, undefined],
    ]);
    expect(await lookup.versions('not-there')).toEqual([]);
  });

  it('skips prereleases, yanked and too-young versions, naming why; an index error names the index and package', async () => {
    machineListing = `global.index-url='http://127.0.0.1:9/simple/'\n:env:.index-url='${index}'\n`;
    const files = repo({ 'requirements.txt': 'tiny-calc==1.0.0\n' });
    const settings = resolveUpdateSettings({ minimum_release_age: 3 }, undefined);
    const found = await findUpdates(updater, files, settings, NOW);
    expect(found.candidates).toMatchObject([
      {
        ecosystem: 'python',
        name: 'tiny-calc',
        from: '1.0.0',
        to: '1.0.1',
        type: 'patch',
        toRange: '==1.0.1',
        ageDays: 20,
        manifest: 'requirements.txt',
      },
    ]);
    expect(found.skipped).toEqual([
      { ecosystem: 'python', name: 'tiny-calc', from: '1.0.0', to: '1.1.0', reason: 'too_young' },
    ]);
    const error = await findUpdates(
      updater,
      repo({ 'requirements.txt': 'broken==1.0\n' }),
      settings,
      NOW,
    ).catch((e: unknown) => e);
    expect(isAutodevError(error, 'UPDATE_REGISTRY_UNREACHABLE')).toBe(true);
    expect((error as Error).message).toBe(`python index ${index} could not be read for broken: HTTP 500`);
  });

  it('refuses an index the repository names that is not an allowed one, before any request', async () => {
    const files = repo({ 'requirements.txt': '-i http://10.0.0.1/simple/\ntiny-calc==1.0.0\n' });
    const error = await updater.lookup(files).catch((e: unknown) => e);
    expect(isAutodevError(error, 'UPDATE_REGISTRY_REFUSED')).toBe(true);
  });

  it.each([
    ['poetry.lock', 'Poetry'],
    ['pdm.lock', 'PDM'],
    ['Pipfile.lock', 'Pipenv'],
  ])('refuses a repository locked by a tool it does not drive (%s)', async (file, tool) => {
    const error = await updater
      .declared(repo({ 'pyproject.toml': '[project]\nname = "a"\n', [file]: '' }))
      .catch((e: unknown) => e);
    expect(isAutodevError(error, 'UPDATE_UNSUPPORTED')).toBe(true);
    expect((error as Error).message).toContain(`with ${tool},`);
    expect((error as Error).message).toContain('or locked by uv)');
  });

  it('refuses a pip-compile output with no .in beside it (compiled from pyproject.toml)', async () => {
    const compiled = '#\n# This file is autogenerated by pip-compile with Python 3.11\n#\ntiny-calc==1.0.0\n';
    const error = await updater.declared(repo({ 'requirements.txt': compiled })).catch((e: unknown) => e);
    expect(isAutodevError(error, 'UPDATE_UNSUPPORTED')).toBe(true);
    expect((error as Error).message).toContain('requirements.txt is compiled by pip-compile');
  });

  it('pip-tools: declares what the .in names at the .txt pins, recompiles with exactly the new versions, reads the pins back', async () => {
    const files = repo({
      'requirements.in': `-i ${index}\ntiny-calc\nhtml-only>=2.0  # bounded\n`,
      'requirements.txt': 'html-only==2.0\n    # via -r requirements.in\ntiny-calc==1.0.0\nsix==1.16.0\n',
    });
    expect(await updater.declared(files)).toEqual([
      { name: 'tiny-calc', depType: 'prod', range: '', current: '1.0.0', manifest: 'requirements.in' },
      { name: 'html-only', depType: 'prod', range: '>=2.0', current: '2.0', manifest: 'requirements.in' },
    ]);
    const settings = resolveUpdateSettings({ minimum_release_age: 3 }, undefined);
    const found = await findUpdates(updater, files, settings, NOW);
    expect(found.candidates).toMatchObject([
      {
        name: 'tiny-calc',
        from: '1.0.0',
        to: '1.0.1',
        fromRange: '',
        toRange: '',
        manifest: 'requirements.in',
      },
    ]);
    expect(updater.lockfileOf?.('requirements.in')).toBe('requirements.txt');
    expect(updater.lockfileOf?.('requirements.txt')).toBeUndefined();
    expect(updater.lockCommands(found.candidates, true)).toEqual([
      [
        'python3',
        '-m',
        'piptools',
        'compile',
        '--quiet',
        '--upgrade-package',
        'tiny-calc==1.0.1',
        '--output-file',
        'requirements.txt',
        'requirements.in',
      ],
    ]);
    expect(updater.lockCommands(found.candidates, false)).toEqual([]);
    expect(
      updater.lockedVersions('Tiny_Calc==1.0.1 \\\n    --hash=sha256:0\nsix==1.16.0\n', ['tiny-calc']),
    ).toEqual(new Map([['tiny-calc', '1.0.1']]));
  });

  it('a repository without Python manifests has no Python dependencies', async () => {
    expect(await updater.declared(repo({ 'package.json': '{}' }))).toEqual([]);
  });
});

describe('PEP 440 versioning', () => {
  it('moves floors, keeps upper bounds and precision, and gives up on a bound that excludes the new version', () => {
    expect(newPythonRange('==1.0.0', '1.0.1', 'bump')).toBe('==1.0.1');
    expect(newPythonRange('>= 1.2, <2', '1.4.0', 'bump')).toBe('>= 1.4.0, <2');
    expect(newPythonRange('>=1.2,<2', '2.0.0', 'bump')).toBeUndefined();
    expect(newPythonRange('~=1.4', '1.5.2', 'bump')).toBe('~=1.5');
    expect(newPythonRange('~=1.4', '1.4.3', 'bump')).toBe('~=1.4.3');
    expect(newPythonRange('>=1.2,<2', '1.4.0', 'replace')).toBe('>=1.2,<2');
    expect(newPythonRange('>=1.2,<2', '1.4.0', 'pin')).toBe('==1.4.0');
    expect(newPythonRange('<2', '1.4.0', 'bump')).toBeUndefined();
  });

  it('classifies by release segments (below 1.0 a minor step is major) and knows prereleases', () => {
    expect(classifyPython('1.0', '1.0.1')).toBe('patch');
    expect(classifyPython('1.0.0', '1.0.0.post1')).toBe('patch');
    expect(classifyPython('1.0.0', '1.2')).toBe('minor');
    expect(classifyPython('0.3.0', '0.4.0')).toBe('major');
    expect(classifyPython('1.9', '2.0')).toBe('major');
    expect(classifyPython('2.0', '1.9')).toBeUndefined();
    expect(PEP440_VERSIONING.isStable('1.1.0rc1')).toBe(false);
    expect(PEP440_VERSIONING.isStable('1.1.0.dev3')).toBe(false);
    expect(PEP440_VERSIONING.isStable('1.1.0.post1')).toBe(true);
  });

  it('reads index-url from pip config list: the environment wins, then the last file', () => {
    expect(configuredIndexUrl("global.index-url='http://a/simple'\nuser.index-url='http://b/simple'\n")).toBe(
      'http://b/simple',
    );
    expect(configuredIndexUrl(":env:.index-url='http://e/simple'\nsite.index-url='http://s/simple'\n")).toBe(
      'http://e/simple',
    );
    expect(configuredIndexUrl(":env:.find-links='/opt/wheels'\n")).toBeUndefined();
  });
});
