import { z } from 'zod';
import { runCodingLoop, type CodingLoopResult } from '../agent/coding-loop.js';
import { startRound, type RoundStart } from '../agent/conversation.js';
import { buildCodingMessages, buildFollowUpMessage, buildRepairMessage } from '../agent/prompt.js';
import type { ConversationTurn } from '../domain/task.js';
import { AutodevError } from '../errors.js';
import { contextTokensOf } from '../llm/prices.js';
import { repoMapSnippets } from '../repomap/prompt-snippet.js';
import type { GitAuthor, Snapshot } from '../workspace/types.js';
import { createAgentToolbox } from './agent-toolbox.js';
import { defineTool } from './define.js';
import { registerTool } from './register.js';
import { taskModel } from './task-model.js';
import type { ToolContext } from './types.js';
import { discardUntrackedSince, markUntracked, type UntrackedMark } from '../workspace/untracked-guard.js';

export interface CodegenOutput {
  /**
   * The commit holding the change, exactly as the model left the files, kept under
   * `refs/autodev/changes/<task>/<round>` in the mirror: what git_apply commits. The checkpoint is
   * stored redacted, so the work itself must never be replayed from text in it.
   */
  change_commit: string;
  /** The change as a unified diff against `from_commit`, for people to read; never applied. */
  patch: string;
  files: string[];
  turns: number;
  /** Tokens of this step's model calls (turns re-read from checkpoints after a resume cost nothing). */
  input_tokens: number;
  output_tokens: number;
  cached_input_tokens: number;
  /** The model's last words, shortened. */
  final_text: string;
  /**
   * A multi-repo task: the change in each consumer repository the model edited (named as in
   * `repos`), kept like the library's; the fields above are the library's.
   */
  repo_changes?: RepoChange[];
}

/** One consumer repository's part of a multi-repo round's change. */
export interface RepoChange {
  repo: string;
  change_commit: string;
  patch: string;
  files: string[];
}

const codegenInputSchema = z.object({
  title: z.string().min(1),
  description: z.string(),
  constraints: z.array(z.string()).default([]),
  acceptance: z.array(z.string()).default([]),
  /** The task's plan for the model (describePlanForModel); empty for a default plan. */
  plan: z.string().max(50_000).optional(),
  from_commit: z.string().regex(/^[0-9a-f]{7,64}$/, 'expected a commit id'),
  files: z.array(z.string()).default([]),
  test_feedback: z.string().optional(),
  test_command: z.string().optional(),
  /**
   * New instructions that continue the task's conversation in this round (a reviewer's requested
   * changes); takes the place of test_feedback as the round's opening message.
   */
  follow_up: z.string().min(1).max(200_000).optional(),
  round: z.number().int().min(1).default(1),
  /** The baseline test run's output: its failures and stack traces rank the repository map. */
  baseline_output: z.string().max(1_000_000).optional(),
  /** A multi-repo task: where each consumer repository's round starts (the library's is from_commit). */
  repo_from_commits: z
    .array(z.object({ repo: z.string().min(1), from_commit: z.string().regex(/^[0-9a-f]{7,64}$/) }))
    .max(16)
    .optional(),
});

type CodegenInput = z.infer<typeof codegenInputSchema>;

/** Where a round's change is kept: a ref of autodev's in the mirror, out of the sandbox's reach. */
export function changeRef(taskId: string, round: number): string {
  return `refs/autodev/changes/${taskId}/${round}`;
}

/**
 * Asks the model for the change. The model edits the workspace through tools (or answers with a diff);
 * the result is committed as a scratch commit kept under a ref of autodev's and the workspace reset.
 * That commit, named in this step's checkpoint, is what git_apply commits, so a resumed task never pays
 * for the same model call twice and replays the exact files, not a redacted copy.
 */
