import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * What a prepared workspace is, kept beside (never inside) the worktree so that a restart finds it and
 * the agent's `git add -A` never commits it. Written last in `prepare`: no record means no usable worktree.
 */
export const workspaceRecordSchema = z.object({
  taskId: z.string(),
  dir: z.string(),
  repo: z.string(),
  branch: z.string(),
  baseBranch: z.string(),
  baseCommit: z.string(),
  mirrorDir: z.string(),
  createdAt: z.number(),
  /** Set by markFailed: the workspace is kept keep_failed_workspaces_hours from then. */
  failedAt: z.number().optional(),
  /**
   * The refs under refs/autodev/ kept for the task in the mirror (codegen's turns and changes, the
   * rebase's commit), each recorded before git writes it: release and removal delete exactly these,
   * without listing the mirror's refs. Absent in a record written before it was kept: listed then.
   */
  keptRefs: z.array(z.string()).optional(),
});

export type WorkspaceRecord = z.infer<typeof workspaceRecordSchema>;

export interface WorkspaceRecords {
  read(taskId: string): Promise<WorkspaceRecord | undefined>;
  write(record: WorkspaceRecord): Promise<void>;
  delete(taskId: string): Promise<void>;
  taskIds(): Promise<string[]>;
}

export function createWorkspaceRecords(dir: string): WorkspaceRecords {
  const pathOf = (taskId: string): string => join(dir, `${taskId}.json`);
  return {
    async read(taskId) {
      const text = await readFile(pathOf(taskId), 'utf8').catch(() => undefined);
      if (text === undefined) return undefined;
      try {
        const parsed = workspaceRecordSchema.safeParse(JSON.parse(text));
        return parsed.success ? parsed.data : undefined;
      } catch {
        return undefined; // torn or foreign file: treated as absent, so the workspace is rebuilt
      }
    },
    async write(record) {
      await mkdir(dir, { recursive: true });
      const tmp = `${pathOf(record.taskId)}.tmp`;
      await writeFile(tmp, JSON.stringify(record, null, 2));
      await rename(tmp, pathOf(record.taskId));
    },
    async delete(taskId) {
      await rm(pathOf(taskId), { force: true });
      await rm(`${pathOf(taskId)}.tmp`, { force: true });
    },
    async taskIds() {
      const names = await readdir(dir).catch(() => []);
      return names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length));
    },
  };
}
