import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutodevError, isAutodevError } from '../../errors.js';
import { findUpdates } from '../find.js';
import type { RegistryAccess } from '../registry-access.js';
import { resolveUpdateSettings } from '../settings.js';
import type { RepoFiles } from '../types.js';
import { createPythonUpdater } from './index.js';
import { machineUvIndex, repositoryUvIndex, uvLockEnv } from './uv-index.js';
import { isUvLock, uvLockedVersions } from '../../languages/python/uv-lock.js';

const NOW = new Date('2026-12-06T00:00:00Z');

/** uv.lock as uv 0.13 writes it: the project itself (virtual), a forked package, a git source. */
const UV_LOCK_TEXT = `version = 1
revision = 3
requires-python = ">=3.9"

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
    { name = "tiny-calc" },
]

[[package]]
name = "Tiny_Calc"
version = "1.0.0"
source = { registry = "http://127.0.0.1:1/simple/" }
wheels = [
    { url = "http://127.0.0.1:1/packages/tiny_calc-1.0.0-py3-none-any.whl", hash = "sha256:00" },
]

[[package]]
name = "forked"
version = "2.0.0"
source = { registry = "http://127.0.0.1:1/simple/" }
resolution-markers = ["python_full_version >= '3.10'"]

[[package]]
name = "forked"
version = "1.9.0"
source = { registry = "http://127.0.0.1:1/simple/" }

[[package]]
name = "local-lib"
version = "0.0.1"
source = { editable = "libs/local" }

[[package]]
name = "odd"
version = "not a version"
source = { registry = "http://127.0.0.1:1/simple/" }
`;

function repo(files: Record<string, string>): RepoFiles {
  return { read: (file) => Promise.resolve(files[file]) };
}

