import { targetFromUrl, type AllowedTarget } from '../allow-list.js';
import type { RegistryProbe } from './types.js';

/**
 * GOSUMDB is `off`, a name (`sum.example.org`, served over https), or `name+key [url]`: the URL when
 * given, else the name is the host.
 */
function sumdbUrl(value: string): string | undefined {
  const [name, url] = value.trim().split(/\s+/);
  if (url !== undefined) return url;
  if (name === undefined || name === '' || name === 'off') return undefined;
  return `https://${name.split('+')[0] ?? ''}/`;
}

/** GOPROXY's proxies (`direct` and `off` open nothing: a VCS fetch from any host is not allowed) and GOSUMDB. */
export const goRegistries: RegistryProbe = {
  client: 'go',
  async targets({ run }) {
    const out = await run(['go', 'env', '-json', 'GOPROXY', 'GOSUMDB']);
    if (out === undefined) return [];
    let env: { GOPROXY?: unknown; GOSUMDB?: unknown };
    try {
      env = JSON.parse(out) as typeof env;
    } catch {
      return [];
    }
    const proxies = typeof env.GOPROXY === 'string' ? env.GOPROXY.split(/[,|]/) : [];
    const sumdb = typeof env.GOSUMDB === 'string' ? sumdbUrl(env.GOSUMDB) : undefined;
    return [...proxies, ...(sumdb === undefined ? [] : [sumdb])]
      .map(targetFromUrl)
      .filter((target): target is AllowedTarget => target !== undefined);
  },
};
