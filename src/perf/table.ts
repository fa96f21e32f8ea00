import type { BenchComparison } from './compare.js';

const MAX_ROWS = 50;

/** A figure with the unit a reader expects: ns become µs, ms or s as they grow. */
export function formatFigure(value: number, unit: string): string {
  if (unit !== 'ns') return `${Number(value.toPrecision(4))} ${unit}`;
  const scales: [number, string][] = [
    [1e9, 's'],
    [1e6, 'ms'],
    [1e3, 'µs'],
  ];
  for (const [factor, name] of scales) {
    if (value >= factor) return `${Number((value / factor).toPrecision(4))} ${name}`;
  }
  return `${Number(value.toPrecision(4))} ns`;
}

function verdict(c: BenchComparison): string {
  if (c.regression) return '**regression**';
  if (c.noisy) return 'noisy';
  if (!c.significant) return 'no change';
  return c.ratio < 1 ? 'faster' : 'slower (within threshold)';
}

/** The markdown table of the comparison, one benchmark a row, for the pull request's body. */
export function renderBenchTable(comparisons: readonly BenchComparison[]): string {
  const rows = comparisons.slice(0, MAX_ROWS).map((c) => {
    const name = c.name.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|').replace(/`/g, "'");
    const ci = `${c.ci[0].toFixed(3)} – ${c.ci[1].toFixed(3)}`;
    return `| \`${name}\` | ${formatFigure(c.base, c.unit)} | ${formatFigure(c.head, c.unit)} | ${c.ratio.toFixed(3)} | ${ci} | ${verdict(c)} |`;
  });
  if (comparisons.length > MAX_ROWS) rows.push(`| … and ${comparisons.length - MAX_ROWS} more | | | | | |`);
  return [
    '| Benchmark | Base | Head | Ratio | 95% CI | Verdict |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
