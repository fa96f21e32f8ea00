import type { BenchRow } from '../types.js';
import type { ByHandResult } from './by-hand.js';
import type { ReplayResult } from './replay.js';
import type { CorpusEcosystem, CorpusInstance } from './types.js';

export interface InstanceOutcome {
  instance: CorpusInstance;
  fixed: ReplayResult;
  empty: ReplayResult;
  byHand: ByHandResult;
}

const DELIVERED = new Set(['merged', 'awaiting_review', 'pr_open']);
// Codes that would blame the model (or the machine) for what the environment did: never the answer to an empty reply.
const ENVIRONMENT_CODES = new Set(['SETUP_FAILED', 'TESTS_UNAVAILABLE', 'COMMAND_NOT_FOUND', 'INTERNAL']);

/** Task wall time minus the repo's own commands; the scripted model answers at once, so its time is ~0. */
export function overheadMs(result: ReplayResult): number {
  return result.wallMs - result.repoCommandsMs;
}

function emptyFailedClearly(result: ReplayResult): boolean {
  return result.status === 'failed' && result.error !== null && !ENVIRONMENT_CODES.has(result.error.code);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** The per-language table (stderr) and the BenchRows: one per instance (task vs by hand) and one overhead row per language. */
export function summarize(outcomes: InstanceOutcome[]): { table: string; rows: BenchRow[] } {
  const lines: string[] = [
    'language  instances  delivered(fix)  merged(fix)  failed-clearly(empty)  median time/by-hand  median overhead ms',
  ];
  const rows: BenchRow[] = [];
  const ecosystems: CorpusEcosystem[] = ['python', 'rust', 'go', 'node'];
  for (const ecosystem of ecosystems) {
    const mine = outcomes.filter((o) => o.instance.ecosystem === ecosystem);
    if (mine.length === 0) continue;
    const delivered = mine.filter((o) => DELIVERED.has(o.fixed.status)).length;
    const merged = mine.filter((o) => o.fixed.status === 'merged').length;
    const failed = mine.filter((o) => emptyFailedClearly(o.empty)).length;
    const ratios = mine.map((o) => o.fixed.wallMs / Math.max(1, o.byHand.totalMs));
    const overheads = mine.map((o) => overheadMs(o.fixed));
    lines.push(
      [
        ecosystem.padEnd(8),
        String(mine.length).padStart(9),
        `${delivered}/${mine.length}`.padStart(14),
        `${merged}/${mine.length}`.padStart(11),
        `${failed}/${mine.length}`.padStart(21),
        `${median(ratios).toFixed(2)}x`.padStart(19),
        String(Math.round(median(overheads))).padStart(18),
      ].join('  '),
    );
    for (const o of mine) {
      rows.push({
        name: `corpus ${ecosystem} ${o.instance.name}: task with the fix (${o.fixed.status})`,
        baseline: 'the same setup + test commands by hand',
        value: o.fixed.wallMs,
        baselineValue: o.byHand.totalMs,
        unit: 'ms',
        ratio: o.fixed.wallMs / Math.max(1, o.byHand.totalMs),
        runs: 1,
        notes:
          `overhead ${Math.round(overheadMs(o.fixed))} ms; empty reply: ${o.empty.status} ${o.empty.error?.code ?? ''}`.trim(),
      });
    }
    rows.push({
      name: `corpus ${ecosystem}: autodev overhead per task (median)`,
      baseline: 'target 300 ms',
      value: median(overheads),
      baselineValue: 300,
      unit: 'ms',
      ratio: median(overheads) / 300,
      runs: mine.length,
      notes: `delivered ${delivered}/${mine.length}, merged ${merged}/${mine.length}, empty reply failed clearly ${failed}/${mine.length}`,
    });
  }
  return { table: lines.join('\n'), rows };
}
