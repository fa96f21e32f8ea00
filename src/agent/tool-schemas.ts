import { z } from 'zod';

/**
 * Inputs of the workspace tools the coding model calls (registered in tools/agent-workspace-tools.ts).
 * The zod schemas validate what the model sends and are the single source of the JSON Schema it is shown.
 */
export const readFileInputSchema = z
  .object({ path: z.string().min(1).describe('File path relative to the repository root.') })
  .strict();

export const listFilesInputSchema = z
  .object({
    path: z
      .string()
      .min(1)
      .optional()
      .describe('Directory relative to the repository root; the root when omitted.'),
  })
  .strict();

export const searchInputSchema = z
  .object({
    pattern: z.string().min(1).describe('Regular expression to search file contents for.'),
    path: z
      .string()
      .min(1)
      .optional()
      .describe('Directory or file to search in; the whole repository when omitted.'),
  })
  .strict();

export const searchReplaceSchema = z
  .object({
    path: z.string().min(1).describe('File path relative to the repository root.'),
    search: z
      .string()
      .describe('Exact existing lines to replace; empty to create a new file (or append to it).'),
    replace: z.string().describe('The lines that take their place.'),
  })
  .strict();

export const applyEditInputSchema = z
  .object({
    diff: z.string().min(1).optional().describe('A unified diff with --- a/path and +++ b/path headers.'),
    search_replace: z
      .array(searchReplaceSchema)
      .min(1)
      .optional()
      .describe('Search/replace edits, applied in order.'),
  })
  .strict()
  .refine((input) => input.diff !== undefined || input.search_replace !== undefined, {
    message: 'give `diff` or `search_replace`',
  });

export type ReadFileInput = z.infer<typeof readFileInputSchema>;
export type ListFilesInput = z.infer<typeof listFilesInputSchema>;
export type SearchInput = z.infer<typeof searchInputSchema>;
export type ApplyEditInput = z.infer<typeof applyEditInputSchema>;
