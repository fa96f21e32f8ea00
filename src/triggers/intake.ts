import type { AutodevConfig, RiskTier } from '../config/schema.js';
import { RISK_TIERS } from '../config/schema.js';
import { isTerminal, type Task } from '../domain/task.js';
import { AutodevError } from '../errors.js';
import type { Forge } from '../forges/types.js';
import type { Logger } from '../logging/logger.js';
import type { TaskService } from '../orchestrator/task-service.js';
import type { Store } from '../store/index.js';
import type { IssueTask } from '../store/issue-task-repository.js';
import { parseRepoRef } from '../workspace/repo-ref.js';
import { parseTriggerCommand, type TriggerCommand } from './commands.js';
import { FINAL_STATUSES, renderStatusComment } from './status-comment.js';
import type { TriggerEvent, TriggerSource } from './types.js';

/** What the intake made of one trigger; the webhook route and the issues API answer with it. */
export type TriggerOutcome =
  | { outcome: 'ignored' }
  | { outcome: 'duplicate' }
  | { outcome: 'refused'; reason: string }
  | { outcome: 'created' | 'added' | 'cancelled' | 'reverted'; taskId: string }
  | { outcome: 'rejected'; reason: string };

export interface TriggerIntake {
  readonly source: TriggerSource;
  handle(event: TriggerEvent): Promise<TriggerOutcome>;
  /** Keeps the status comment of every unfinished triggered task current again (after a restart). */
  resume(): Promise<void>;
  /** Waits for pending status-comment updates (shutdown). */
  drain(): Promise<void>;
}

export interface TriggerIntakeDeps {
  config: AutodevConfig;
  store: Store;
  source: TriggerSource;
  forge: Pick<Forge, 'reviewerPermission' | 'locate'>;
  tasks: Pick<TaskService, 'submit' | 'cancel' | 'revert'>;
  log: Logger;
}

/** A title is one line of at most 500 characters (the tasks API's rule). */
const MAX_TITLE_CHARS = 500;
/** The issue's text the task keeps; a longer body is cut with a note (the model reads it). */
const MAX_ISSUE_BODY_CHARS = 50_000;

/**
 * Issues and comments on the forge turned into tasks. Who may trigger is asked of the forge (or the
 * `allowed_users` list), never read from the text; the issue's and comments' text only ever reaches
 * the task's description, which the model reads as the task, not autodev as a command.
 */
