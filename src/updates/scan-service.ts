import { parse as parseToml } from 'smol-toml';
import { monotonicFactory } from 'ulid';
import type { AutodevConfig } from '../config/schema.js';
import { isTerminal, type Task } from '../domain/task.js';
import { AutodevError, toAutodevError } from '../errors.js';
import { parseAutodevToml, AUTODEV_TOML } from '../languages/autodev-toml.js';
import type { Logger } from '../logging/logger.js';
import type { AutodevMetrics } from '../metrics/registry.js';
import type { TaskService } from '../orchestrator/task-service.js';
import type { DependencyUpdateScan } from '../store/dependency-update-repository.js';
import type { Store } from '../store/index.js';
import type { WorkspaceGit, WorkspaceManager } from '../workspace/types.js';
import { parseRepoRef } from '../workspace/repo-ref.js';
import { classifyUpdate } from './classify.js';
import { updateDescription, updateTitle } from './describe.js';
import { findUpdates } from './find.js';
import { groupUpdates, sameUpdates } from './group.js';
import type { RegistryAccess } from './registry-access.js';
import { createUpdaters } from './index.js';
import { resolveUpdateSettings, riskOf, updateSettingsSchema, type UpdateSettings } from './settings.js';
import type { RepoFiles, SkippedUpdate, UpdateCandidate } from './types.js';

/** A manifest or lockfile larger than this is no manifest a scan reads. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;
const newId = monotonicFactory();

export interface GroupState {
  key: string;
  task_id: string;
  status: Task['status'];
  updates: UpdateCandidate[];
}

export interface ScanResult {
  repo: string;
  base_branch: string;
  /** Tasks this scan created, one per group. */
  created: GroupState[];
  /** Groups whose task is open already with these very updates (a rescan opens nothing). */
  open: GroupState[];
  /** Groups left for the next scan: max_open_prs open already. */
  held: string[];
  found: UpdateCandidate[];
  skipped: SkippedUpdate[];
}

export interface RepoUpdateState {
  repo: string;
  last_scan: DependencyUpdateScan | null;
  groups: GroupState[];
}

export interface UpdateScanService {
  scan(input: { repo: string; base_branch: string }): Promise<ScanResult>;
  state(repo: string): Promise<RepoUpdateState>;
}

export interface UpdateScanDeps {
  config: AutodevConfig;
  store: Store;
  tasks: Pick<TaskService, 'submit'>;
  /** The kill switch, the forge and the allowlist, as a task's submission checks them: before any read. */
  admit(repo: string): Promise<void>;
  workspaces: Pick<WorkspaceManager, 'prepare' | 'remove'>;
  git: Pick<WorkspaceGit, 'fileAt'>;
  access: RegistryAccess;
  metrics: AutodevMetrics;
  log: Logger;
  now?: () => Date;
}

/** Open for the scan's purpose: not ended, or waiting for review (its pull request is open). */
const isOpen = (status: Task['status']): boolean => !isTerminal(status) || status === 'awaiting_review';

/**
 * One scan of a repository: read its manifests at the base branch, look the dependencies up in the
 * registries it is configured for, group what is new, and submit one task per group that has no open
 * task with the same updates. A registry that cannot be read ends the scan before any task is made.
 */
