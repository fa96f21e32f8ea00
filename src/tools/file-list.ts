import { z } from 'zod';
import { defineTool } from './define.js';
import { registerTool } from './register.js';

export const fileListTool = registerTool(
  defineTool({
    name: 'file_list',
    description: 'List the files of the workspace (honouring .gitignore), optionally under a folder.',
    inputSchema: z.object({
      path: z.string().min(1).optional(),
      max: z.number().int().positive().max(50_000).default(2000),
    }),
    async invoke(input, ctx) {
      return ctx.services.search.listFiles(ctx.workspaceDir, {
        path: input.path,
        max: input.max,
        signal: ctx.signal,
      });
    },
    summarize: (out) => `${out.files.length} files${out.truncated ? ' (truncated)' : ''}`,
  }),
);