export function createTriggerIntake(deps: TriggerIntakeDeps): TriggerIntake {
  const { config, store, source, log } = deps;
  const settings = config.triggers;
  const watches = new Map<string, () => void>();
  let pending: Promise<unknown> = Promise.resolve();
  const chains = new Map<string, Promise<void>>();

  const taskLink = (id: string) => {
    const path = `/api/v1/autodev/tasks/${id}`;
    return config.public_url ? `${config.public_url.replace(/\/+$/, '')}${path}` : path;
  };

  /** Rewrites the status comment from the store; serialised per task so updates land in order. */
  const refresh = (taskId: string): Promise<void> => {
    const next = (chains.get(taskId) ?? Promise.resolve())
      .then(() => writeStatus(taskId))
      .catch((err: unknown) => log.warn({ taskId, err }, 'status comment update failed'));
    chains.set(taskId, next);
    pending = Promise.all([pending, next]);
    return next;
  };

  const writeStatus = async (taskId: string) => {
    const [task, link] = await Promise.all([store.tasks.get(taskId), store.issueTasks.getByTask(taskId)]);
    if (!task || !link) return;
    const [pr, events] = await Promise.all([store.pullRequests.getByTask(taskId), store.events.list(taskId)]);
    const body = renderStatusComment({
      task,
      pr,
      added: events.filter((e) => e.type === 'task.instruction_added'),
      taskLink: taskLink(taskId),
    });
    const repo = repoOf(task);
    if (link.status_comment_id) {
      await source.channel.updateComment(repo, link.issue_number, link.status_comment_id, body);
    } else {
      const id = await source.channel.postComment(repo, link.issue_number, body);
      await store.issueTasks.setStatusComment(taskId, id);
    }
    if (task.status === 'merged') await source.channel.closeIssue(repo, link.issue_number);
    if (FINAL_STATUSES.has(task.status)) unwatch(taskId);
  };

  const watch = (taskId: string) => {
    if (watches.has(taskId)) return;
    const off = store.events.subscribe(taskId, (event) => {
      if (
        event.type === 'task.status_changed' ||
        event.type === 'pr.opened' ||
        event.type === 'task.instruction_added'
      ) {
        void refresh(taskId);
      }
    });
    watches.set(taskId, off);
  };
  const unwatch = (taskId: string) => {
    watches.get(taskId)?.();
    watches.delete(taskId);
  };

  const reply = async (event: TriggerEvent, body: string) => {
    try {
      await source.channel.postComment(event.repo, event.issue.number, body, event.issue.isPullRequest);
    } catch (err) {
      log.warn({ err, issue: event.issue.number }, 'reply on the issue failed');
    }
  };

  const isAllowed = async (event: TriggerEvent): Promise<boolean> => {
    if (settings.allowed_users.length > 0) {
      const who = event.actor.toLowerCase();
      return settings.allowed_users.some((u) => u.toLowerCase() === who);
    }
    if (source.everyoneAllowed) return true;
    try {
      const permission = await deps.forge.reviewerPermission(event.repo, event.actor);
      return meetsPermission(permission, settings.min_permission);
    } catch (err) {
      // A failed lookup allows nobody: the forge did not say yes.
      log.warn({ err, actor: event.actor }, 'permission lookup for a trigger failed');
      return false;
    }
  };

  const latestTask = async (event: TriggerEvent): Promise<{ link?: IssueTask; task: Task } | undefined> => {
    const links = await store.issueTasks.listForIssue(
      source.forge,
      parseRepoRef(event.repo).normalized,
      event.issue.number,
    );
    for (const link of links) {
      const task = await store.tasks.get(link.task_id);
      if (task) return { link, task };
    }
    return event.issue.isPullRequest ? pullRequestTask(event) : undefined;
  };

  /** A comment on one of autodev's own pull requests is about the task that opened it. */
  const pullRequestTask = async (event: TriggerEvent) => {
    let path: string;
    try {
      path = deps.forge.locate(event.repo).path;
    } catch {
      return undefined;
    }
    const prs = await store.pullRequests.list({ limit: 500 });
    const pr = prs.find((p) => p.number === event.issue.number && safePath(deps.forge, p.repo) === path);
    const task = pr && (await store.tasks.get(pr.task_id));
    return task ? { task } : undefined;
  };

  const startTask = async (event: TriggerEvent, instruction: string): Promise<TriggerOutcome> => {
    const repoNormalized = parseRepoRef(event.repo).normalized;
    const open = await countOpenTasks(store, repoNormalized);
    if (open >= settings.max_open_tasks) {
      const reason = `this repository has ${open} unfinished autodev tasks, the most [autodev.triggers] max_open_tasks (${settings.max_open_tasks}) allows; ask again when one has finished`;
      await reply(event, `@${event.actor} autodev did not start a task: ${reason}.`);
      return { outcome: 'rejected', reason };
    }
    let task: Task;
    try {
      task = await deps.tasks.submit({
        title: titleOf(event),
        description: descriptionOf(event, instruction, source.forge),
        repo: event.repo,
        base_branch: event.baseBranch,
        risk_tier: riskTierOf(event.issue.labels) ?? config.default_risk_tier,
        constraints: [],
        acceptance: [],
      });
    } catch (error) {
      const reason = error instanceof AutodevError ? `${error.code}: ${error.message}` : String(error);
      await reply(event, `@${event.actor} autodev could not start a task for this issue: ${reason}`);
      return { outcome: 'rejected', reason };
    }
    await store.issueTasks.link({
      task_id: task.id,
      forge: source.forge,
      repo_normalized: repoNormalized,
      issue_number: event.issue.number,
    });
    await store.events.append(task.id, 'task.triggered', {
      forge: source.forge,
      issue: event.issue.number,
      by: event.actor,
      via: event.kind === 'comment' ? 'comment' : event.action,
    });
    watch(task.id);
    await refresh(task.id);
    return { outcome: 'created', taskId: task.id };
  };

  const act = async (event: TriggerEvent, command: TriggerCommand): Promise<TriggerOutcome> => {
    const latest = await latestTask(event);
    const running = latest && !isTerminal(latest.task.status) ? latest : undefined;
    switch (command.kind) {
      case 'cancel': {
        if (!running) {
          await reply(event, `@${event.actor} there is no running autodev task for this issue to cancel.`);
          return { outcome: 'rejected', reason: 'no running task' };
        }
        try {
          await deps.tasks.cancel(running.task.id);
        } catch (error) {
          const reason = error instanceof AutodevError ? error.message : String(error);
          await reply(event, `@${event.actor} autodev could not cancel task ${running.task.id}: ${reason}`);
          return { outcome: 'rejected', reason };
        }
        await refresh(running.task.id);
        return { outcome: 'cancelled', taskId: running.task.id };
      }
      case 'revert': {
        if (latest?.task.status !== 'merged') {
          await reply(event, `@${event.actor} there is no merged autodev task for this issue to revert.`);
          return { outcome: 'rejected', reason: 'no merged task' };
        }
        const { task } = await deps.tasks.revert(latest.task.id);
        await reply(event, `@${event.actor} autodev is reverting task ${latest.task.id} as task ${task.id}.`);
        return { outcome: 'reverted', taskId: task.id };
      }
      case 'retry': {
        if (running) return addTo(event, running.task, '');
        const failed = latest && ['failed', 'cancelled', 'closed'].includes(latest.task.status);
        if (!failed || event.issue.isPullRequest) {
          await reply(
            event,
            `@${event.actor} there is no failed or cancelled autodev task for this issue to retry.`,
          );
          return { outcome: 'rejected', reason: 'nothing to retry' };
        }
        return startTask(event, '');
      }
      case 'run':
        if (running) return addTo(event, running.task, command.instruction);
        if (event.issue.isPullRequest) {
          // A pull request's change is steered by its review (a change request starts a round).
          await reply(
            event,
            `@${event.actor} autodev starts tasks from issues; on a pull request, request changes in a review instead.`,
          );
          return { outcome: 'rejected', reason: 'instructions on a pull request go through its review' };
        }
        return startTask(event, command.instruction);
    }
  };

  /** A second trigger while the issue's task runs joins that task rather than starting another. */
  const addTo = async (event: TriggerEvent, task: Task, instruction: string): Promise<TriggerOutcome> => {
    await store.events.append(task.id, 'task.instruction_added', {
      by: event.actor,
      instruction,
      source: event.kind === 'comment' ? `comment ${event.comment.id}` : `issue ${event.action}`,
    });
    watch(task.id);
    await refresh(task.id);
    return { outcome: 'added', taskId: task.id };
  };

  return {
    source,
    async handle(event) {
      if (!settings.enabled) return { outcome: 'ignored' };
      const command = commandOf(event, config);
      if (!command) return { outcome: 'ignored' };
      if (!(await store.issueTasks.takeOnce(event.key))) return { outcome: 'duplicate' };
      if (!(await isAllowed(event))) {
        const need =
          settings.allowed_users.length > 0
            ? 'the users listed in [autodev.triggers] allowed_users'
            : `users with ${settings.min_permission} permission on this repository`;
        const reason = `only ${need} can ask autodev for work`;
        await reply(event, `@${event.actor} thanks for asking, but ${reason}; nothing was started.`);
        return { outcome: 'refused', reason };
      }
      return act(event, command);
    },
    async resume() {
      for (const taskId of await store.issueTasks.allTaskIds()) {
        const task = await store.tasks.get(taskId);
        if (task && !FINAL_STATUSES.has(task.status)) {
          watch(taskId);
          void refresh(taskId);
        }
      }
    },
    async drain() {
      await pending;
      for (const off of watches.values()) off();
      watches.clear();
    },
  };
}

