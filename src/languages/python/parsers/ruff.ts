import { z } from 'zod';
import type { LintWarning } from '../../parsers/types.js';

const RuffResults = z.array(
  z.object({
    code: z.string().nullable(),
    filename: z.string(),
    message: z.string(),
    location: z.object({ row: z.number(), column: z.number() }).nullable(),
    severity: z.string().optional(),
  }),
);

/** `ruff check --output-format=json`: one array. Returns undefined when stdout is not that array. */
export function parseRuffJson(stdout: string): LintWarning[] | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(stdout);
  } catch {
    return undefined;
  }
  const parsed = RuffResults.safeParse(raw);
  if (!parsed.success) return undefined;
  return parsed.data.map((d) => ({
    file: d.filename,
    line: d.location?.row ?? 0,
    ...(d.location ? { column: d.location.column } : {}),
    // A null code is a syntax error ruff could not lint past.
    rule: d.code ?? 'syntax-error',
    message: d.message,
    // Ruff marks every violation `error`; they are findings to fix, not build failures.
    severity: d.code === null ? 'error' : 'warning',
  }));
}
