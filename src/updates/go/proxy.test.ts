import { describe, expect, it } from 'vitest';
import { escapeModulePath, matchesPrefixPatterns, parseGoProxy } from './proxy.js';

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