/** The command a trigger carries, or undefined when it is not one (a label other than the trigger's). */
function commandOf(event: TriggerEvent, config: AutodevConfig): TriggerCommand | undefined {
  const { label, command, bot_account: bot } = config.triggers;
  if (event.kind === 'comment') {
    // autodev's own comments (its status and replies) are never triggers.
    if (bot && event.actor.toLowerCase() === bot.toLowerCase()) return undefined;
    return parseTriggerCommand(event.comment.body, command);
  }
  if (event.issue.isPullRequest) return undefined;
  if (event.action === 'opened' && event.issue.labels.includes(label))
    return { kind: 'run', instruction: '' };
  if (event.action === 'labeled' && event.label === label) return { kind: 'run', instruction: '' };
  if (event.action === 'assigned' && bot && event.assignee?.toLowerCase() === bot.toLowerCase()) {
    return { kind: 'run', instruction: '' };
  }
  return undefined;
}

function safePath(forge: Pick<Forge, 'locate'>, repo: string): string | undefined {
  try {
    return forge.locate(repo).path;
  } catch {
    return undefined;
  }
}

function meetsPermission(permission: { canWrite: boolean; level: string }, min: string): boolean {
  const level = permission.level.toLowerCase();
  if (min === 'admin') return /^(admin|maintainer|owner)/.test(level);
  if (min === 'write') return permission.canWrite;
  // Gitea and GitHub say `none`; GitLab says `not a member` for a login without access.
  return permission.canWrite || !(level === '' || level.startsWith('none') || level === 'not a member');
}

