let clock = Date.parse('2026-01-01T00:00:00Z');

/** Strictly increasing timestamps, so "oldest first" is well defined within one test. */
export function tick(): string {
  clock += 1000;
  return new Date(clock).toISOString();
}
