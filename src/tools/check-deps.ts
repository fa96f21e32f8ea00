import { z } from 'zod';
import { AutodevError } from '../errors.js';
import { DependencyFileError, diffDependencies, type DependencyChange } from '../languages/deps/index.js';
import { defineTool } from './define.js';
import { registerTool } from './register.js';

/**
 * A manifest or lockfile larger than this is refused rather than read: the largest real lockfiles
 * (monorepo package-lock.json) stay well under it.
 */
export const MAX_DEPENDENCY_FILE_BYTES = 64 * 1024 * 1024;

export interface CheckDepsOutput {
  changes: DependencyChange[];
  /** Names of the dependencies the change added (direct or transitive), each once. */
  added: string[];
  /**
   * On a dependency update task: the changes its update group intended (`name from -> to`), and every
   * other change the lockfile pulled in, each a finding for the reviewer.
   */
  update?: { intended: string[]; other: string[] };
}

const describe = (c: DependencyChange): string =>
  `${c.name} ${c.change === 'added' ? `+${c.to ?? ''}` : c.change === 'removed' ? `-${c.from ?? ''}` : `${c.from ?? ''} -> ${c.to ?? ''}`}`;

/** The seed's check_deps: the dependency manifests and lockfiles of base_commit..HEAD, diffed. */
export const checkDepsTool = registerTool(
  defineTool({
    name: 'check_deps',
    description:
      'List the dependencies the change (base_commit..HEAD) added, removed or changed in Cargo, npm/pnpm/yarn, Python and Go manifests and lockfiles, each marked direct or transitive and dev or runtime.',
    inputSchema: z.object({ base_commit: z.string().regex(/^[0-9a-f]{7,64}$/, 'expected a commit id') }),
    async invoke(input, ctx): Promise<CheckDepsOutput> {
      const { git } = ctx.services;
      const changed = await git.changedFiles(ctx.workspaceDir, input.base_commit);
      // Read from git's objects at both commits, never from the worktree the build could have rewritten.
      const read = (side: 'base' | 'head', file: string) =>
        git.fileAt(ctx.workspaceDir, side === 'base' ? input.base_commit : 'HEAD', file, {
          maxBytes: MAX_DEPENDENCY_FILE_BYTES,
        });
      try {
        const diff = await diffDependencies(changed, read);
        const group = ctx.taskId ? await ctx.services.store?.dependencyUpdates.byTask(ctx.taskId) : undefined;
        if (!group) return diff;
        // Intended: the package the group updates, in its manifest (the new range) or lockfile (the version).
        const intended = (c: DependencyChange) =>
          group.updates.some(
            (u) => u.ecosystem === c.ecosystem && u.name === c.name && (c.to === u.to || c.to === u.toRange),
          );
        return {
          ...diff,
          update: {
            intended: diff.changes.filter(intended).map(describe),
            other: diff.changes.filter((c) => !intended(c)).map(describe),
          },
        };
      } catch (error) {
        if (error instanceof DependencyFileError) {
          throw new AutodevError('DEPENDENCY_FILE_INVALID', error.message, {
            details: { file: error.file, side: error.side },
          });
        }
        throw error;
      }
    },
    summarize: (out) =>
      out.update
        ? `dependency update: ${out.update.intended.length} intended change(s); ${out.update.other.length === 0 ? 'nothing else' : `also pulled in: ${out.update.other.slice(0, 10).join(', ')}${out.update.other.length > 10 ? ', ...' : ''}`}`
        : out.changes.length === 0
          ? 'no dependency changes'
          : `${out.changes.length} dependency change(s): ${out.changes.slice(0, 10).map(describe).join(', ')}${out.changes.length > 10 ? ', ...' : ''}`,
  }),
);
