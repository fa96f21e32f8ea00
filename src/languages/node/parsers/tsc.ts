import type { LintWarning } from '../../parsers/types.js';
import { lines } from '../../parsers/text.js';

const DIAGNOSTIC = /^(.+?)\((\d+),(\d+)\): (error|warning|message) (TS\d+): (.*)$/;

/** `tsc --noEmit --pretty false`: `file(line,col): error TS2322: message`. */
export function parseTscOutput(output: string): LintWarning[] {
  const warnings: LintWarning[] = [];
  for (const line of lines(output)) {
    const m = DIAGNOSTIC.exec(line);
    if (!m?.[1] || !m[5] || m[6] === undefined) continue;
    warnings.push({
      file: m[1],
      line: Number(m[2]),
      column: Number(m[3]),
      rule: m[5],
      message: m[6],
      severity: m[4] === 'error' ? 'error' : m[4] === 'warning' ? 'warning' : 'info',
    });
  }
  return warnings;
}
