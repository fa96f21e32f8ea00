/** Latency percentiles and the server process's memory and event-loop delay, sampled during a load. */
import { monitorEventLoopDelay } from 'node:perf_hooks';

const MIB = 1024 * 1024;

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  max: number;
  /** Answered requests per second over the runs' wall time. */
  throughput: number;
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

export function summarize(latenciesMs: readonly number[], elapsedMs: number): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    throughput: elapsedMs > 0 ? (sorted.length * 1000) / elapsedMs : 0,
  };
}

export interface MemorySnapshot {
  rssMiB: number;
  heapUsedMiB: number;
}

export function memoryNow(): MemorySnapshot {
  const usage = process.memoryUsage();
  return { rssMiB: usage.rss / MIB, heapUsedMiB: usage.heapUsed / MIB };
}

export interface LoadObservation {
  peak: MemorySnapshot;
  /** The process's RSS high-water mark (getrusage), over its whole life: it includes earlier benches. */
  maxRssMiB: number;
  eventLoopDelayP99Ms: number;
  eventLoopDelayMaxMs: number;
}

export interface LoadObserver {
  stop(): LoadObservation;
}

/**
 * Samples this process's memory on a timer and its event-loop delay. A timer that fires late under
 * load misses short peaks, so the getrusage high-water mark is reported alongside.
 */
export function observeLoad(intervalMs = 20): LoadObserver {
  const peak = memoryNow();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const timer = setInterval(() => {
    const now = memoryNow();
    peak.rssMiB = Math.max(peak.rssMiB, now.rssMiB);
    peak.heapUsedMiB = Math.max(peak.heapUsedMiB, now.heapUsedMiB);
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      delay.disable();
      return {
        peak,
        maxRssMiB: process.resourceUsage().maxRSS / 1024,
        eventLoopDelayP99Ms: delay.percentile(99) / 1e6,
        eventLoopDelayMaxMs: delay.max / 1e6,
      };
    },
  };
}
