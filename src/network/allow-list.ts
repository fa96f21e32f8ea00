import { isIP } from 'node:net';
import { AutodevError } from '../errors.js';

/** One host (a DNS name or an IP literal, lower case, no brackets) and the port it may be reached on. */
export interface AllowedTarget {
  host: string;
  port: number;
}

/** The ports a bare `host` entry opens: a registry speaks https, and plain http for a redirect or a mirror. */
const DEFAULT_PORTS = [443, 80] as const;

const DEFAULT_PORT_BY_SCHEME: Readonly<Record<string, number>> = { 'https:': 443, 'http:': 80 };

/** DNS names as registries use them: letters, digits, hyphens, dots; nothing a URL could smuggle. */
const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;

/** `Example.org.` and `[::1]` to the form targets are compared in: `example.org`, `::1`. */
export function normalizeHost(host: string): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return bare.toLowerCase().replace(/\.$/, '');
}

function isValidHost(host: string): boolean {
  return isIP(host) !== 0 || HOST_NAME.test(host);
}

/** Why `entry` is no valid `setup_network_allow` entry, or undefined when it is one. */
export function allowEntryProblem(entry: string): string | undefined {
  try {
    parseAllowEntry(entry);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Parses one `setup_network_allow` entry: `host` (ports 443 and 80) or `host:port`, an IPv6 literal in
 * brackets. Throws CONFIG_INVALID naming the entry and what is expected.
 */
export function parseAllowEntry(entry: string): AllowedTarget[] {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(entry.trim());
  const host = match?.[1] === undefined ? '' : normalizeHost(match[1]);
  const port = match?.[2] === undefined ? undefined : Number(match[2]);
  if (!isValidHost(host) || (port !== undefined && (port < 1 || port > 65_535))) {
    throw new AutodevError(
      'CONFIG_INVALID',
      `setup_network_allow entry "${entry}" is not a host name or host:port (expected e.g. "registry.example.org" or "mirror.example.org:8443")`,
      { details: { key: 'setup_network_allow', value: entry } },
    );
  }
  return port === undefined ? DEFAULT_PORTS.map((p) => ({ host, port: p })) : [{ host, port }];
}

/**
 * The host and port of a registry URL as a client configuration names it (`https://r.example/simple`,
 * `sparse+https://index.example/`); undefined for what is no http(s) URL (a local path, `direct`, `off`).
 */
export function targetFromUrl(url: string): AllowedTarget | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url.trim().replace(/^(sparse|registry|git)\+/, ''));
  } catch {
    return undefined;
  }
  const defaultPort = DEFAULT_PORT_BY_SCHEME[parsed.protocol];
  if (defaultPort === undefined) return undefined;
  const host = normalizeHost(parsed.hostname);
  if (!isValidHost(host)) return undefined;
  return { host, port: parsed.port === '' ? defaultPort : Number(parsed.port) };
}

const targetKey = (t: AllowedTarget): string => `${normalizeHost(t.host)}|${String(t.port)}`;

/** The set of targets a setup's proxy lets through. */
export class AllowList {
  private readonly keys: Set<string>;
  private readonly nonPublic: Set<string>;

  /**
   * `operatorAddresses`: IP literals the operator named one by one (`setup_network_allow =
   * ["127.0.0.1:4873"]`, a registry mirror on this host or its LAN). Only these may be a loopback or
   * private address; a discovered registry, or a name resolving to such an address, never is.
   */
  constructor(
    readonly targets: readonly AllowedTarget[],
    operatorAddresses: readonly AllowedTarget[] = [],
  ) {
    this.keys = new Set(targets.map(targetKey));
    this.nonPublic = new Set(
      operatorAddresses.filter((t) => isIP(normalizeHost(t.host)) !== 0).map(targetKey),
    );
  }

  permits(host: string, port: number): boolean {
    return this.keys.has(targetKey({ host, port }));
  }

  /** Whether the operator named this IP literal and port itself, so its non-public range is intended. */
  permitsNonPublic(host: string, port: number): boolean {
    return this.nonPublic.has(targetKey({ host, port }));
  }

  /** `host:port` entries, sorted, for a log line or an error message. */
  describe(): string[] {
    return [...this.keys].map((key) => key.replace('|', ':')).sort();
  }
}
