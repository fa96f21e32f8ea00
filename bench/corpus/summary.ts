import type { BenchRow } from '../types.js';
import type { ByHandResult } from './by-hand.js';
import { formatBreakdown, median, medianBreakdownByTool } from './overhead-breakdown.js';
import type { ReplayResult } from './replay.js';
import type { CorpusEcosystem, CorpusInstance } from './types.js';

export interface InstanceOutcome {
  instance: CorpusInstance;
  fixed: ReplayResult;
  empty: ReplayResult;
  byHand: ByHandResult;
  /** git processes the server started during the task with the fix (bench/corpus/git-count.ts). */
  gitProcesses: number;
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

/**
 * The by-hand run is a reference only when it reproduced the bug and its fix: a test failing before
 * the fix and passing after, nothing else newly failing (failures the library has anyway are not
 * the bug's). Otherwise it timed something else (a broken setup, tests that never ran), and the
 * time ratio against it would mean nothing.
 */
export function byHandValid(o: InstanceOutcome): boolean {
  return o.byHand.reproduced;
}

function byHandProblem(o: InstanceOutcome): string {
  return `by hand INVALID: ${o.byHand.notReproduced ?? 'the bug and its fix were not reproduced'}`;
}

/** The per-language table (stderr) and the BenchRows: one per instance (task vs by hand) and one overhead row per language. */
export function summarize(outcomes: InstanceOutcome[]): { table: string; rows: BenchRow[] } {
  const lines: string[] = [
    'language  instances  delivered(fix)  merged(fix)  failed-clearly(empty)  median time/by-hand  median overhead ms  median git processes',
  ];
  const details: string[] = [
    '',
    "overhead per task with the fix (ms; steps are autodev's own, gaps are time in no step):",
  ];
  const rows: BenchRow[] = [];
  const ecosystems: CorpusEcosystem[] = ['python', 'rust', 'go', 'node'];
  for (const ecosystem of ecosystems) {
    const mine = outcomes.filter((o) => o.instance.ecosystem === ecosystem);
    if (mine.length === 0) continue;
    const delivered = mine.filter((o) => DELIVERED.has(o.fixed.status)).length;
    const merged = mine.filter((o) => o.fixed.status === 'merged').length;
    const failed = mine.filter((o) => emptyFailedClearly(o.empty)).length;
    // Only valid by-hand runs are compared; the invalid ones are named below the table.
    const valid = mine.filter(byHandValid);
    const ratios = valid.map((o) => o.fixed.wallMs / Math.max(1, o.byHand.totalMs));
    const overheads = mine.map((o) => overheadMs(o.fixed));
    const gitCounts = mine.map((o) => o.gitProcesses);
    const ratioCell =
      valid.length === 0
        ? 'invalid'
        : `${median(ratios).toFixed(2)}x${valid.length < mine.length ? ` (${mine.length - valid.length} invalid)` : ''}`;
    lines.push(
      [
        ecosystem.padEnd(8),
        String(mine.length).padStart(9),
        `${delivered}/${mine.length}`.padStart(14),
        `${merged}/${mine.length}`.padStart(11),
        `${failed}/${mine.length}`.padStart(21),
        ratioCell.padStart(19),
        String(Math.round(median(overheads))).padStart(18),
        String(median(gitCounts)).padStart(20),
      ].join('  '),
    );
    for (const o of mine) {
      const valid = byHandValid(o);
      if (!valid) details.push(`  ${o.instance.name}: ${byHandProblem(o)}; not compared`);
      details.push(formatBreakdown(o.instance.name, o.fixed, overheadMs(o.fixed)));
      rows.push({
        name: `corpus ${ecosystem} ${o.instance.name}: task with the fix (${o.fixed.status})`,
        baseline: valid ? 'the same setup + test commands by hand' : 'by hand: INVALID run, not compared',
        value: o.fixed.wallMs,
        baselineValue: o.byHand.totalMs,
        unit: 'ms',
        // NaN (null in the JSON): no ratio against a reference that did not reproduce the bug and fix.
        ratio: valid ? o.fixed.wallMs / Math.max(1, o.byHand.totalMs) : Number.NaN,
        runs: 1,
        notes: [
          `overhead ${Math.round(overheadMs(o.fixed))} ms`,
          `${o.gitProcesses} git processes`,
          `empty reply: ${o.empty.status} ${o.empty.error?.code ?? ''}`.trim(),
          ...(valid ? [] : [byHandProblem(o)]),
        ].join('; '),
      });
    }
    const byTool = medianBreakdownByTool(mine.map((o) => o.fixed))
      .filter((t) => t.ms >= 1)
      .map((t) => `${t.label} ${Math.round(t.ms)}`);
    details.push(`  ${ecosystem} median per step: ${byTool.join(', ')}`);
    rows.push({
      name: `corpus ${ecosystem}: autodev overhead per task (median)`,
      baseline: 'target 300 ms',
      value: median(overheads),
      baselineValue: 300,
      unit: 'ms',
      ratio: median(overheads) / 300,
      runs: mine.length,
      notes: `median ${median(gitCounts)} git processes per task (target 20), delivered ${delivered}/${mine.length}, merged ${merged}/${mine.length}, empty reply failed clearly ${failed}/${mine.length}`,
    });
  }
  return { table: [...lines, ...details].join('\n'), rows };
}
