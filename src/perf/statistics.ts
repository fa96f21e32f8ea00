/** Seeded generator (mulberry32): the same samples and seed give the same interval, run after run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A string's FNV-1a hash, to seed each benchmark's resampling from its name. */
export function hashSeed(text: string, seed: number): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Median absolute deviation over the median: how far a typical run strays, as a fraction. */
export function relativeSpread(values: readonly number[]): number {
  const m = median(values);
  if (!(m > 0)) return 0;
  return median(values.map((v) => Math.abs(v - m))) / m;
}

function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  const a = sorted[low] ?? Number.NaN;
  const b = sorted[high] ?? Number.NaN;
  return a + (b - a) * (at - low);
}

// A zero median (a benchmark too fast for its tool's resolution) must not divide by zero.
const TINY = 1e-12;

function ratioOfMedians(base: readonly number[], head: readonly number[]): number {
  return Math.max(median(head), TINY) / Math.max(median(base), TINY);
}

function resample(values: readonly number[], random: () => number): number[] {
  return values.map(() => values[Math.floor(random() * values.length)] ?? 0);
}

/**
 * Percentile bootstrap confidence interval of median(head) / median(base): both sides resampled with
 * replacement `resamples` times from the seeded generator.
 */
export function bootstrapRatioInterval(
  base: readonly number[],
  head: readonly number[],
  options: { seed: number; resamples?: number; confidence?: number },
): [number, number] {
  const random = seededRandom(options.seed);
  const resamples = options.resamples ?? 2000;
  const tail = (1 - (options.confidence ?? 0.95)) / 2;
  const ratios: number[] = [];
  for (let i = 0; i < resamples; i += 1) {
    ratios.push(ratioOfMedians(resample(base, random), resample(head, random)));
  }
  ratios.sort((a, b) => a - b);
  return [quantile(ratios, tail), quantile(ratios, 1 - tail)];
}

export { ratioOfMedians };
