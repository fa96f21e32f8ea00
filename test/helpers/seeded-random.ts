import { afterEach } from 'vitest';

/**
 * A seeded generator for test data (mulberry32): a failure replays with the seed it printed. The seed
 * is `AUTODEV_TEST_SEED` when set (to replay), else a fresh one per run, so runs still vary.
 */
export interface SeededRandom {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, max). */
  int(max: number): number;
  bytes(length: number): Buffer;
  /** `length` characters drawn from `alphabet`. */
  from(alphabet: string, length: number): string;
  /** A version-4-shaped UUID. */
  uuid(): string;
  pick<T>(items: readonly T[]): T;
}

export function createSeededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number): number => Math.floor(next() * max);
  const bytes = (length: number): Buffer => {
    const out = Buffer.alloc(length);
    for (let i = 0; i < length; i += 1) out[i] = int(256);
    return out;
  };
  return {
    seed: seed >>> 0,
    next,
    int,
    bytes,
    from: (alphabet, length) => {
      let out = '';
      for (let i = 0; i < length; i += 1) out += alphabet[int(alphabet.length)];
      return out;
    },
    uuid: () => {
      const b = bytes(16);
      b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
      b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
      const hex = b.toString('hex');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    },
    pick: (items) => {
      const item = items[int(items.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
  };
}

/** The run's seed: AUTODEV_TEST_SEED to replay a failure, a fresh one otherwise. */
export function testSeed(): number {
  const fixed = process.env['AUTODEV_TEST_SEED'];
  if (fixed !== undefined && fixed !== '') {
    const value = Number(fixed);
    if (!Number.isInteger(value)) throw new Error(`AUTODEV_TEST_SEED must be an integer, got ${fixed}`);
    return value >>> 0;
  }
  return Math.floor(Math.random() * 2 ** 32) >>> 0;
}

/**
 * A seeded generator for the calling suite, whose seed is printed after every failing test with the
 * command that replays it. Call at the top of a `describe` (it registers an afterEach hook).
 */
export function suiteRandom(): SeededRandom {
  const random = createSeededRandom(testSeed());
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') {
      console.error(`test data seed ${random.seed}: replay with AUTODEV_TEST_SEED=${random.seed}`);
    }
  });
  return random;
}
