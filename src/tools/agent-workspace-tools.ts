import {
  applyEditInputSchema,
  listFilesInputSchema,
  readFileInputSchema,
  searchInputSchema,
} from '../agent/tool-schemas.js';
import type { ApplyEditInput } from '../agent/tool-schemas.js';
import { toUnifiedDiffEdit } from '../agent/edits/parse-edits.js';
import type { Edit, SearchMatch } from '../agent/types.js';
import { createWorkspaceAgentTools } from './agent-tools.js';
import { defineTool } from './define.js';
import { registerTool } from './register.js';

const MAX_LISTED_FILES = 2_000;
const MAX_SEARCH_MATCHES = 200;

/**
 * The coding model's hands as registry tools: read, list and search stay inside the workspace's real
 * path (see agent-tools.ts and search/paths.ts), edits go through git. `autodev tools run` reaches them too.
 */
export const readFileTool = registerTool(
  defineTool({
    name: 'read_file',
    description: 'Read a file of the repository.',
    inputSchema: readFileInputSchema,
    invoke: (input, ctx) => createWorkspaceAgentTools(ctx).readFile(input, ctx.signal),
    summarize: (text) => `${text.length} characters`,
    agent: { name: 'read_file', toText: (text) => text },
  }),
);

export const listFilesTool = registerTool(
  defineTool({
    name: 'list_files',
    description: 'List the files under a directory of the repository (recursively, ignored files left out).',
    inputSchema: listFilesInputSchema,
    invoke: (input, ctx) => createWorkspaceAgentTools(ctx).listFiles(input, ctx.signal),
    summarize: (files) => `${files.length} file(s)`,
    agent: {
      name: 'list_files',
      toText(files) {
        const shown = files.slice(0, MAX_LISTED_FILES).join('\n');
        return files.length > MAX_LISTED_FILES
          ? `${shown}\n... ${files.length - MAX_LISTED_FILES} more files`
          : shown || '(no files)';
      },
    },
  }),
);

export const searchTool = registerTool(
  defineTool({
    name: 'search',
    description:
      'Search the repository for a regular expression; returns matching lines with file and line number.',
    inputSchema: searchInputSchema,
    invoke: (input, ctx): Promise<SearchMatch[]> => createWorkspaceAgentTools(ctx).search(input, ctx.signal),
    summarize: (matches) => `${matches.length} match(es)`,
    agent: {
      name: 'search',
      toText(matches) {
        const shown = matches
          .slice(0, MAX_SEARCH_MATCHES)
          .map((match) => `${match.path}:${match.line}: ${match.text}`);
        if (matches.length > MAX_SEARCH_MATCHES)
          shown.push(`... ${matches.length - MAX_SEARCH_MATCHES} more matches; narrow the pattern or path`);
        return shown.join('\n') || '(no matches)';
      },
    },
  }),
);

export const applyEditTool = registerTool(
  defineTool({
    name: 'apply_edit',
    description:
      'Change files: a unified diff, or search/replace edits whose SEARCH text must match existing lines exactly once.',
    inputSchema: applyEditInputSchema,
    async invoke(input, ctx) {
      const edits = toEdits(input);
      const files = await createWorkspaceAgentTools(ctx).applyEdits(edits, ctx.signal);
      return { edits: edits.length, files };
    },
    summarize: (out) => `Applied ${out.edits} edit(s); changed: ${out.files.join(', ')}`,
    agent: {
      name: 'apply_edit',
      toText: (out) => `Applied ${out.edits} edit(s); changed: ${out.files.join(', ')}`,
      filesTouched: (out) => ({ files: out.files, edits: out.edits }),
    },
  }),
);

function toEdits(input: ApplyEditInput): Edit[] {
  const edits: Edit[] = [];
  // Models often wrap the diff argument in a ```diff fence out of habit.
  if (input.diff !== undefined)
    edits.push(toUnifiedDiffEdit(input.diff.trim().replace(/^```[^\n]*\n([\s\S]*?)\n```$/, '$1')));
  for (const block of input.search_replace ?? []) edits.push({ kind: 'search_replace', ...block });
  return edits;
}
