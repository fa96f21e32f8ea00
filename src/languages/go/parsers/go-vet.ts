import { z } from 'zod';
import type { LintWarning } from '../../parsers/types.js';
import { concatenatedJsonObjects } from '../../parsers/text.js';

const Diagnostic = z.object({ posn: z.string(), message: z.string() });
// { "<package>": { "<analyzer>": [diagnostic] | { error } } }
const PackageReport = z.record(z.string(), z.record(z.string(), z.unknown()));

const POSITION = /^(.*?):(\d+)(?::(\d+))?$/;

/** `go vet -json ./...`: per package one (pretty-printed) JSON object on stderr, exit code 0. */
export function parseGoVetJson(output: string): LintWarning[] {
  const warnings: LintWarning[] = [];
  for (const raw of concatenatedJsonObjects(output)) {
    const report = PackageReport.safeParse(raw);
    if (!report.success) continue;
    for (const analyzers of Object.values(report.data)) {
      for (const [analyzer, value] of Object.entries(analyzers)) {
        const diagnostics = z.array(Diagnostic).safeParse(value);
        if (!diagnostics.success) continue;
        for (const d of diagnostics.data) {
          const pos = POSITION.exec(d.posn);
          warnings.push({
            file: pos?.[1] ?? d.posn,
            line: Number(pos?.[2] ?? 0),
            ...(pos?.[3] ? { column: Number(pos[3]) } : {}),
            rule: analyzer,
            message: d.message,
            severity: 'warning',
          });
        }
      }
    }
  }
  return warnings;
}
