import { parse as parseToml } from 'smol-toml';
import { monotonicFactory } from 'ulid';
import type { AutodevConfig } from '../config/schema.js';
import { isTerminal, type Task } from '../domain/task.js';
import { AutodevError, toAutodevError } from '../errors.js';
import { parseAutodevToml, AUTODEV_TOML } from '../languages/autodev-toml.js';
import type { Logger } from '../logging/logger.js';
import type { AutodevMetrics } from '../metrics/registry.js';
import type { PrReviewService } from '../orchestrator/review/pr-review-service.js';
import type { TaskService } from '../orchestrator/task-service.js';
import type { DependencyUpdateScan } from '../store/dependency-update-repository.js';
import type { Store } from '../store/index.js';
import type { WorkspaceGit, WorkspaceManager } from '../workspace/types.js';
import { parseRepoRef } from '../workspace/repo-ref.js';
import type { ApiSurface } from '../languages/api-surface/index.js';
import { dependencyApiDiff, type DependencyApiDiff } from './api-diff/diff.js';
import { updateDescription, updateTitle, type UpdateDescriptionDetails } from './describe.js';
import { findUpdates, type FoundUpdates } from './find.js';
import { notesKey } from './release-notes/render.js';
import { SEMVER_VERSIONING } from './semver-versioning.js';
import { groupUpdates, sameUpdates } from './group.js';
import type { RegistryAccess } from './registry-access.js';
import { createUpdaters } from './index.js';
import { resolveUpdateSettings, riskOf, updateSettingsSchema, type UpdateSettings } from './settings.js';
import type { RepoFiles, SkippedUpdate, UpdateCandidate } from './types.js';

/** A manifest or lockfile larger than this is no manifest a scan reads. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;
const newId = monotonicFactory();
/**
 * Updates per group whose archives are read (the new version's for notes and API, the old one's for
 * API: up to two downloads each), and 16 KiB of notes fill up after a few packages anyway; a group of
 * every patch in a large repository must not download hundreds.
 */
