import { consumerWorkspaceId } from '../multirepo/task-workspaces.js';
import { stepHomesOf, taskHomeDir } from '../orchestrator/step-home.js';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { AutodevConfig } from '../config/schema.js';
import type { Environment } from '../config/load.js';
import type { Task } from '../domain/task.js';
import { createForge, gitAuthHint } from '../forges/index.js';
import { createRepoAllowlist } from '../governance/allowlist.js';
import { createModelClient } from '../llm/index.js';
import type { ModelClient, ModelClientDeps } from '../llm/types.js';
import { createApiSurface } from '../languages/api-surface/index.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { createMetrics, type AutodevMetrics } from '../metrics/registry.js';
import { createPrReviewService, type PrReviewService } from '../orchestrator/review/pr-review-service.js';
import { createReviewIntake, type ReviewIntake } from '../orchestrator/review/intake.js';
import { createReviewPoller } from '../orchestrator/review/poller.js';
import {
  createEngine,
  createLocalRuns,
  type Engine,
  type LocalRuns,
  type TaskRunHooks,
} from '../engine/index.js';
import { createTaskService, type TaskService } from '../orchestrator/task-service.js';
import { createSandbox, workspaceCreationHook } from '../sandbox/index.js';
import { createRipgrepSearch } from '../search/ripgrep.js';
import { createGitleaksScanner } from '../secrets/gitleaks.js';
import { projectToolPath } from '../secrets/tool-path.js';
import { createRedactor, type Redact } from '../secrets/redact.js';
import { openStore, type Store } from '../store/index.js';
import { justUpdated } from '../orchestrator/base-update.js';
import { createToolRegistry, type ToolRegistry } from '../tools/registry.js';
import type { ToolServices } from '../tools/types.js';
import {
  createCatFilePool,
  createGitRunner,
  createGitStarter,
  createWorkspaceGit,
  createWorkspaceManager,
} from '../workspace/index.js';
import type pino from 'pino';
import { isDeadLocalOwner } from '../orchestrator/lease-owner.js';
import { createHealthMonitor, type HealthReport } from '../doctor/index.js';
import { createTriggerSource } from '../triggers/index.js';
import { createTriggerIntake, type TriggerIntake } from '../triggers/intake.js';
import { createTriggerPoller } from '../triggers/poller.js';
import { AutodevError } from '../errors.js';
import { resolveAllowedRepo } from '../governance/repo-access.js';
import { parseRepoRef } from '../workspace/repo-ref.js';
import { hostCommand, hostNpmRegistry } from '../network/registries/index.js';
import { hostRegistryEnv } from '../network/registries/sandbox-env.js';
import { hostCargoSourceConfig } from '../network/registries/cargo.js';
import { createRegistryAccess } from '../updates/registry-access.js';
import { createUpdateScanService, type UpdateScanService } from '../updates/scan-service.js';
import { createUpdateScheduler } from '../updates/schedule.js';

export interface Runtime {
  config: AutodevConfig;
  log: Logger;
  redact: Redact;
  store: Store;
  metrics: AutodevMetrics;
  tools: ToolRegistry;
  services: ToolServices;
  /** Where and when tasks run (`[autodev.engine] kind`): this process, or Temporal workers. */
  engine: Engine;
  /** What every engine does around one run of a task (the context, the clean-up). */
  runHooks: TaskRunHooks;
  /** The task runs of this process (embedded, or the Temporal worker beside the API). */
  runs: LocalRuns;
  tasks: TaskService;
  /** Human review of pull requests left awaiting_review: approve, request changes, merge, close. */
  reviews: PrReviewService;
  /** Forge activity (webhooks, polls, the local API) turned into merges and review rounds. */
  reviewIntake: ReviewIntake;
  /** Issues and comments on the forge turned into tasks; undefined for a forge without triggers. */
  triggers: TriggerIntake | undefined;
  /** Dependency update scans: one task per update group (src/updates/). */
  updates: UpdateScanService;
  /** The self-check (model, forge, OPA, tools, settings), cached: logged at start, GET /health. */
  health: { report(): Promise<HealthReport> };
  /** Starts claiming tasks (not when the kill switch is off). */
  start(): Promise<void>;
  /** Graceful: no new work, running steps reach a checkpoint within `graceMs`, store closed. */
  close(graceMs?: number): Promise<void>;
}

