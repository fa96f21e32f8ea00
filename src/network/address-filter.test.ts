import { BlockList } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createRandom, randomInt, type Random } from '../../bench/edit-cases/random.js';
import { forbiddenRange } from './address-filter.js';

const SEED = Number(process.env.AUTODEV_TEST_SEED ?? Date.now() % 2 ** 31);

/**
 * The ranges a sandbox must never reach, written down independently of ipaddr.js's range names and
 * checked by node's own BlockList: the oracle the filter is compared with.
 */
function forbiddenOracle(): BlockList {
  const list = new BlockList();
  for (const [net, prefix] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.168.0.0', 16],
    ['224.0.0.0', 4],
    ['255.255.255.255', 32],
  ] as const) {
    list.addSubnet(net, prefix, 'ipv4');
  }
  for (const [net, prefix] of [
    ['::', 128],
    ['::1', 128],
    ['fe80::', 10],
    ['fc00::', 7],
    ['ff00::', 8],
    ['64:ff9b::', 96],
    ['2002::', 16],
    ['2001::', 32],
  ] as const) {
    list.addSubnet(net, prefix, 'ipv6');
  }
  return list;
}

function randomIpv4(random: Random): string {
  return Array.from({ length: 4 }, () => randomInt(random, 0, 255)).join('.');
}

/** An address inside `base/prefix` with random host bits (IPv4). */
function randomIpv4In(random: Random, base: string, prefix: number): string {
  const start = base.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
  const size = 2 ** (32 - prefix);
  const value = start + Math.floor(random() * size);
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

function randomIpv6(random: Random, firstGroup: number): string {
  const groups = [firstGroup, ...Array.from({ length: 7 }, () => randomInt(random, 0, 0xffff))];
  return groups.map((g) => g.toString(16)).join(':');
}

describe(`the setup proxy's address filter (seed ${String(SEED)}; AUTODEV_TEST_SEED replays it)`, () => {
  const oracle = forbiddenOracle();

  it('agrees with the oracle on random IPv4 addresses, and on their IPv4-mapped IPv6 forms', () => {
    const random = createRandom(SEED);
    for (let i = 0; i < 5000; i += 1) {
      const address = randomIpv4(random);
      const refused = oracle.check(address, 'ipv4');
      expect(forbiddenRange(address) !== undefined, address).toBe(refused);
      expect(forbiddenRange(`::ffff:${address}`) !== undefined, `::ffff:${address}`).toBe(refused);
    }
  });

  it('refuses every address drawn inside the forbidden IPv4 ranges, in dotted and mapped-hex form', () => {
    const random = createRandom(SEED + 1);
    const ranges = [
      ['0.0.0.0', 8],
      ['10.0.0.0', 8],
      ['100.64.0.0', 10],
      ['127.0.0.0', 8],
      ['169.254.0.0', 16],
      ['172.16.0.0', 12],
      ['192.168.0.0', 16],
      ['224.0.0.0', 4],
    ] as const;
    for (let i = 0; i < 2000; i += 1) {
      const [base, prefix] = ranges[randomInt(random, 0, ranges.length - 1)] ?? ranges[0];
      const address = randomIpv4In(random, base, prefix);
      expect(forbiddenRange(address), address).toBeDefined();
      const [a = 0, b = 0, c = 0, d = 0] = address.split('.').map(Number);
      const mappedHex = `::ffff:${(a * 256 + b).toString(16)}:${(c * 256 + d).toString(16)}`;
      expect(forbiddenRange(mappedHex), mappedHex).toBeDefined();
    }
  });

  it('agrees with the oracle on random IPv6 addresses around the forbidden prefixes', () => {
    const random = createRandom(SEED + 2);
    // First groups of forbidden prefixes (link-local, unique-local, multicast, 6to4, Teredo, NAT64)
    // and of public unicast space.
    const firstGroups = [
      0xfe80, 0xfebf, 0xfc00, 0xfd12, 0xff02, 0x2002, 0x2001, 0x0064, 0x2606, 0x2a00, 0x2400,
    ];
    for (let i = 0; i < 3000; i += 1) {
      let address = randomIpv6(random, firstGroups[randomInt(random, 0, firstGroups.length - 1)] ?? 0x2606);
      // Teredo (2001:0::/32) and NAT64 (64:ff9b::/96) need their second (and more) groups fixed.
      if (address.startsWith('2001:') && random() < 0.5)
        address = address.replace(/^2001:[0-9a-f]+:/, '2001:0:');
      if (address.startsWith('64:') && random() < 0.8) address = `64:ff9b::${randomIpv4(random)}`;
      expect(forbiddenRange(address) !== undefined, address).toBe(oracle.check(address, 'ipv6'));
    }
  });

  it('refuses the host itself in every spelling: ::, ::1, 0.0.0.0, ::ffff:127.0.0.1, and no IP at all', () => {
    for (const address of ['::', '::1', '0:0:0:0:0:0:0:1', '0.0.0.0', '::ffff:127.0.0.1', '::ffff:7f00:1']) {
      expect(forbiddenRange(address), address).toBeDefined();
    }
    expect(forbiddenRange('localhost')).toBe('not an IP address');
  });
});
