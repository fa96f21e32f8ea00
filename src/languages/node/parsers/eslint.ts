import { z } from 'zod';
import type { LintWarning } from '../../parsers/types.js';

const EslintResults = z.array(
  z.object({
    filePath: z.string(),
    messages: z.array(
      z.object({
        ruleId: z.string().nullable().optional(),
        severity: z.number(),
        message: z.string(),
        line: z.number().optional(),
        column: z.number().optional(),
      }),
    ),
  }),
);

/** `eslint -f json`: one array on stdout. Returns undefined when stdout is not that array. */
export function parseEslintJson(stdout: string): LintWarning[] | undefined {
  const start = stdout.indexOf('[');
  if (start < 0) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(stdout.slice(start));
  } catch {
    return undefined;
  }
  const parsed = EslintResults.safeParse(raw);
  if (!parsed.success) return undefined;
  return parsed.data.flatMap((result) =>
    result.messages.map((m) => ({
      file: result.filePath,
      line: m.line ?? 0,
      ...(m.column === undefined ? {} : { column: m.column }),
      // A null rule is a parse error or a config problem, not a rule.
      rule: m.ruleId ?? 'parse-error',
      message: m.message,
      severity: m.severity >= 2 ? ('error' as const) : ('warning' as const),
    })),
  );
}
