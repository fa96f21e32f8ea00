/** Durations, ages and money as people read them. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export function between(from: string | null | undefined, to: string | null | undefined): string {
  if (!from) return '—';
  return duration((to ? Date.parse(to) : Date.now()) - Date.parse(from));
}

export function usd(value: number): string {
  return `$${value.toFixed(4)}`;
}
