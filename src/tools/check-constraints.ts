import { z } from 'zod';
import { describeApiChange } from '../languages/api-surface/index.js';
import { classifyConstraint, type ConstraintCheck } from '../policy/constraints.js';
import { defineTool } from './define.js';
import { registerTool } from './register.js';

/** Details are for people and the policy input: enough to act on, never a whole diff. */
const MAX_DETAILS = 50;
const MAX_DETAIL_CHARS = 500;

const clip = (line: string) =>
  line.length > MAX_DETAIL_CHARS ? `${line.slice(0, MAX_DETAIL_CHARS)}…` : line;

/**
 * Checks the task's constraints that autodev recognises against the change base_commit..HEAD.
 * "Do not modify public API signatures": exported items of the changed files, base against HEAD,
 * read from git (never from the work tree the sandbox wrote). "No new dependencies": the names
 * check_deps found added (`added_dependencies`; without it the constraint is left not checked).
 * Anything else is listed unchecked.
 */
export const checkConstraintsTool = registerTool(
  defineTool({
    name: 'check_constraints',
    description:
      "Check the task's constraints that can be checked (public API unchanged; new dependencies via check_deps) on the change base_commit..HEAD; others are listed as unchecked.",
    inputSchema: z.object({
      base_commit: z.string().regex(/^[0-9a-f]{7,64}$/, 'expected a commit id'),
      constraints: z.array(z.string().max(2000)).max(100),
      /** check_deps' added dependencies; absent when it did not run. */
      added_dependencies: z.array(z.string()).optional(),
    }),
    async invoke(input, ctx) {
      const { git, apiSurface } = ctx.services;
      const kinds = input.constraints.map((text) => ({ text, kind: classifyConstraint(text) }));
      const needsApi = kinds.some((c) => c.kind === 'no_public_api_change');
      const api = needsApi
        ? await apiSurface.diff(
            await git.changedFiles(ctx.workspaceDir, input.base_commit),
            (side, file) => git.fileAt(ctx.workspaceDir, side === 'base' ? input.base_commit : 'HEAD', file),
            ctx.signal,
          )
        : undefined;
      const added = input.added_dependencies;
      const constraints = kinds.map((c): ConstraintCheck => {
        if (c.kind === 'no_new_dependencies' && added) {
          return { ...c, violated: added.length > 0, details: added.slice(0, MAX_DETAILS).map(clip) };
        }
        if (c.kind !== 'no_public_api_change' || !api) return c;
        // A file whose API cannot be read is not known to be unchanged: it counts against the constraint.
        const details = [
          ...api.changes.map(describeApiChange),
          ...api.unreadable.map((u) => `${u.file}: public API not readable (${u.reason})`),
        ];
        return {
          ...c,
          violated: details.length > 0,
          details: details.slice(0, MAX_DETAILS).map(clip),
        };
      });
      return { constraints };
    },
    summarize: (out) =>
      out.constraints.length === 0
        ? 'no constraints'
        : out.constraints
            .map(
              (c) =>
                `${c.kind}: ${c.violated === undefined ? 'not checked' : c.violated ? 'violated' : 'holds'}`,
            )
            .join(', '),
  }),
);
