import type { Task } from '../domain/task.js';
import { createRepoAllowlist } from '../governance/allowlist.js';
import { resolveAllowedRepo } from '../governance/repo-access.js';
import { repoNames } from '../multirepo/task-workspaces.js';
import type { Store } from '../store/index.js';
import type { TestToolOutput } from '../tools/test.js';
import type { GitHttpAuth } from '../workspace/token-transport.js';
import type { WorkspaceGit } from '../workspace/types.js';
import { parseRepoRef } from '../workspace/repo-ref.js';
import { inConsumer } from './phases/prepare-consumers.js';
import type { SyncAt } from './phases/rebase.js';
import { pushReplayedConsumer, syncConsumerWithBase } from './phases/rebase-consumer.js';
import type { ConsumerTests } from './phases/verify-consumers.js';
import { verdictOf } from './phases/verify.js';
import { currentBaseOf } from './base-update.js';
import { runStep } from './step-runner.js';
import type { TaskContext } from './task-context.js';

/** A consumer a base update replayed onto its moved base: what `pr.base_updated` records in `repos`. */
export interface MovedConsumer {
  repo: string;
  base: string;
  head: string;
}

export type ConsumersUpdate =
  { ok: true; moved: MovedConsumer[]; tests: ConsumerTests[] } | { ok: false; reason: string };

/**
 * A base update's part in a multi-repo task's consumers (ctx.consumers, prepared at their pull
 * requests' heads): each consumer with a pull request whose base moved is replayed onto it, tested
 * built against the library as the update left it (pushed by pushMovedConsumers); a consumer whose base did not move
 * (or that has no pull request) is tested again when the library moved. The first that conflicts or
 * fails is the reason, naming its repository; nothing after it runs.
 */
export async function updateConsumers(
  ctx: TaskContext,
  at: SyncAt,
  libraryMoved: boolean,
): Promise<ConsumersUpdate> {
  const moved: MovedConsumer[] = [];
  const tests: ConsumerTests[] = [];
  for (const consumer of ctx.consumers ?? []) {
    let run: TestToolOutput | undefined;
    if (consumer.head !== undefined) {
      // Pushed by the caller once every repository replayed and passed.
      const sync = await syncConsumerWithBase(
        ctx,
        { ...consumer, head: consumer.head },
        consumer.baseCommit,
        at,
        false,
      );
      if (!sync.ok) return { ok: false, reason: `in ${consumer.repo.repo}: ${sync.reason}` };
      if (sync.moved) {
        consumer.head = sync.head;
        consumer.baseCommit = sync.moved.base;
        moved.push({ repo: consumer.repo.repo, base: sync.moved.base, head: sync.head });
        run = sync.moved.tests;
      }
    }
    if (run === undefined && libraryMoved) {
      run = await runStep<TestToolOutput>(ctx, {
        ...at,
        tool: 'test',
        repo: inConsumer(consumer),
        linkToLibrary: true,
        input: {
          config_commit: consumer.baseCommit,
          ...(consumer.baseline ? { baseline: consumer.baseline.reports } : {}),
        },
      });
      if (verdictOf(run) !== 'pass') {
        const summary = run.summary.replace(/\n/g, '; ');
        return {
          ok: false,
          reason: `in ${consumer.repo.repo}: built against the updated library its tests do not pass: ${summary}`,
        };
      }
    }
    if (run !== undefined) tests.push({ name: consumer.name, tests: run });
  }
  return { ok: true, moved, tests };
}

/** Each consumer the update replayed, pushed and recorded as its pull request's head. */
export async function pushMovedConsumers(
  ctx: TaskContext,
  at: SyncAt,
  moved: readonly MovedConsumer[],
): Promise<void> {
  for (const entry of moved) {
    const consumer = ctx.consumers?.find((c) => c.repo.repo === entry.repo);
    if (consumer) await pushReplayedConsumer(ctx, consumer, entry.head, at);
  }
}

/** A repository of a task whose base branch moved past the commit its change sits on. */
export interface MovedBase {
  repo: string;
  role: 'library' | 'consumer';
  base_branch: string;
  /** The base the change sits on. */
  from: string;
  /** The base branch's commit now. */
  to: string;
}

/**
 * For a merge after review: the task's repositories whose base branch moved past the commit their
 * change sits on (the library's as currentBaseOf says; each consumer's as its last base update, else
 * its clone, says). Empty: every pull request sits on its base as it is and may merge as it is. Any
 * of them moved: `requestBaseUpdate` brings them all up to date first. `dir` is any git directory
 * to ask the remotes from (a worktree of the task's); repositories are checked against
 * allowlist_repos as every fetch is.
 */
export async function movedBases(
  deps: { store: Store; git: WorkspaceGit; allowlistRepos: readonly string[]; auth?: GitHttpAuth },
  task: Task,
  dir: string,
): Promise<MovedBase[]> {
  const names = repoNames(task.repos);
  const events = await deps.store.events.list(task.id);
  const allowlist = createRepoAllowlist(deps.allowlistRepos);
  const moved: MovedBase[] = [];
  for (const [index, repo] of task.repos.entries()) {
    const from =
      index === 0
        ? await currentBaseOf(deps.store, task.id)
        : (lastUpdatedBase(events, repo.repo) ??
          (
            (await deps.store.steps.get(task.id, `prepare.git_clone@${names[index] ?? ''}#1`))?.output as
              { base_commit?: string } | undefined
          )?.base_commit);
    if (from === undefined) continue;
    const target = await resolveAllowedRepo(parseRepoRef(repo.repo), allowlist);
    const to = await deps.git.remoteBranchCommit(
      dir,
      target,
      repo.base_branch,
      deps.auth ? { auth: deps.auth } : undefined,
    );
    if (to !== undefined && to !== from) {
      moved.push({ repo: repo.repo, role: repo.role, base_branch: repo.base_branch, from, to });
    }
  }
  return moved;
}

function lastUpdatedBase(
  events: readonly { type: string; data: Record<string, unknown> }[],
  repo: string,
): string | undefined {
  for (const event of [...events].reverse()) {
    if (event.type !== 'pr.base_updated' || !Array.isArray(event.data.repos)) continue;
    const entry = (event.data.repos as { repo?: unknown; base?: unknown }[]).find((r) => r.repo === repo);
    if (typeof entry?.base === 'string') return entry.base;
  }
  return undefined;
}
