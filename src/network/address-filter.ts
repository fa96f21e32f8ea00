import ipaddr from 'ipaddr.js';

/**
 * Ranges (as ipaddr.js names them) that are no way out for a sandbox: the host itself (loopback,
 * unspecified), its LAN and cloud metadata (private, link-local, unique-local, carrier-grade NAT),
 * no single host (multicast, broadcast), and the IPv6 forms that carry an IPv4 address (NAT64,
 * 6to4, Teredo, SIIT), which could carry a private one.
 *
 * Documentation and benchmarking ranges (TEST-NET, 198.18.0.0/15) are not refused: networks with a
 * transparent registry mirror or a fake-IP resolver answer public names from them, and they reach
 * neither the host nor its LAN.
 */
const FORBIDDEN_RANGES: ReadonlySet<string> = new Set([
  'unspecified',
  'broadcast',
  'multicast',
  'linkLocal',
  'loopback',
  'carrierGradeNat',
  'private',
  'uniqueLocal',
  'ipv4Mapped',
  'rfc6145',
  'rfc6052',
  '6to4',
  'teredo',
  'discard',
  'deprecated',
]);

/** Returns undefined for an address a sandbox may reach, else why not (the range's name). */
export function forbiddenRange(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  let parsed = ipaddr.parse(address);
  // ::ffff:127.0.0.1 is 127.0.0.1 to the kernel: judge the IPv4 address it carries.
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  const range = parsed.range();
  return FORBIDDEN_RANGES.has(range) ? range : undefined;
}

export function isPublicAddress(address: string): boolean {
  return forbiddenRange(address) === undefined;
}
