import type { LintReport, LintWarning } from './types.js';

/** What a baseline needs of a lint report: which linter ran where, and what it found. */
export interface LintBaselineReport {
  language: LintReport['language'];
  root: string;
  tool: string;
  available: boolean;
  warnings: Pick<LintWarning, 'file' | 'rule' | 'message'>[];
}

export interface LintComparison {
  /** Warnings the change brought: anywhere in the project, not matched by one at baseline. */
  introduced: LintWarning[];
  /** Warnings that were there before, in the files the change touched. */
  preexisting: LintWarning[];
  /** Linters without a usable baseline: every warning of theirs in the changed files counts as introduced. */
  noBaseline: string[];
}

/**
 * Rules autodev writes itself when a linter could not give findings (crash, timeout, the change's
 * edits to its configuration): never excused by a baseline, since they say nothing was checked.
 */
const NEVER_PREEXISTING = new Set(['lint-failed', 'lint-timeout', 'lint-config-changed']);

/**
 * Positions inside a message move with the lines around them (ruff's "from line 3", tsc's
 * "file.ts(3,5)"): the same warning must match before and after an edit above it.
 */
function normalizeMessage(message: string): string {
  return message
    .replace(/\b(line|lines|row|column)\s+\d+/gi, '$1 #')
    .replace(/:\d+(:\d+)?\b/g, ':#')
    .replace(/\(\d+,\d+\)/g, '(#)');
}

function key(w: Pick<LintWarning, 'file' | 'rule' | 'message'>): string {
  return JSON.stringify([w.file, w.rule, normalizeMessage(w.message)]);
}

function reportId(r: Pick<LintReport, 'language' | 'root' | 'tool'>): string {
  return `${r.tool} (${r.language}, ${r.root})`;
}

/**
 * Sorts the warnings of each report into introduced and pre-existing by comparing them with the
 * same linter's report on the base commit. Matching is a multiset of (file, rule, message), never
 * line numbers, which shift with every edit: two unused imports before and three after is one
 * introduced. `changedFiles` undefined means every file counts as touched.
 */
export function compareWithBaseline(
  reports: readonly LintReport[],
  baseline: readonly LintBaselineReport[] | undefined,
  changedFiles: readonly string[] | undefined,
): LintComparison {
  const changed = changedFiles ? new Set(changedFiles) : undefined;
  const touched = (w: LintWarning) => changed === undefined || changed.has(w.file);
  const out: LintComparison = { introduced: [], preexisting: [], noBaseline: [] };
  for (const report of reports) {
    const before = baseline?.find((b) => reportId(b) === reportId(report) && b.available);
    if (!before || !report.available) {
      if (report.available) out.noBaseline.push(reportId(report));
      out.introduced.push(...report.warnings.filter(touched));
      continue;
    }
    const remaining = new Map<string, number>();
    for (const w of before.warnings) remaining.set(key(w), (remaining.get(key(w)) ?? 0) + 1);
    for (const w of report.warnings) {
      const k = key(w);
      const left = remaining.get(k) ?? 0;
      if (left > 0 && !NEVER_PREEXISTING.has(w.rule)) {
        remaining.set(k, left - 1);
        if (touched(w)) out.preexisting.push(w);
      } else {
        out.introduced.push(w);
      }
    }
  }
  return out;
}