function riskTierOf(labels: string[]): RiskTier | undefined {
  for (const tier of RISK_TIERS) if (labels.includes(`risk:${tier}`)) return tier;
  return undefined;
}

async function countOpenTasks(store: Store, repoNormalized: string): Promise<number> {
  let open = 0;
  for (const taskId of await store.issueTasks.allTaskIds()) {
    const task = await store.tasks.get(taskId);
    if (task && task.repo_normalized === repoNormalized && !isTerminal(task.status)) open += 1;
  }
  return open;
}

function repoOf(task: Task): string {
  return task.repo;
}

// eslint-disable-next-line no-control-regex -- control characters are what is removed
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

function titleOf(event: TriggerEvent): string {
  const title = event.issue.title.replace(CONTROL, ' ').trim().slice(0, MAX_TITLE_CHARS);
  return title.length > 0 ? title : `Issue #${event.issue.number}`;
}

// eslint-disable-next-line no-control-regex -- control characters other than newline and tab are removed
const CONTROL_EXCEPT_NEWLINE_TAB = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]+/g;

/**
 * The task's description: the issue's text, then the comment's instruction, each said to be from the
 * forge. They are what the model is asked to do, never instructions to autodev (which reads no command
 * from them beyond the comment's first word).
 */
function descriptionOf(event: TriggerEvent, instruction: string, forge: string): string {
  const clean = (s: string) => s.replace(CONTROL_EXCEPT_NEWLINE_TAB, ' ');
  const body = clean(event.issue.body);
  const cut =
    body.length > MAX_ISSUE_BODY_CHARS
      ? `${body.slice(0, MAX_ISSUE_BODY_CHARS)}\n\n(the issue's text is cut here)`
      : body;
  const parts = [`From ${forge} issue #${event.issue.number}; the text below is the issue's.`, '', cut];
  if (instruction) parts.push('', `Instruction from @${event.actor}'s comment:`, clean(instruction));
  return parts.join('\n');
}
