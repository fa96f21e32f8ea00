import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalGoProxy, type LocalGoProxy } from '../../../test/helpers/go-module-proxy.js';
import {
  escapeModulePath,
  fetchGoVersions,
  matchesPrefixPatterns,
  parseGoProxy,
  type GoModuleSettings,
} from './proxy.js';

describe('GOPROXY, GONOPROXY and the proxy path encoding', () => {
  it("reads GOPROXY's entries and what each separator lets fall through", () => {
    expect(parseGoProxy('https://a.example/go/,https://b.example|direct,off')).toEqual([
      { kind: 'proxy', url: 'https://a.example/go', onAnyError: false },
      { kind: 'proxy', url: 'https://b.example', onAnyError: true },
      { kind: 'direct' },
      { kind: 'off' },
    ]);
    expect(parseGoProxy('')).toEqual([]);
  });

  it('matches GONOPROXY globs against the leading path elements, as go does', () => {
    const patterns = '*.corp.example,github.com/acme';
    expect(matchesPrefixPatterns(patterns, 'git.corp.example/team/tool')).toBe(true);
    expect(matchesPrefixPatterns(patterns, 'github.com/acme/lib/v2')).toBe(true);
    expect(matchesPrefixPatterns(patterns, 'github.com/acmeco/lib')).toBe(false);
    expect(matchesPrefixPatterns(patterns, 'corp.example/x')).toBe(false);
    expect(matchesPrefixPatterns('', 'github.com/acme/lib')).toBe(false);
  });

  it('case-encodes upper-case letters as the proxy protocol says', () => {
    expect(escapeModulePath('github.com/Azure/SDK')).toBe('github.com/!azure/!s!d!k');
    expect(escapeModulePath('v1.0.0-RC1')).toBe('v1.0.0-!r!c1');
  });
});

describe('fetchGoVersions against a module proxy served as files', () => {
  let proxy: LocalGoProxy;
  const DAY_MS = 86_400_000;
  const longAgo = new Date(Date.now() - 30 * DAY_MS);
  const settings = (GOPROXY: string, noProxy = ''): GoModuleSettings => ({
    proxies: parseGoProxy(GOPROXY),
    noProxy,
  });

  beforeAll(async () => {
    proxy = await startLocalGoProxy();
    const mod = 'example.test/Upper/lib';
    await proxy.publish(mod, 'v1.0.0', {}, longAgo);
    await proxy.publish(mod, 'v1.1.0', {}, longAgo);
    await proxy.publish(mod, 'v1.2.0-rc.1', {}, longAgo);
    await proxy.publish(mod, 'v2.0.0+incompatible', {}, longAgo);
    // The newest release retracts itself and an earlier one: go's way of withdrawing a version.
    await proxy.publish(
      mod,
      'v1.1.2',
      { 'go.mod': `module ${mod}\n\ngo 1.21\n\nretract (\n\tv1.1.2 // published by mistake\n\tv1.1.1\n)\n` },
      longAgo,
    );
    await proxy.publish(mod, 'v1.1.1', {}, new Date('2026-01-02T03:04:05Z'));
  });
  afterAll(async () => {
    await proxy.close();
  });

  it('lists the newer releases of the path, dated by .info, retracted ones marked', async () => {
    const versions = await fetchGoVersions(settings(proxy.url), 'example.test/Upper/lib', 'v1.0.0', fetch);
    expect(versions.map((v) => `${v.version}:${String(v.deprecated)}`)).toEqual([
      'v1.1.2:true',
      'v1.1.1:true',
      'v1.1.0:false',
    ]);
    expect(versions.find((v) => v.version === 'v1.1.1')?.publishedAt).toBe('2026-01-02T03:04:05.000Z');
  });

  it("falls through to the next proxy on not found after ',', and on any error only after '|'", async () => {
    const missing = `${proxy.url}/nothing-here`;
    const stopped = await startLocalGoProxy();
    await stopped.close();
    const down = stopped.url;
    const found = await fetchGoVersions(
      settings(`${missing},${proxy.url}`),
      'example.test/Upper/lib',
      'v1.1.0',
      fetch,
    );
    expect(found.map((v) => v.version)).toEqual(['v1.1.2', 'v1.1.1']);
    const afterPipe = await fetchGoVersions(
      settings(`${down}|${proxy.url}`),
      'example.test/Upper/lib',
      'v1.1.0',
      fetch,
    );
    expect(afterPipe.map((v) => v.version)).toEqual(['v1.1.2', 'v1.1.1']);
    await expect(
      fetchGoVersions(settings(`${down},${proxy.url}`), 'example.test/Upper/lib', 'v1.1.0', fetch),
    ).rejects.toThrow(`go module proxy ${down} could not be read for example.test/Upper/lib: ECONNREFUSED`);
  });

  it('looks nothing up for a module GONOPROXY names or only direct could fetch', async () => {
    const noProxy = await fetchGoVersions(
      settings(proxy.url, 'example.test/upper,example.test/Upper'),
      'example.test/Upper/lib',
      'v1.0.0',
      fetch,
    );
    expect(noProxy).toEqual([]);
    const direct = await fetchGoVersions(
      settings(`${proxy.url}/nothing-here,direct`),
      'example.test/Upper/lib',
      'v1.0.0',
      fetch,
    );
    expect(direct).toEqual([]);
  });
});