export const codegenTool = registerTool(
  defineTool({
    name: 'codegen',
    description: 'Generate the code change for a task with the model; returns it as a unified diff.',
    inputSchema: codegenInputSchema,
    async invoke(input, ctx): Promise<CodegenOutput> {
      const { git, config, store } = ctx.services;
      const dir = ctx.workspaceDir;
      // The repository map ranked for the task opens the conversation, in the first round only (src/repomap/).
      const snippets =
        input.round === 1 && input.follow_up === undefined
          ? await repoMapSnippets({
              workspaceDir: dir,
              files: input.files,
              task: input,
              baselineOutput: input.baseline_output ?? input.test_feedback,
              tokenBudget: config.llm.repo_map_tokens,
              signal: ctx.signal,
              log: ctx.log,
            })
          : undefined;
      const round = await startRound(store?.conversations, ctx.taskId, {
        round: input.round,
        // A follow-up (a review round) on a task with no recorded conversation opens one with it.
        initial: () => [
          ...buildCodingMessages({
            task: input,
            files: input.files,
            ...(input.test_command ? { testCommand: input.test_command } : {}),
            ...(input.test_feedback ? { failure: { round: input.round, output: input.test_feedback } } : {}),
            toolCalling: config.llm.tool_calling,
            ...(snippets ? { snippets } : {}),
          }),
          ...(input.follow_up !== undefined ? [buildFollowUpMessage(input.round, input.follow_up)] : []),
        ],
        followUp: () =>
          input.follow_up !== undefined
            ? buildFollowUpMessage(input.round, input.follow_up)
            : input.test_feedback !== undefined
              ? buildRepairMessage({ round: input.round, output: input.test_feedback })
              : undefined,
      });
      // A resumed round continues from the files its last finished turn left (a kept scratch commit).
      await git.resetTo(dir, round.resumeCommit ?? input.from_commit);
      // So do a multi-repo task's consumers' files, kept with each turn (see runRound).
      const consumers = consumerStarts(input, ctx);
      await resumeConsumers(ctx, consumers, round.resumeSeq);
      const author = { name: config.git.git_author_name, email: config.git.git_author_email };
      // What setup and the builds left outside git, before the model's commands run in the worktree.
      const untracked = await markUntracked();
      let result: CodingLoopResult;
      let scratch: { commit: string };
      let files: string[];
      let patch: string;
      let repoChanges: RepoChange[] = [];
      try {
        let lastTurn: Snapshot | undefined;
        /** The commit the round's change ref was written for with the last turn's, if it was. */
        let keptChange: string | undefined;
        result =
          round.finished !== undefined
            ? finishedRoundResult(round.finished, round.turnsTaken)
            : await runRound(input, ctx, round, author, consumers, (turn, changeKept) => {
                lastTurn = turn;
                keptChange = changeKept ? turn.commit : undefined;
              });
        // The last turn's checkpoint holds the files already: nothing runs after a turn's end. Without
        // one (no store: the CLI; a round that had ended before a restart) the files are snapshot now.
        scratch =
          lastTurn ??
          (await git.snapshot(dir, {
            parent: input.from_commit,
            message: 'autodev: codegen scratch',
            author,
          }));
        const change = await git.changeBetween(dir, input.from_commit, scratch.commit);
        files = change.files;
        repoChanges = await keepConsumerChanges(ctx, consumers, input.round, author);
        const changed = files.length > 0 || repoChanges.length > 0;
        if (!changed && result.stopReason === 'already_applied') {
          throw new AutodevError(
            'EDIT_ALREADY_APPLIED',
            'the model resent edits the files already hold: nothing changed in this round',
          );
        }
        if (!changed) {
          throw new AutodevError('NO_EDIT_FOUND', 'the model finished without changing any file');
        }
        // Outside a task (the CLI) the ref is named by the commit itself: nothing resumes it by round.
        const ref = ctx.taskId
          ? changeRef(ctx.taskId, input.round)
          : `refs/autodev/changes/untracked/${scratch.commit}`;
        if (keptChange !== scratch.commit) await git.keepCommit(dir, ref, scratch.commit);
        patch = change.patch;
        // No reset to from_commit: git_apply resets to the commit it makes of this change, and a new
        // round resets to where it starts; what the model's commands left outside the change goes now.
        await discardModelLeftovers(ctx, dir, untracked, files);
        for (const consumer of consumers) {
          const own = repoChanges.find((c) => c.repo === consumer.repo)?.files ?? [];
          await discardModelLeftovers(ctx, consumer.dir, untracked, own);
        }
      } finally {
        await untracked.release();
      }
      const diffBytes = [patch, ...repoChanges.map((c) => c.patch)].reduce(
        (sum, text) => sum + Buffer.byteLength(text, 'utf8'),
        0,
      );
      if (diffBytes > config.max_diff_bytes) {
        throw new AutodevError(
          'CHANGE_TOO_LARGE',
          `the change's diff is ${diffBytes} bytes, over ${config.max_diff_bytes} ([autodev] max_diff_bytes)`,
        );
      }
      const fileCount = files.length + repoChanges.reduce((sum, c) => sum + c.files.length, 0);
      if (fileCount > config.max_files_changed) {
        throw new AutodevError(
          'CHANGE_TOO_LARGE',
          `the change touches ${fileCount} files, over ${config.max_files_changed} ([autodev] max_files_changed)`,
        );
      }
      return {
        change_commit: scratch.commit,
        patch,
        files,
        turns: result.turns,
        input_tokens: result.usage.inputTokens,
        output_tokens: result.usage.outputTokens,
        cached_input_tokens: result.usage.cachedInputTokens ?? 0,
        final_text: result.finalText.slice(0, 2000),
        ...(input.repo_from_commits ? { repo_changes: repoChanges } : {}),
      };
    },
    summarize: (out) =>
      `${out.files.length + (out.repo_changes ?? []).reduce((n, c) => n + c.files.length, 0)} file(s) changed in ${out.turns} turn(s), ${out.input_tokens}+${out.output_tokens} tokens (${out.cached_input_tokens} cached)`,
  }),
);

