import { z } from 'zod';

/** What the parent sends the lint worker: texts it read itself, with the module kind of each. */
export const JsLintJob = z.object({
  files: z.array(
    z.object({
      file: z.string(),
      text: z.string(),
      sourceType: z.enum(['module', 'commonjs', 'script']),
    }),
  ),
});
export type JsLintJob = z.infer<typeof JsLintJob>;

const LintMessage = z.object({
  ruleId: z.string().nullable().optional(),
  message: z.string(),
  line: z.number().optional(),
  column: z.number().optional(),
  severity: z.number(),
  fatal: z.boolean().optional(),
});

/** What the worker answers, one entry per file: ESLint's messages, or why linting the file crashed. */
export const JsLintFileResult = z.union([
  z.object({ file: z.string(), messages: z.array(LintMessage) }),
  z.object({ file: z.string(), crashed: z.string() }),
]);
export type JsLintFileResult = z.infer<typeof JsLintFileResult>;
export const JsLintResults = z.array(JsLintFileResult);
