import { z } from 'zod';
import { defineTool } from './define.js';
import { registerTool } from './register.js';

export const repoSearchTool = registerTool(
  defineTool({
    name: 'repo_search',
    description:
      'Search the workspace with ripgrep: a regular expression (or fixed string), optionally under a folder.',
    inputSchema: z.object({
      pattern: z.string().min(1),
      path: z.string().min(1).optional(),
      fixed_strings: z.boolean().default(false),
      max_results: z.number().int().positive().max(5000).default(200),
    }),
    async invoke(input, ctx) {
      return ctx.services.search.search(ctx.workspaceDir, input.pattern, {
        path: input.path,
        fixedStrings: input.fixed_strings,
        maxResults: input.max_results,
        signal: ctx.signal,
      });
    },
    summarize: (out) => `${out.matches.length} matches${out.truncated ? ' (truncated)' : ''}`,
  }),
);
