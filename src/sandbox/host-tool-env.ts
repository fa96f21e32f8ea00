import { SECRET_ENV_NAME } from '../secrets/patterns.js';
import type { HostEnv } from './env.js';

/** Where the system's own tools (cp, find) are, for a run that has no host environment at hand. */
export const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The environment of a coreutils/findutils run: the system PATH and a byte-exact locale. */
export const SYSTEM_TOOL_ENV: Readonly<Record<string, string>> = { PATH: SYSTEM_PATH, LC_ALL: 'C' };

/** What every host tool may see: where programs, home and temporary files are, and the locale. */
const BASE_NAMES = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'LC_CTYPE', 'TZ', 'TMPDIR'] as const;

export interface HostToolEnvOptions {
  /** Further variables the tool reads its configuration from (e.g. SSL_CERT_FILE). */
  names?: readonly string[];
  /** Prefixes of a client's own variables (npm_config_, PIP_, GO), compared without case. */
  prefixes?: readonly string[];
}

/**
 * The environment of a tool autodev runs on the host for itself (opa, a package client asked for its
 * registry): an allow-list of the server's environment, never a copy of it. A name that looks like a
 * credential (SECRET_ENV_NAME) is dropped even when listed or prefixed: the model's API key, a forge
 * token or a client's `_authToken` has no business in a tool that only reads configuration.
 */
export function hostToolEnv(hostEnv: HostEnv, options: HostToolEnvOptions = {}): Record<string, string> {
  const names = new Set<string>([...BASE_NAMES, ...(options.names ?? [])]);
  const prefixes = (options.prefixes ?? []).map((prefix) => prefix.toLowerCase());
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(hostEnv)) {
    if (value === undefined || SECRET_ENV_NAME.test(name)) continue;
    const lower = name.toLowerCase();
    if (names.has(name) || prefixes.some((prefix) => lower.startsWith(prefix))) env[name] = value;
  }
  return env;
}
