import { z } from 'zod';
import { runCodingLoop } from '../agent/coding-loop.js';
import { buildCodingMessages } from '../agent/prompt.js';
import { AutodevError } from '../errors.js';
import { repoMapSnippets } from '../repomap/prompt-snippet.js';
import { createAgentToolbox } from './agent-toolbox.js';
import { defineTool } from './define.js';
import { registerTool } from './register.js';

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
  input_tokens: number;
  output_tokens: number;
  /** The model's last words, shortened. */
  final_text: string;
}

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
    inputSchema: z.object({
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
      round: z.number().int().min(1).default(1),
      /** The baseline test run's output: its failures and stack traces rank the repository map. */
      baseline_output: z.string().max(1_000_000).optional(),
    }),
    async invoke(input, ctx): Promise<CodegenOutput> {
      const { git, config } = ctx.services;
      const dir = ctx.workspaceDir;
      await git.resetTo(dir, input.from_commit);
      const messages = buildCodingMessages({
        task: input,
        files: input.files,
        ...(input.test_command ? { testCommand: input.test_command } : {}),
        ...(input.test_feedback ? { failure: { round: input.round, output: input.test_feedback } } : {}),
        toolCalling: config.llm.tool_calling,
        // The repository map ranked for the task, in the first round only (src/repomap/).
        ...(input.round === 1 && !input.test_feedback
          ? {
              snippets: await repoMapSnippets({
                workspaceDir: dir,
                files: input.files,
                task: input,
                baselineOutput: input.baseline_output,
                tokenBudget: config.llm.repo_map_tokens,
                signal: ctx.signal,
                log: ctx.log,
              }),
            }
          : {}),
      });
      // Imported at call time: the registry imports this file, and a static import back would leave
      // codegenTool uninitialised for whoever imports codegen.ts first (changeRef's users).
      const { TOOLS } = await import('./registry.js');
      const result = await runCodingLoop({
        model: ctx.services.model(),
        messages,
        tools: createAgentToolbox(TOOLS, ctx),
        maxTurns: config.llm.max_turns,
        signal: ctx.signal,
        toolCalling: config.llm.tool_calling,
        maxDeclines: config.llm.max_declines,
        onModelCall: (info) =>
          ctx.onModelCall({
            model: info.model,
            inputTokens: info.inputTokens,
            outputTokens: info.outputTokens,
            durationMs: info.durationMs,
            finishReason: info.finishReason ?? 'other',
          }),
      });
      const author = { name: config.git.git_author_name, email: config.git.git_author_email };
      const scratch = await git.commitAll(dir, 'autodev: codegen scratch', author);
      if (!scratch.changed && result.stopReason === 'already_applied') {
        throw new AutodevError(
          'EDIT_ALREADY_APPLIED',
          'the model resent edits the files already hold: nothing changed in this round',
        );
      }
      if (!scratch.changed) {
        throw new AutodevError('NO_EDIT_FOUND', 'the model finished without changing any file');
      }
      // Outside a task (the CLI) the ref is named by the commit itself: nothing resumes it by round.
      const ref = ctx.taskId
        ? changeRef(ctx.taskId, input.round)
        : `refs/autodev/changes/untracked/${scratch.commit}`;
      await git.keepCommit(dir, ref, scratch.commit);
      const patch = await git.diff(dir, input.from_commit);
      const files = await git.changedFiles(dir, input.from_commit);
      await git.resetTo(dir, input.from_commit);
      const diffBytes = Buffer.byteLength(patch, 'utf8');
      if (diffBytes > config.max_diff_bytes) {
        throw new AutodevError(
          'CHANGE_TOO_LARGE',
          `the change's diff is ${diffBytes} bytes, over ${config.max_diff_bytes} ([autodev] max_diff_bytes)`,
        );
      }
      if (files.length > config.max_files_changed) {
        throw new AutodevError(
          'CHANGE_TOO_LARGE',
          `the change touches ${files.length} files, over ${config.max_files_changed} ([autodev] max_files_changed)`,
        );
      }
      return {
        change_commit: scratch.commit,
        patch,
        files,
        turns: result.turns,
        input_tokens: result.usage.inputTokens,
        output_tokens: result.usage.outputTokens,
        final_text: result.finalText.slice(0, 2000),
      };
    },
    summarize: (out) =>
      `${out.files.length} file(s) changed in ${out.turns} turn(s), ${out.input_tokens}+${out.output_tokens} tokens`,
  }),
);
