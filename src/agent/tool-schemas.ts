import { z } from 'zod';
import type { ToolDefinition } from '../llm/types.js';

/**
 * The tools the coding model may call. The zod schemas validate what the model sends and are the
 * single source of the JSON Schema it is shown.
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

export const AGENT_TOOL_SCHEMAS = {
  read_file: readFileInputSchema,
  list_files: listFilesInputSchema,
  search: searchInputSchema,
  apply_edit: applyEditInputSchema,
} as const;

export type AgentToolName = keyof typeof AGENT_TOOL_SCHEMAS;

const DESCRIPTIONS: Record<AgentToolName, string> = {
  read_file: 'Read a file of the repository.',
  list_files: 'List the files under a directory of the repository (recursively, ignored files left out).',
  search: 'Search the repository for a regular expression; returns matching lines with file and line number.',
  apply_edit:
    'Change files: a unified diff, or search/replace edits whose SEARCH text must match existing lines exactly once.',
};

function toolDefinition(name: AgentToolName): ToolDefinition {
  // `$schema` is noise to providers (Anthropic's input_schema rejects unknown top-level keys on some models).
  const { $schema: _schema, ...parameters } = z.toJSONSchema(AGENT_TOOL_SCHEMAS[name]);
  return { name, description: DESCRIPTIONS[name], parameters };
}

export const AGENT_TOOL_DEFINITIONS: ToolDefinition[] = (
  Object.keys(AGENT_TOOL_SCHEMAS) as AgentToolName[]
).map(toolDefinition);