/**
 * Runs the round's loop on the task's conversation, checkpointing each finished turn: its messages
 * and reply in the store, its files as a scratch commit kept under refs/autodev/turns/<task>/<seq>.
 */
async function runRound(
  input: CodegenInput,
  ctx: ToolContext,
  round: RoundStart,
  author: GitAuthor,
  consumers: readonly ConsumerStart[],
  /** `changeKept`: the round's change ref was written with this turn's (the turn that ends the loop). */
  onCheckpoint: (turn: Snapshot, changeKept: boolean) => void,
): Promise<CodingLoopResult> {
  const { git, config, store } = ctx.services;
  const dir = ctx.workspaceDir;
  const taskId = ctx.taskId;
  const model = taskModel(ctx);
  // Imported at call time: the registry imports this file, and a static import back would leave
  // codegenTool uninitialised for whoever imports codegen.ts first (changeRef's users).
  const { TOOLS } = await import('./registry.js');
  let seq = round.nextSeq;
  // A turn that changed no file shares the previous turn's commit (already kept under its ref).
  let previous: Snapshot | undefined;
  const filesTouched = round.resumeCommit
    ? [
        ...(await git.changedFiles(dir, input.from_commit)),
        // What the round changed in a consumer counts too: a model that edited only a consumer
        // before the restart and now just summarizes is done. Named apart from the library's.
        ...(
          await Promise.all(
            consumers.map(async (c) =>
              (await git.changedFiles(c.dir, c.from_commit)).map((file) => `${c.repo}:${file}`),
            ),
          )
        ).flat(),
      ]
    : [];
  /** Each consumer's last turn's files: a turn that changed none of them writes no new commit. */
  const consumerTurns = new Map<string, Snapshot>();
  return runCodingLoop({
    model,
    messages: round.messages,
    recordedMessages: round.recordedMessages,
    turnsTaken: round.turnsTaken,
    filesTouched,
    tools: createAgentToolbox(TOOLS, ctx),
    maxTurns: config.llm.max_turns,
    signal: ctx.signal,
    toolCalling: config.llm.tool_calling,
    maxDeclines: config.llm.max_declines,
    maxIdleTurns: config.llm.max_idle_turns,
    context: { contextTokens: contextTokensOf(config.llm), replyTokens: config.llm.max_tokens },
    onTurn: async (turn) => {
      if (!store || !taskId) return;
      // HEAD and the worktree's index stay at the round's start: the checkpoint is staged apart.
      const snap = await git.snapshot(dir, {
        parent: input.from_commit,
        message: `autodev: turn ${seq}`,
        author,
        ...(previous ? { previous } : {}),
      });
      const { commit } = snap;
      const refs = snap !== previous ? [turnRef(taskId, seq)] : [];
      // The turn that ends the loop holds the round's change (nothing runs after it): its change ref
      // goes in the same transaction as the turn's, one git process where codegen's end took another.
      const ends = turn.stopReason !== null;
      if (ends) refs.push(changeRef(taskId, input.round));
      await git.keepCommit(dir, refs, commit);
      // Each consumer's files too, under the same turn number in its own mirror, before the turn is
      // recorded: a round resumed from this turn finds them (resumeConsumers), as the library's.
      await Promise.all(
        consumers.map(async (consumer) => {
          const before = consumerTurns.get(consumer.repo);
          const kept = await git.snapshot(consumer.dir, {
            parent: consumer.from_commit,
            message: `autodev: turn ${seq}`,
            author,
            ...(before ? { previous: before } : {}),
          });
          consumerTurns.set(consumer.repo, kept);
          await git.keepCommit(consumer.dir, turnRef(consumer.workspaceId, seq), kept.commit);
        }),
      );
      previous = snap;
      onCheckpoint(snap, ends);
      await store.conversations.append(taskId, {
        seq,
        round: input.round,
        request_hash: turn.requestHash,
        messages: turn.messages,
        reply: turn.reply,
        workspace_commit: commit,
        stop_reason: turn.stopReason,
      });
      seq += 1;
    },
    onModelCall: (info) =>
      ctx.onModelCall({
        model: info.model,
        inputTokens: info.inputTokens,
        outputTokens: info.outputTokens,
        cachedInputTokens: info.cachedInputTokens,
        ...(info.usd === undefined ? {} : { usd: info.usd }),
        durationMs: info.durationMs,
        finishReason: info.finishReason ?? 'other',
      }),
  });
}