export function createUpdateScanService(deps: UpdateScanDeps): UpdateScanService {
  const now = deps.now ?? (() => new Date());

  async function readRepo<T>(
    repo: string,
    baseBranch: string,
    fn: (files: RepoFiles) => Promise<T>,
  ): Promise<T> {
    const scanId = `updates-scan-${newId().toLowerCase()}`;
    const workspace = await deps.workspaces.prepare({
      taskId: scanId,
      repo,
      baseBranch,
      branch: `autodev/${scanId}`,
    });
    try {
      return await fn({
        read: (file) =>
          deps.git.fileAt(workspace.dir, workspace.baseCommit, file, { maxBytes: MAX_FILE_BYTES }),
      });
    } finally {
      await deps.workspaces.remove(scanId);
    }
  }

  async function settingsOf(files: RepoFiles): Promise<UpdateSettings> {
    const text = await files.read(AUTODEV_TOML);
    let repo: unknown;
    if (text !== undefined) {
      parseAutodevToml(text);
      repo = (parseToml(text) as { updates?: unknown }).updates;
    }
    const parsed = updateSettingsSchema.optional().safeParse(repo);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const key = ['updates', ...(issue?.path ?? []).map(String)].join('.');
      throw new AutodevError('VALIDATION_FAILED', `${AUTODEV_TOML}: ${key}: ${issue?.message ?? 'invalid'}`, {
        details: { file: AUTODEV_TOML, key },
      });
    }
    return resolveUpdateSettings(deps.config.updates, parsed.data);
  }

  async function groupStates(repo: string, baseBranch?: string): Promise<GroupState[]> {
    const rows = await deps.store.dependencyUpdates.list(repo, baseBranch);
    const out: GroupState[] = [];
    for (const row of rows) {
      const task = await deps.store.tasks.get(row.task_id);
      if (task)
        out.push({ key: row.group_key, task_id: row.task_id, status: task.status, updates: row.updates });
    }
    return out;
  }

  function count(updates: readonly { ecosystem: string; type?: string }[], outcome: string): void {
    for (const u of updates) {
      deps.metrics.dependencyUpdatesTotal.inc({ ecosystem: u.ecosystem, type: u.type ?? 'unknown', outcome });
    }
  }

  return {
    async scan({ repo, base_branch }) {
      await deps.admit(repo);
      const normalized = parseRepoRef(repo).normalized;
      const scannedAt = now();
      let found: { candidates: UpdateCandidate[]; skipped: SkippedUpdate[]; settings: UpdateSettings };
      try {
        found = await readRepo(repo, base_branch, async (files) => {
          const settings = await settingsOf(files);
          const candidates: UpdateCandidate[] = [];
          const skipped: SkippedUpdate[] = [];
          for (const updater of createUpdaters(deps.access)) {
            const result = await findUpdates(updater, files, settings, scannedAt);
            candidates.push(...result.candidates);
            skipped.push(...result.skipped);
          }
          return { candidates, skipped, settings };
        });
      } catch (raw) {
        const error = toAutodevError(raw);
        await deps.store.dependencyUpdates.recordScan({
          repo_normalized: normalized,
          base_branch,
          scanned_at: scannedAt.toISOString(),
          found: [],
          skipped: [],
          created: [],
          error: { code: error.code, message: error.message },
        });
        throw error;
      }
      const existing = await groupStates(normalized, base_branch);
      const result: ScanResult = {
        repo: normalized,
        base_branch,
        created: [],
        open: [],
        held: [],
        found: found.candidates,
        skipped: found.skipped,
      };
      let openCount = existing.filter((g) => isOpen(g.status)).length;
      for (const group of groupUpdates(found.candidates, found.settings)) {
        const open = existing.find((g) => g.key === group.key && isOpen(g.status));
        if (open && sameUpdates(open.updates, group.updates)) {
          result.open.push(open);
          count(group.updates, 'open');
          continue;
        }
        // A newer version for a group with an open task: the new task's pull request replaces it.
        if (!open && openCount >= found.settings.maxOpenPrs) {
          result.held.push(group.key);
          count(group.updates, 'held');
          continue;
        }
        const risk = riskOf(found.settings, group.updates);
        const task = await deps.tasks.submit(
          {
            title: updateTitle(group),
            description: updateDescription(group, found.settings.repair),
            repo,
            base_branch,
            risk_tier: risk,
            constraints: [],
            acceptance: [],
          },
          {
            dependency_update: {
              group_key: group.key,
              updates: group.updates,
              repair: found.settings.repair,
            },
          },
        );
        if (!open) openCount += 1;
        result.created.push({
          key: group.key,
          task_id: task.id,
          status: task.status,
          updates: group.updates,
        });
        count(group.updates, 'proposed');
      }
      for (const skip of found.skipped) {
        const type = classifyUpdate(skip.from, skip.to) ?? 'unknown';
        deps.metrics.dependencyUpdatesTotal.inc({ ecosystem: skip.ecosystem, type, outcome: skip.reason });
      }
      await deps.store.dependencyUpdates.recordScan({
        repo_normalized: normalized,
        base_branch,
        scanned_at: scannedAt.toISOString(),
        found: found.candidates,
        skipped: found.skipped,
        created: result.created.map((g) => g.task_id),
        error: null,
      });
      deps.log.info(
        { repo: normalized, found: found.candidates.length, created: result.created.length },
        'dependency update scan',
      );
      return result;
    },
    async state(repo) {
      const normalized = parseRepoRef(repo).normalized;
      return {
        repo: normalized,
        last_scan: (await deps.store.dependencyUpdates.lastScan(normalized)) ?? null,
        groups: await groupStates(normalized),
      };
    },
  };
}
