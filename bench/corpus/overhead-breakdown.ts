import type { ReplayResult } from './replay.js';

/** Where a task's time outside the repository's own commands went. */
export interface OverheadBreakdown {
  /** autodev's steps (git, codegen, secrets, policy, push...), each its span from start to finish. */
  steps: { key: string; tool: string; ms: number }[];
  /** Store writes around the repo's commands: a repo step's span minus the command's own duration. */
  repoStepBookkeepingMs: number;
  /** Time inside no step at all: queue pick-up, status changes, the wait before the first step, after the last. */
  gapMs: number;
  /** The longest gaps, each named by the steps it lies between. */
  largestGaps: { between: string; ms: number }[];
}

const GAPS_SHOWN = 3;

/**
 * Splits the task's wall time outside the repo's commands into steps and gaps. Overlapping steps
 * (run side by side) count their overlap once: the gaps are the time covered by no step.
 */
export function overheadBreakdown(result: ReplayResult): OverheadBreakdown {
  const ordered = [...result.steps].sort((a, b) => a.startedAt - b.startedAt);
  const gaps: { between: string; ms: number }[] = [];
  let coveredUntil = result.createdAt;
  let previous = 'submit';
  for (const step of ordered) {
    if (step.startedAt > coveredUntil) {
      gaps.push({ between: `${previous} → ${step.key}`, ms: step.startedAt - coveredUntil });
    }
    if (step.finishedAt >= coveredUntil) {
      coveredUntil = step.finishedAt;
      previous = step.key;
    }
  }
  if (result.finishedAt > coveredUntil)
    gaps.push({ between: `${previous} → finish`, ms: result.finishedAt - coveredUntil });
  return {
    steps: ordered
      .filter((s) => !s.repoCommand)
      .map((s) => ({ key: s.key, tool: s.tool, ms: s.finishedAt - s.startedAt })),
    repoStepBookkeepingMs: ordered
      .filter((s) => s.repoCommand)
      .reduce((sum, s) => sum + Math.max(0, s.finishedAt - s.startedAt - s.durationMs), 0),
    gapMs: gaps.reduce((sum, g) => sum + g.ms, 0),
    largestGaps: [...gaps].sort((a, b) => b.ms - a.ms).slice(0, GAPS_SHOWN),
  };
}

/** One line: the steps by cost, then the gaps, so a reader sees at once where the overhead goes. */
export function formatBreakdown(name: string, result: ReplayResult, overheadMs: number): string {
  const b = overheadBreakdown(result);
  const steps = [...b.steps]
    .sort((x, y) => y.ms - x.ms)
    .filter((s) => s.ms >= 1)
    .map((s) => `${s.key} ${Math.round(s.ms)}`);
  const gaps = b.largestGaps.map((g) => `${g.between} ${Math.round(g.ms)}`).join(', ');
  return [
    `  ${name}: overhead ${Math.round(overheadMs)} ms =`,
    `    steps: ${steps.join(', ') || 'none'}`,
    `    gaps ${Math.round(b.gapMs)} (largest: ${gaps || 'none'}); bookkeeping around repo commands ${Math.round(b.repoStepBookkeepingMs)}`,
  ].join('\n');
}

/** Per tool, the median of its summed step time across tasks, plus the gaps: the table's breakdown row. */
export function medianBreakdownByTool(results: ReplayResult[]): { label: string; ms: number }[] {
  const perTask = results.map((r) => {
    const b = overheadBreakdown(r);
    const byTool = new Map<string, number>();
    for (const s of b.steps) byTool.set(s.tool, (byTool.get(s.tool) ?? 0) + s.ms);
    byTool.set('(gaps)', b.gapMs);
    byTool.set('(repo step bookkeeping)', b.repoStepBookkeepingMs);
    return byTool;
  });
  const labels = new Set(perTask.flatMap((m) => [...m.keys()]));
  return [...labels]
    .map((label) => ({ label, ms: median(perTask.map((m) => m.get(label) ?? 0)) }))
    .sort((a, b) => b.ms - a.ms);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