const MAX_NOTES_READ = 20;

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
  /** Open groups' tasks ended by this scan: a newer version replaced them, or nothing is left to update. */
  superseded: GroupState[];
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
  tasks: Pick<TaskService, 'submit' | 'cancel'>;
  /** Closes a superseded group's pull request (with a comment saying why). */
  reviews: Pick<PrReviewService, 'close'>;
  /** The kill switch, the forge and the allowlist, as a task's submission checks them: before any read. */
  admit(repo: string): Promise<void>;
  workspaces: Pick<WorkspaceManager, 'prepare' | 'remove'>;
  git: Pick<WorkspaceGit, 'fileAt'>;
  access: RegistryAccess;
  /** Reads a dependency's public API from its published sources; without it no API diff is shown. */
  apiSurface?: ApiSurface;
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

  /** Ends an open group's task: its pull request closed with the reason, or the task cancelled. */
  async function supersede(group: GroupState, reason: string): Promise<void> {
    try {
      if (group.status === 'awaiting_review') {
        await deps.reviews.close(group.task_id, { caller: { kind: 'service' }, comment: reason });
      } else if (!isTerminal(group.status)) {
        await deps.tasks.cancel(group.task_id);
      }
    } catch (error) {
      // Merged or ended meanwhile: nothing left to close.
      deps.log.warn({ taskId: group.task_id, err: error }, 'superseded update task could not be closed');
    }
  }

  /**
   * Each update's changelog excerpt and public-API diff, one package at a time (an archive is held
   * in memory while read); a registry without archives, or one that fails here, leaves "no release
   * notes found" and no API diff.
   */
  async function detailsOf(
    updates: readonly UpdateCandidate[],
    sources: ReadonlyMap<string, NonNullable<FoundUpdates['details']>>,
  ): Promise<UpdateDescriptionDetails> {
    const out = { notes: new Map<string, string | undefined>(), api: new Map<string, DependencyApiDiff>() };
    for (const update of updates.slice(0, MAX_NOTES_READ)) {
      const key = notesKey(update);
      try {
        const details = await sources.get(update.ecosystem)?.(update);
        out.notes.set(key, details?.notes);
        if (details?.api !== undefined && deps.apiSurface !== undefined) {
          out.api.set(key, await dependencyApiDiff(deps.apiSurface, details.api.before, details.api.after));
        }
      } catch (error) {
        deps.log.warn({ package: update.name, err: error }, 'release notes or public API could not be read');
        if (!out.notes.has(key)) out.notes.set(key, undefined);
      }
    }
    return out;
  }

  async function scanOnce({ repo, base_branch }: { repo: string; base_branch: string }): Promise<ScanResult> {
    const normalized = parseRepoRef(repo).normalized;
    const scannedAt = now();
    const updaters = createUpdaters(deps.access);
    let found: {
      candidates: UpdateCandidate[];
      skipped: SkippedUpdate[];
      settings: UpdateSettings;
      details: Map<string, NonNullable<FoundUpdates['details']>>;
    };
    try {
      await deps.admit(repo);
      found = await readRepo(repo, base_branch, async (files) => {
        const settings = await settingsOf(files);
        const candidates: UpdateCandidate[] = [];
        const skipped: SkippedUpdate[] = [];
        const details = new Map<string, NonNullable<FoundUpdates['details']>>();
        for (const updater of updaters) {
          const result = await findUpdates(updater, files, settings, scannedAt);
          candidates.push(...result.candidates);
          skipped.push(...result.skipped);
          if (result.details) details.set(updater.ecosystem, result.details);
        }
        return { candidates, skipped, settings, details };
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
      superseded: [],
      found: found.candidates,
      skipped: found.skipped,
    };
    const groups = groupUpdates(found.candidates, found.settings);
    // A group with nothing left to update (done by hand, or its package removed): its pull request goes.
    for (const stale of existing.filter((g) => isOpen(g.status) && !groups.some((n) => n.key === g.key))) {
      await supersede(
        stale,
        'nothing is left to update in this group: the base branch has these versions or no longer has these dependencies',
      );
      result.superseded.push(stale);
    }
    let openCount = existing.filter((g) => isOpen(g.status) && !result.superseded.includes(g)).length;
    for (const group of groups) {
      const open = existing.find((g) => g.key === group.key && isOpen(g.status));
      if (open && sameUpdates(open.updates, group.updates)) {
        result.open.push(open);
        count(group.updates, 'open');
        continue;
      }
      if (!open && openCount >= found.settings.maxOpenPrs) {
        result.held.push(group.key);
        count(group.updates, 'held');
        continue;
      }
      const risk = riskOf(found.settings, group.updates);
      const task = await deps.tasks.submit(
        {
          title: updateTitle(group),
          description: updateDescription(
            group,
            found.settings.repair,
            await detailsOf(group.updates, found.details),
          ),
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
      // A newer version for a group with an open task: the new task's pull request replaces it.
      if (open) {
        await supersede(
          open,
          `superseded by task ${task.id}: ${group.updates.map((u) => `${u.name} ${u.to}`).join(', ')}`,
        );
        result.superseded.push(open);
      } else openCount += 1;
      result.created.push({
        key: group.key,
        task_id: task.id,
        status: task.status,
        updates: group.updates,
      });
      count(group.updates, 'proposed');
    }
    for (const skip of found.skipped) {
      const scheme = updaters.find((u) => u.ecosystem === skip.ecosystem)?.versioning ?? SEMVER_VERSIONING;
      const type = scheme.classify(skip.from, skip.to) ?? 'unknown';
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
  }

  const inFlight = new Map<string, Promise<void>>();

  return {
    // One scan of a repository and base at a time in this process (the API and the schedule may
    // ask at once): the second sees the first's tasks and opens none twice.
    scan(input) {
      const key = `${parseRepoRef(input.repo).normalized}\0${input.base_branch}`;
      const previous = inFlight.get(key) ?? Promise.resolve();
      const next = previous.catch(() => undefined).then(() => scanOnce(input));
      const settled = next.then(
        () => undefined,
        () => undefined,
      );
      inFlight.set(key, settled);
      void settled.then(() => {
        if (inFlight.get(key) === settled) inFlight.delete(key);
      });
      return next;
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
