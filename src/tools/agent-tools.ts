import { readFile, stat } from 'node:fs/promises';
import { applyEdits } from '../agent/edits/apply-edits.js';
import { resolveInside } from '../agent/edits/safe-path.js';
import type { AgentTools } from '../agent/types.js';
import { AutodevError } from '../errors.js';
import type { ToolContext } from './types.js';

const MAX_FILE_BYTES = 256 * 1024;

/** The coding model's hands, bound to the task's worktree: read, list and search on the host, edits through git. */
export function createWorkspaceAgentTools(ctx: ToolContext): AgentTools {
  const dir = ctx.workspaceDir;
  const { search, git } = ctx.services;
  return {
    async readFile(input) {
      const { absolute, relative } = await resolveInside(dir, input.path, 'read_file');
      const info = await stat(absolute).catch(() => undefined);
      if (!info?.isFile()) throw new AutodevError('VALIDATION_FAILED', `no file ${relative}`);
      if (info.size > MAX_FILE_BYTES) {
        throw new AutodevError(
          'VALIDATION_FAILED',
          `${relative} is ${info.size} bytes; read_file reads up to ${MAX_FILE_BYTES}`,
        );
      }
      return readFile(absolute, 'utf8');
    },
    async listFiles(input, signal) {
      const { files } = await search.listFiles(dir, {
        ...(input.path ? { path: input.path } : {}),
        max: 2000,
        signal,
      });
      return files;
    },
    async search(input, signal) {
      const { matches } = await search.search(dir, input.pattern, {
        ...(input.path ? { path: input.path } : {}),
        maxResults: 100,
        signal,
      });
      return matches.map((m) => ({ path: m.file, line: m.line, text: m.text }));
    },
    applyEdits: (edits) =>
      applyEdits(dir, edits, { applyUnifiedDiff: (d, diff) => git.applyUnifiedDiff(d, diff) }),
  };
}