export interface RuntimeDeps {
  hostEnv: Environment;
  logDestination?: pino.DestinationStream;
  /** Lease length; short in tests that kill and restart the server. */
  leaseMs?: number;
  pollMs?: number;
  /** Where provider = "replay" reads recorded turns; this runtime's store when absent. */
  recordedTurns?: ModelClientDeps['recordedTurns'];
}

/** Builds every layer once, from config, and wires them together: the one place that knows them all. */
export async function createRuntime(config: AutodevConfig, deps: RuntimeDeps): Promise<Runtime> {
  const redact = createRedactor([
    config.secrets.llmApiKey,
    config.secrets.forgeToken,
    config.secrets.webhookSecret,
    ...config.secrets.apiTokens,
    ...config.secrets.users.map((u) => u.token),
    config.secrets.storePassword,
  ]);
  const log = createLogger({ level: config.log_level, redact, destination: deps.logDestination });
  const sandbox = createSandbox(config, { hostEnv: deps.hostEnv });
  await sandbox.ensureAvailable();
  const store = await openStore({
    dataDir: config.dataDir,
    store: config.store,
    redact,
    warn: (message) => log.warn({ store: 'postgres' }, message),
  });
  const metrics = createMetrics();
  const tools = createToolRegistry();
  const hostPath = {
    PATH: deps.hostEnv.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: deps.hostEnv.HOME ?? '/tmp',
  };
  const runGit = createGitRunner({ env: deps.hostEnv, authHint: gitAuthHint(config) });
  // One long-lived object reader per mirror, shared by the workspace manager and the tools' git.
  const catFiles = createCatFilePool(createGitStarter({ env: deps.hostEnv }));
  // The mirror fetches private repos with the forge's credentials; the forge is made just below.
  const onWorktreeCreated = workspaceCreationHook(config);
  const workspaces = createWorkspaceManager(config, {
    git: runGit,
    catFiles,
    gitAuth: () => services.forge.gitAuth(),
    ...(onWorktreeCreated ? { onWorktreeCreated } : {}),
  });
  // Host-side git on a workspace takes its git dir from the workspace records, never from the worktree.
  const git = createWorkspaceGit({
    git: runGit,
    catFiles,
    locate: (dir) => workspaces.locate(dir),
    recordKept: (dir, refs) => workspaces.recordKept(dir, refs),
  });
  let model: ModelClient | undefined;
  const forge = await createForge(config, {
    pullRequests: store.pullRequests,
    prReviews: store.prReviews,
    git,
  });
  // Read once from the host's npm (outside any repository), for corepack inside the sandbox.
  const npmRegistry = await hostNpmRegistry({ ...deps.hostEnv, HOME: hostPath.HOME });
  const cargoSourceConfig = await hostCargoSourceConfig({ ...deps.hostEnv, HOME: hostPath.HOME });
  const registryEnv = await hostRegistryEnv(
    hostCommand({ ...deps.hostEnv, HOME: hostPath.HOME }, hostPath.HOME ?? '/'),
    deps.hostEnv,
  );
  const services: ToolServices = {
    config,
    sandbox,
    runGit,
    model: () =>
      (model ??= createModelClient(config.llm, {
        apiKey: config.secrets.llmApiKey,
        recordedTurns: deps.recordedTurns ?? ((taskId) => store.conversations.list(taskId)),
      })),
    git,
    workspaces,
    forge,
    search: createRipgrepSearch({ env: hostPath }),
    secrets: createGitleaksScanner({
      binary: projectToolPath('gitleaks'),
      env: hostPath,
      locate: (dir) => workspaces.locate(dir),
      changedBinaryFiles: (dir, base) => git.changedBinaryFiles(dir, base),
    }),
    apiSurface: createApiSurface({ env: hostPath }),
    store,
    ...(npmRegistry ? { npmRegistry } : {}),
    ...(cargoSourceConfig ? { cargoSourceConfig } : {}),
    registryEnv,
  };
  const leaseMs = deps.leaseMs ?? 30_000;

  const runHooks: TaskRunHooks = {
    createContext: (task: Task, signals) => ({
      task,
      config,
      store,
      tools,
      services,
      metrics,
      log: log.child({ taskId: task.id }),
      signal: signals.signal,
      drain: signals.drain,
      workspaceDir: '',
      homeDir: taskHome(config, task.id),
    }),
    onTaskDone: async (task, status) => {
      if (!status) return; // stopped for shutdown: resumes with its workspace
      await rm(join(config.dataDir, 'homes', task.id), { recursive: true, force: true });
      await rm(stepHomesOf(join(config.dataDir, 'homes', task.id)), { recursive: true, force: true });
      // A linked test killed mid-run (a crash) leaves its scratch copies (tools/linked-test.ts).
      await rm(join(config.dataDir, 'links', task.id), { recursive: true, force: true });
      // Failed workspaces stay for debugging (swept after keep_failed_workspaces_hours); others go now.
      // A multi-repo task's consumers have worktrees of their own, kept or released with the library's.
      const workspaceIds = [
        task.id,
        ...task.repos.slice(1).map((_, i) => consumerWorkspaceId(task.id, i + 1)),
      ];
      if (status === 'failed') {
        for (const id of workspaceIds) await workspaces.markFailed(id);
      } else {
        // The worktree becomes the repo's spare: the next task of the repo starts from it.
        for (const id of workspaceIds) await workspaces.release(id);
        await store.events.append(task.id, 'workspace.removed', {});
      }
      // A run that ends queued queued more work for itself (a multi-repo merge that found a base
      // moved asked for an update): a temporal workflow waits for a wake before it runs again.
      if (status === 'queued') engine.poke(task.id);
      // Brought up to date after an approval: the intake merges it now rather than at the next poll.
      // Not awaited: its merge waits for this run to be over (settled), which includes this call.
      if (status === 'awaiting_review' && (await justUpdated(store, task.id))) {
        void reviewIntake
          .sync(task.id)
          .catch((err: unknown) => log.warn({ taskId: task.id, err }, 'review sync after an update failed'));
      }
    },
  };
  const runs = createLocalRuns();
  const engine = await createEngine({
    config,
    store,
    log,
    hooks: runHooks,
    runs,
    leaseMs,
    pollMs: deps.pollMs ?? 1000,
  });
  metrics.observeQueue({
    queueDepth: () => store.overview.queueDepth(),
    running: () => engine.runningIds().length,
  });

  const allowlist = createRepoAllowlist(config.allowlist_repos);
  const tasks = createTaskService({
    enabled: config.enabled,
    store,
    metrics,
    allowlist,
    engine,
    forge: services.forge,
  });

  const reviewIntake = createReviewIntake({
    config,
    store,
    forge: services.forge,
    metrics,
    workspaces,
    git,
    log: log.child({ component: 'review-intake' }),
    poke: (taskId) => engine.poke(taskId),
    settled: (taskId) => engine.settled(taskId),
  });
  const reviews = createPrReviewService({ config, store, intake: reviewIntake, forge: services.forge });
  const reviewPoller = createReviewPoller({
    intervalMs: config.review_poll_secs * 1000,
    listAwaitingReview: async () =>
      (await store.tasks.list({ status: 'awaiting_review', limit: 500 })).tasks.map((t) => t.id),
    sync: (taskId) => reviewIntake.sync(taskId),
    log: log.child({ component: 'review-poller' }),
  });

  const triggerSource = createTriggerSource(config, { store });
  const triggers = triggerSource
    ? createTriggerIntake({
        config,
        store,
        source: triggerSource,
        forge: services.forge,
        tasks,
        log: log.child({ component: 'triggers' }),
      })
    : undefined;
  const triggerPoller = triggers
    ? createTriggerPoller({
        intervalMs: config.triggers.poll_secs * 1000,
        repos: config.triggers.poll_repos,
        intake: triggers,
        store,
        log: log.child({ component: 'trigger-poller' }),
      })
    : undefined;
  const updates = createUpdateScanService({
    config,
    store,
    tasks,
    reviews,
    admit: async (repo) => {
      if (!config.enabled) {
        throw new AutodevError('AUTODEV_DISABLED', 'autodev is disabled: no dependency scan is run');
      }
      services.forge.locate(repo);
      await resolveAllowedRepo(parseRepoRef(repo), allowlist);
    },
    workspaces,
    git,
    access: createRegistryAccess({ hostEnv: deps.hostEnv, extraAllow: config.setup_network_allow }),
    apiSurface: services.apiSurface,
    metrics,
    log: log.child({ component: 'updates' }),
  });

  const updateScheduler = createUpdateScheduler({
    repos: config.updates.repos,
    lastScanAt: async (repo) =>
      (await store.dependencyUpdates.lastScan(parseRepoRef(repo.repo).normalized, repo.base_branch))
        ?.scanned_at,
    scan: (repo) => updates.scan({ repo: repo.repo, base_branch: repo.base_branch }),
    log: log.child({ component: 'update-schedule' }),
  });

  return {
    config,
    log,
    redact,
    store,
    metrics,
    tools,
    services,
    engine,
    runHooks,
    runs,
    tasks,
    reviews,
    reviewIntake,
    triggers,
    updates,
    health: createHealthMonitor({
      config,
      hostEnv: deps.hostEnv,
      runGit,
      timeoutMs: HEALTH_PROBE_TIMEOUT_MS,
    }),
    async start() {
      for (const owner of await store.tasks.listLeaseOwners()) {
        if (isDeadLocalOwner(owner)) await store.tasks.expireLeasesOf(owner);
      }
      const live = new Set(await store.tasks.listUnfinishedIds());
      // The leftovers are listed first; the engine starts before they are removed and the mirrors
      // pruned, so the first task does not wait for a sweep of every mirror.
      const sweep = await workspaces.startSweep(live);
      if (config.enabled) {
        await engine.start();
        reviewPoller.start();
        await triggers?.resume();
        triggerPoller?.start();
        updateScheduler.start();
      } else {
        log.warn('autodev is disabled: tasks are not accepted and queued tasks do not start');
        await requeueWhileDisabled(store);
      }
      await sweep.done;
    },
    async close(graceMs = 10_000) {
      await updateScheduler.stop();
      await reviewPoller.stop();
      await triggerPoller?.stop();
      await engine.stop(graceMs);
      await triggers?.drain();
      await store.close();
      catFiles.closeAll();
    },
  };
}

/** One probe of the self-check (model endpoint, forge remote, OPA) may take this long. */
const HEALTH_PROBE_TIMEOUT_MS = 5_000;

/** A task's private HOME under data_dir (hidden from other tasks' sandboxes), created on first use. */
function taskHome(config: AutodevConfig, taskId: string): string {
  return taskHomeDir(config.dataDir, taskId);
}

/**
 * A task that was running when the server stopped keeps its last status (`planning`, say), which is
 * untrue while the kill switch holds every task: it is queued again, with an event saying why, and
 * resumes from its checkpoints once autodev is enabled.
 */
async function requeueWhileDisabled(store: Store): Promise<void> {
  const reason =
    'autodev is disabled (AUTODEV_ENABLED=false or enabled = false): the interrupted task waits queued and resumes where it stopped once autodev is enabled';
  for (const { id, from } of await store.tasks.requeueStranded()) {
    await store.events.append(id, 'task.requeued', { from, reason });
    await store.events.append(id, 'task.status_changed', { from, to: 'queued' });
  }
}