describe('uv.lock', () => {
  it('reads the versions it locks by normalised name: the newest of a forked package, no local sources, no invalid versions', () => {
    expect(uvLockedVersions(UV_LOCK_TEXT)).toEqual(
      new Map([
        ['tiny-calc', '1.0.0'],
        ['forked', '2.0.0'],
      ]),
    );
    expect(isUvLock(UV_LOCK_TEXT)).toBe(true);
    expect(isUvLock('tiny-calc==1.0.0 \\\n    --hash=sha256:00\n')).toBe(false);
  });

  it('refuses a lockfile that is not TOML, naming the file', () => {
    const error = (() => {
      try {
        return uvLockedVersions('[[package]\nname = ');
      } catch (e) {
        return e;
      }
    })();
    expect(isAutodevError(error, 'VALIDATION_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(/^uv\.lock is not valid TOML/);
  });
});

describe("uv's index", () => {
  it("is the repository's default [[tool.uv.index]], else its index-url; uv.toml replaces [tool.uv]", async () => {
    const indexes =
      '[[tool.uv.index]]\nname = "extra"\nurl = "http://extra/simple"\n\n' +
      '[[tool.uv.index]]\nname = "corp"\nurl = "http://corp/simple"\ndefault = true\n';
    expect(await repositoryUvIndex(repo({ 'pyproject.toml': `[project]\nname = "a"\n\n${indexes}` }))).toBe(
      'http://corp/simple',
    );
    expect(
      await repositoryUvIndex(repo({ 'pyproject.toml': '[tool.uv]\nindex-url = "http://old/simple"\n' })),
    ).toBe('http://old/simple');
    // Only a non-default index: uv's default stays the machine's.
    expect(
      await repositoryUvIndex(
        repo({ 'pyproject.toml': '[[tool.uv.index]]\nname = "x"\nurl = "http://extra/simple"\n' }),
      ),
    ).toBeUndefined();
    expect(
      await repositoryUvIndex(
        repo({
          'pyproject.toml': indexes,
          'uv.toml': '[[index]]\nurl = "http://from-uv-toml/simple"\ndefault = true\n',
        }),
      ),
    ).toBe('http://from-uv-toml/simple');
    expect(await repositoryUvIndex(repo({ 'pyproject.toml': indexes, 'uv.toml': '' }))).toBeUndefined();
  });

  it("is the machine's UV_DEFAULT_INDEX, then UV_INDEX_URL; an empty one is unset", () => {
    expect(machineUvIndex({ UV_DEFAULT_INDEX: 'http://a/simple', UV_INDEX_URL: 'http://b/simple' })).toBe(
      'http://a/simple',
    );
    expect(machineUvIndex({ UV_DEFAULT_INDEX: '', UV_INDEX_URL: 'http://b/simple' })).toBe('http://b/simple');
    expect(machineUvIndex({})).toBeUndefined();
  });

  it("gives the lock step the index the scan used: the repository's wins over the machine's variables, pip's index stands in for uv's", () => {
    const base = { UV_PYTHON_DOWNLOADS: 'never', UV_NO_PROGRESS: '1', UV_INDEX_URL: '' };
    expect(uvLockEnv('http://corp/simple', { UV_DEFAULT_INDEX: 'http://m/simple' })).toEqual({
      ...base,
      UV_DEFAULT_INDEX: '',
    });
    expect(
      uvLockEnv(undefined, { UV_INDEX_URL: 'http://m/simple', PIP_INDEX_URL: 'http://p/simple' }),
    ).toEqual({ ...base, UV_DEFAULT_INDEX: 'http://m/simple' });
    expect(uvLockEnv(undefined, { PIP_INDEX_URL: 'http://p/simple' })).toEqual({
      ...base,
      UV_DEFAULT_INDEX: 'http://p/simple',
    });
    expect(uvLockEnv(undefined, {})).toEqual({ ...base, UV_DEFAULT_INDEX: '' });
  });
});

/** A loopback simple index answering PEP 503 HTML for tiny-calc and forked. */
function startIndex(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const pages: Record<string, string[]> = {
      '/simple/tiny-calc/': ['tiny_calc-1.0.0-py3-none-any.whl', 'tiny_calc-1.0.1-py3-none-any.whl'],
      '/simple/forked/': ['forked-2.0.0-py3-none-any.whl', 'forked-2.1.0-py3-none-any.whl'],
    };
    const files = pages[req.url ?? ''];
    if (files === undefined) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(files.map((f) => `<a href="/p/${f}">${f}</a>`).join('<br>'));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('the Python updater on a uv-locked repository', () => {
  let server: http.Server;
  let index: string;
  const asked: string[][] = [];
  let clientEnv: Record<string, string> = {};
  const access: RegistryAccess = {
    clientRegistry: (argv) => {
      asked.push([...argv]);
      return Promise.resolve(argv.includes('config') ? `:env:.index-url='${index}'\n` : undefined);
    },
    assertAllowed: (ecosystem, url) =>
      url.startsWith(index)
        ? Promise.resolve()
        : Promise.reject(new AutodevError('UPDATE_REGISTRY_REFUSED', `${ecosystem}: ${url} refused`)),
    discovered: () => Promise.resolve([]),
    get clientEnv() {
      return clientEnv;
    },
    fetch,
  };
  const updater = createPythonUpdater(access);
  const pyproject = (extra = ''): string =>
    [
      '[project]',
      'name = "app"',
      'version = "0.1.0"',
      '# what the app needs',
      'dependencies = [',
      '    "tiny-calc>=1.0.0",  # the adder',
      ']',
      '',
      '[dependency-groups]',
      'dev = ["forked"]',
      extra,
    ].join('\n');

  beforeAll(async () => {
    server = await startIndex();
    index = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/simple/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('declares pyproject dependencies (bare names too) at the versions uv.lock resolves', async () => {
    const files = repo({ 'pyproject.toml': pyproject(), 'uv.lock': UV_LOCK_TEXT });
    expect(await updater.declared(files)).toEqual([
      { name: 'tiny-calc', depType: 'prod', range: '>=1.0.0', current: '1.0.0', manifest: 'pyproject.toml' },
      { name: 'forked', depType: 'dev', range: '', current: '2.0.0', manifest: 'pyproject.toml' },
    ]);
  });

  it('looks versions up in the index the repository names for uv, checked against the allow-list', async () => {
    const files = repo({
      'pyproject.toml': pyproject(`\n[[tool.uv.index]]\nname = "corp"\nurl = "${index}"\ndefault = true\n`),
      'uv.lock': UV_LOCK_TEXT,
    });
    asked.length = 0;
    const found = await findUpdates(
      updater,
      files,
      resolveUpdateSettings({ minimum_release_age: 0 }, undefined),
      NOW,
    );
    expect(asked).toEqual([]);
    expect(found.candidates).toMatchObject([
      { name: 'tiny-calc', from: '1.0.0', to: '1.0.1', fromRange: '>=1.0.0', toRange: '>=1.0.1' },
      { name: 'forked', from: '2.0.0', to: '2.1.0', fromRange: '', toRange: '' },
    ]);
    const refused = repo({
      'pyproject.toml': '[tool.uv]\nindex-url = "http://10.0.0.1/simple/"\n',
      'uv.lock': UV_LOCK_TEXT,
    });
    const error = await updater.lookup(refused).catch((e: unknown) => e);
    expect(isAutodevError(error, 'UPDATE_REGISTRY_REFUSED')).toBe(true);
    expect((error as Error).message).toContain('http://10.0.0.1/simple/');
  });

  it("else the machine's uv index, else pip's; a requirements file's --index-url is pip's, not uv's", async () => {
    const files = repo({
      'pyproject.toml': pyproject(),
      'uv.lock': UV_LOCK_TEXT,
      'requirements.txt': '--index-url http://10.0.0.2/simple/\n',
    });
    clientEnv = { UV_DEFAULT_INDEX: index };
    asked.length = 0;
    expect((await (await updater.lookup(files)).versions('tiny-calc')).map((v) => v.version)).toEqual([
      '1.0.0',
      '1.0.1',
    ]);
    expect(asked).toEqual([]);
    clientEnv = {};
    expect((await (await updater.lookup(files)).versions('tiny-calc')).map((v) => v.version)).toEqual([
      '1.0.0',
      '1.0.1',
    ]);
    expect(asked).toEqual([['python3', '-m', 'pip', 'config', 'list']]);
  });

  it('relocks with uv lock --upgrade-package NAME==V under the index variables, and reads uv.lock back', async () => {
    const files = repo({ 'pyproject.toml': pyproject(), 'uv.lock': UV_LOCK_TEXT });
    const uv = (await updater.forRepository?.(files)) ?? updater;
    const found = await findUpdates(
      uv,
      files,
      resolveUpdateSettings({ minimum_release_age: 0 }, undefined),
      NOW,
    );
    expect(uv.lockfileOf?.('pyproject.toml')).toBe('uv.lock');
    expect(uv.lockfileOf?.('requirements.in')).toBe('requirements.txt');
    expect(uv.lockCommands(found.candidates, true)).toEqual([
      ['uv', 'lock', '--upgrade-package', 'tiny-calc==1.0.1', '--upgrade-package', 'forked==2.1.0'],
    ]);
    expect((await uv.lockRun?.({ registryEnv: { PIP_INDEX_URL: index } } as never))?.env).toMatchObject({
      UV_DEFAULT_INDEX: index,
    });
    const relocked = UV_LOCK_TEXT.replace('version = "1.0.0"', 'version = "1.0.1"');
    expect(uv.lockedVersions(relocked, ['tiny-calc', 'forked'])).toEqual(
      new Map([
        ['tiny-calc', '1.0.1'],
        ['forked', '2.0.0'],
      ]),
    );
    // Without uv.lock the repository is not uv's: pyproject's floors, no uv step.
    const plain = (await updater.forRepository?.(repo({ 'pyproject.toml': pyproject() }))) ?? updater;
    expect(plain.lockfileOf?.('pyproject.toml')).toBeUndefined();
    expect(plain.lockRun).toBeUndefined();
  });

  it.each([
    ['[project]\nname = "app"\ndynamic = ["version"]\n', 'project.dynamic'],
    [
      '[project]\nname = "app"\nversion = "1"\n[tool.uv.workspace]\nmembers = ["libs/*"]\n',
      'tool.uv.workspace.members',
    ],
    [
      '[project]\nname = "app"\nversion = "1"\n[tool.uv.sources]\nlib = { path = "libs/lib" }\n',
      'tool.uv.sources.lib',
    ],
  ])('refuses a project uv would build to lock (repository code with network): %s', async (text, key) => {
    const error = await updater
      .declared(repo({ 'pyproject.toml': text, 'uv.lock': UV_LOCK_TEXT }))
      .catch((e: unknown) => e);
    expect(isAutodevError(error, 'UPDATE_UNSUPPORTED')).toBe(true);
    expect((error as AutodevError).details).toMatchObject({ key, tool: 'uv' });
    expect((error as Error).message).toContain('runs no repository code');
    const atLockStep = await updater
      .forRepository?.(repo({ 'pyproject.toml': text, 'uv.lock': UV_LOCK_TEXT }))
      .catch((e: unknown) => e);
    expect(isAutodevError(atLockStep, 'UPDATE_UNSUPPORTED')).toBe(true);
  });
});