/**
 * Only the change is judged: untracked files the round's commands added or rewrote (ignored ones
 * included, which the reset keeps) are removed before verification, and the task's log names them.
 */
async function discardModelLeftovers(
  ctx: ToolContext,
  dir: string,
  mark: UntrackedMark,
  change: readonly string[],
): Promise<void> {
  const removed = await discardUntrackedSince(ctx.services.git, dir, mark, change);
  if (removed.length === 0) return;
  const shown = removed.slice(0, 20).join(', ');
  const more = removed.length > 20 ? ` and ${removed.length - 20} more` : '';
  ctx.onOutput(
    'stderr',
    `autodev: removed ${removed.length} untracked file(s) the model's commands left: ${shown}${more}\n`,
  );
  ctx.log.info(
    { removed: removed.length, files: removed.slice(0, 20) },
    'untracked files of the round removed',
  );
}

/** A consumer repository of a multi-repo round: its name, worktree, and where the round starts. */
interface ConsumerStart {
  repo: string;
  dir: string;
  workspaceId: string;
  from_commit: string;
}

/** The consumers of a multi-repo round with their worktrees; VALIDATION_FAILED naming an unknown one. */
function consumerStarts(input: CodegenInput, ctx: ToolContext): ConsumerStart[] {
  return (input.repo_from_commits ?? []).map((start, index) => {
    const target = ctx.repos?.find((r) => r.name === start.repo && r.role !== 'library');
    if (!target) {
      throw new AutodevError(
        'VALIDATION_FAILED',
        `repo_from_commits.${index}.repo: ${JSON.stringify(start.repo)} is not a consumer repository of this task`,
      );
    }
    return {
      repo: start.repo,
      dir: target.dir,
      workspaceId: target.workspaceId,
      from_commit: start.from_commit,
    };
  });
}

/**
 * Each consumer's files where the round resumes: as its last finished turn (`resumeSeq`) left them,
 * kept under that turn's ref in the consumer's mirror; at the round's start for a new round, outside
 * a task, or a turn recorded before consumers' files were kept with it.
 */
async function resumeConsumers(
  ctx: ToolContext,
  consumers: readonly ConsumerStart[],
  resumeSeq: number | undefined,
): Promise<void> {
  const { git } = ctx.services;
  const taskId = ctx.taskId;
  for (const consumer of consumers) {
    const kept =
      resumeSeq === undefined || taskId === undefined
        ? undefined
        : await git.keptCommit(consumer.dir, turnRef(consumer.workspaceId, resumeSeq));
    await git.resetTo(consumer.dir, kept ?? consumer.from_commit);
  }
}

/** Each consumer's files as the round left them, kept as the library's are; only those that changed. */
async function keepConsumerChanges(
  ctx: ToolContext,
  consumers: readonly ConsumerStart[],
  round: number,
  author: GitAuthor,
): Promise<RepoChange[]> {
  const { git } = ctx.services;
  const changes: RepoChange[] = [];
  for (const consumer of consumers) {
    const scratch = await git.snapshot(consumer.dir, {
      parent: consumer.from_commit,
      message: 'autodev: codegen scratch',
      author,
    });
    const change = await git.changeBetween(consumer.dir, consumer.from_commit, scratch.commit);
    if (change.files.length === 0) continue;
    const ref = ctx.taskId
      ? changeRef(consumer.workspaceId, round)
      : `refs/autodev/changes/untracked/${scratch.commit}`;
    await git.keepCommit(consumer.dir, ref, scratch.commit);
    changes.push({
      repo: consumer.repo,
      change_commit: scratch.commit,
      patch: change.patch,
      files: change.files,
    });
  }
  return changes;
}

/** Where a turn's files are kept: a ref of autodev's in the mirror, so a resume finds the commit. */
export function turnRef(taskId: string, seq: number): string {
  return `refs/autodev/turns/${taskId}/${seq}`;
}

/** A round whose loop had ended before a restart: its result, read from the checkpoints (no model call). */
function finishedRoundResult(last: ConversationTurn, turns: number): CodingLoopResult {
  return {
    filesTouched: [],
    editsApplied: 0,
    finalText: last.reply.text,
    usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 },
    turns,
    messages: [],
    stopReason: last.stop_reason ?? 'done',
  };
}
