import { z } from 'zod';
import type { LintWarning } from '../../parsers/types.js';
import { jsonLines } from '../../parsers/text.js';

const Span = z.object({
  file_name: z.string(),
  line_start: z.number(),
  column_start: z.number(),
  is_primary: z.boolean(),
});

const CompilerMessage = z.object({
  reason: z.literal('compiler-message'),
  message: z.object({
    message: z.string(),
    level: z.string(),
    code: z.object({ code: z.string() }).nullable().optional(),
    spans: z.array(Span),
  }),
});

function severity(level: string): LintWarning['severity'] {
  if (level === 'error' || level.startsWith('error')) return 'error';
  if (level === 'warning') return 'warning';
  return 'info';
}

/**
 * `cargo clippy --message-format=json`: one JSON object per line; compiler messages with a
 * primary span become warnings. Summaries (`N warnings emitted`) have no span and are dropped,
 * and a message repeated for lib and test targets is reported once.
 */
export function parseClippyJson(output: string): LintWarning[] {
  const warnings: LintWarning[] = [];
  const seen = new Set<string>();
  for (const raw of jsonLines(output)) {
    const parsed = CompilerMessage.safeParse(raw);
    if (!parsed.success) continue;
    const { message } = parsed.data;
    const span = message.spans.find((s) => s.is_primary);
    if (!span) continue;
    const warning: LintWarning = {
      file: span.file_name,
      line: span.line_start,
      column: span.column_start,
      rule: message.code?.code ?? message.level,
      message: message.message,
      severity: severity(message.level),
    };
    const key = `${warning.file}:${warning.line}:${warning.column}:${warning.rule}:${warning.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    warnings.push(warning);
  }
  return warnings;
}
