import { describe, expect, it } from 'vitest';
import { AllowList, parseAllowEntry, targetFromUrl } from './allow-list.js';

describe('the allow-list of setup with network', () => {
  it('reads registry URLs as client configurations write them', () => {
    expect(targetFromUrl('https://Registry.Example.org/')).toEqual({
      host: 'registry.example.org',
      port: 443,
    });
    expect(targetFromUrl('sparse+https://index.example.org/')).toEqual({
      host: 'index.example.org',
      port: 443,
    });
    expect(targetFromUrl('http://mirror.example.org:8080/simple')).toEqual({
      host: 'mirror.example.org',
      port: 8080,
    });
    for (const notAUrl of ['direct', 'off', '/opt/wheels', 'file:///opt/wheels', '']) {
      expect(targetFromUrl(notAUrl), notAUrl).toBeUndefined();
    }
  });

  it('opens 443 and 80 for a bare host, only the given port for host:port', () => {
    const list = new AllowList([
      ...parseAllowEntry('Mirror.Example.org.'),
      ...parseAllowEntry('[2001:db8::1]:8443'),
    ]);
    expect(list.permits('mirror.example.org', 443)).toBe(true);
    expect(list.permits('MIRROR.example.org', 80)).toBe(true);
    expect(list.permits('mirror.example.org', 22)).toBe(false);
    expect(list.permits('[2001:db8::1]', 8443)).toBe(true);
    expect(list.permits('2001:db8::1', 443)).toBe(false);
    expect(list.permits('evil.mirror.example.org', 443)).toBe(false);
  });

  it('refuses entries that are URLs, have a bad port or characters no host name has, naming the entry', () => {
    for (const bad of [
      'https://x.example',
      'x.example:0',
      'x.example:65536',
      'x y',
      'x_y.example',
      '-x.example',
      '',
    ]) {
      expect(() => parseAllowEntry(bad), bad).toThrow(`"${bad}"`);
    }
  });
});
