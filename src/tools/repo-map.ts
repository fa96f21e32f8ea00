import { z } from 'zod';
import { buildRepoMap } from '../repomap/index.js';
import { listWorkspaceFiles } from '../repomap/source-files.js';
import { realPathInside } from '../workspace/real-path.js';
import { defineTool } from './define.js';
import { registerTool } from './register.js';

/** The largest map the model may ask for in one call: past it, reading files is the better tool. */
const MAX_TOOL_MAP_TOKENS = 8_192;
const MAX_LISTED_FILES = 20_000;

export const repoMapInputSchema = z
  .object({
    path: z
      .string()
      .min(1)
      .max(1000)
      .optional()
      .describe('A folder of the repository to map; the whole repository when absent.'),
    query: z
      .string()
      .max(4000)
      .default('')
      .describe('Names, paths or words to rank the map by (a function, an error message, a file).'),
    tokens: z
      .number()
      .int()
      .min(64)
      .max(MAX_TOOL_MAP_TOKENS)
      .optional()
      .describe('How large the map may be, in tokens; [autodev.llm] repo_map_tokens when absent.'),
  })
  .strict();

export interface RepoMapToolOutput {
  text: string;
  tokens: number;
  files_mapped: number;
  files_skipped: number;
}

/**
 * The repository map on demand: the coding model asks for a folder's map, or one ranked by a query,
 * when the map in its first message did not reach the code it needs.
 */
export const repoMapTool = registerTool(
  defineTool({
    name: 'repo_map',
    description:
      'Map of the source files and their functions, classes, methods and types (with line numbers), ranked by a query.',
    inputSchema: repoMapInputSchema,
    async invoke(input, ctx): Promise<RepoMapToolOutput> {
      let files: string[] | undefined;
      if (input.path !== undefined) {
        // The folder comes from the model: its real path must stay inside the workspace.
        const folder = await realPathInside(ctx.workspaceDir, input.path, { what: 'repo_map path' });
        const root = await realPathInside(ctx.workspaceDir, '.', { what: 'workspace' });
        const prefix = folder === root ? '' : `${folder.slice(root.length + 1)}/`;
        files = (await listWorkspaceFiles(folder, MAX_LISTED_FILES, ctx.signal)).map(
          (file) => `${prefix}${file}`,
        );
      }
      const budget = input.tokens ?? (ctx.services.config.llm.repo_map_tokens || 1024);
      const map = await buildRepoMap({
        workspaceDir: ctx.workspaceDir,
        ...(files ? { files } : {}),
        taskText: input.query,
        tokenBudget: budget,
        signal: ctx.signal,
      });
      return {
        text: map.text,
        tokens: map.tokens,
        files_mapped: map.ranked.length,
        files_skipped: map.skipped.length,
      };
    },
    summarize: (out) => `${out.files_mapped} file(s) mapped, ${out.tokens} tokens`,
    agent: {
      name: 'repo_map',
      toText: (out) =>
        out.text === ''
          ? `No source files to map (${out.files_skipped} skipped).`
          : `${out.text}\n(${out.files_mapped} files mapped, ${out.files_skipped} skipped)`,
    },
  }),
);
