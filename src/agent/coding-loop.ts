import { AutodevError, isAutodevError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import type { ChatMessage, FinishReason, ModelClient, ModelResponse, TokenUsage } from '../llm/types.js';
import { declines } from './declines.js';
import { parseEdits } from './edits/parse-edits.js';
import { runAgentTool } from './run-agent-tool.js';
import type { AgentToolbox, Edit } from './types.js';

/** One model call, for the audit trail and metrics. */
export interface ModelCallInfo {
  turn: number;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  durationMs: number;
  finishReason?: FinishReason;
  toolCalls: number;
  /** Set when the call failed; the error is rethrown after the callback. */
  error?: { code: ErrorCode; message: string };
}

export interface CodingLoopOptions {
  model: ModelClient;
  /** The conversation so far: system and task prompt, and on repair rounds what came before. */
  messages: ChatMessage[];
  /** The tools offered to the model, from the tool registry (see tools/agent-toolbox.ts). */
  tools: AgentToolbox;
  /** Model calls allowed; each reply that calls tools or needs correcting uses one. */
  maxTurns: number;
  signal?: AbortSignal;
  onModelCall?: (info: ModelCallInfo) => void;
  /** False for models without tool calling: no tools are offered and edits are read from the reply text. */
  toolCalling?: boolean;
  /** Replies in a row that decline the task (see declines.ts) before it ends with MODEL_DECLINED; default 2. */
  maxDeclines?: number;
}

export interface CodingLoopResult {
  filesTouched: string[];
  editsApplied: number;
  /** The last reply's text: the model's summary of what it did. */
  finalText: string;
  usage: TokenUsage;
  turns: number;
  /** The whole conversation, to continue it on a repair round. */
  messages: ChatMessage[];
  /**
   * `max_turns` when the model was still working as the turns ran out (edits were applied);
   * `already_applied` when its final reply held only edits the files already have.
   */
  stopReason: 'done' | 'max_turns' | 'already_applied';
}

/**
 * The implement/repair loop: the model reads and searches through tools and changes files with
 * apply_edit, until it answers without a tool call. That answer may itself hold edits (a diff or
 * SEARCH/REPLACE blocks), which is how models without tool calling work. Edits that fail to parse or
 * apply go back to the model to correct while turns remain.
 */
export async function runCodingLoop(options: CodingLoopOptions): Promise<CodingLoopResult> {
  const { tools, maxTurns, signal } = options;
  const toolCalling = options.toolCalling ?? true;
  const messages = [...options.messages];
  const usage: TokenUsage = { inputTokens: 0, outputTokens: 0 };
  const touched = new Set<string>();
  let editsApplied = 0;
  let finalText = '';
  let turns = 0;
  let lastProblem: { noEdit: boolean; message: string } | undefined;
  const maxDeclines = options.maxDeclines ?? 2;
  let declinedInARow = 0;

  const result = (stopReason: CodingLoopResult['stopReason']): CodingLoopResult => ({
    filesTouched: [...touched],
    editsApplied,
    finalText,
    usage: { ...usage },
    turns,
    messages,
    stopReason,
  });

  while (turns < maxTurns) {
    throwIfCancelled(signal);
    turns += 1;
    const response = await callModel(options, messages, toolCalling, turns);
    usage.inputTokens += response.usage.inputTokens;
    usage.outputTokens += response.usage.outputTokens;
    finalText = response.text;
    messages.push({
      role: 'assistant',
      content: response.text,
      ...(response.toolCalls.length > 0 ? { toolCalls: response.toolCalls } : {}),
    });

    if (response.toolCalls.length > 0) {
      declinedInARow = 0;
      for (const call of response.toolCalls) {
        throwIfCancelled(signal);
        const outcome = await runAgentTool(call, tools, signal);
        outcome.filesTouched.forEach((file) => touched.add(file));
        editsApplied += outcome.editsApplied;
        messages.push({ role: 'tool', toolCallId: call.id, content: outcome.content });
      }
      continue;
    }

    const feedback = await applyReplyEdits(response, tools, signal);
    if (feedback.alreadyApplied) {
      // Not a failure: the model sent its fix again. It is told so (kept in the conversation), and
      // its reply is taken as its answer: asking again would buy the same fix, and the real cause
      // of what still fails (the tests) is for the caller to report.
      messages.push({ role: 'user', content: feedback.message });
      return result(touched.size > 0 ? 'done' : 'already_applied');
    }
    if (feedback.files !== undefined) {
      feedback.files.forEach((file) => touched.add(file));
      editsApplied += feedback.edits;
      return result('done');
    }
    // A model that already changed files through tools and now just summarizes is done.
    if (feedback.noEdit && touched.size > 0) return result('done');
    declinedInARow = feedback.noEdit && declines(response.text) ? declinedInARow + 1 : 0;
    if (declinedInARow >= maxDeclines) {
      const words = response.text.trim().slice(0, 500);
      throw new AutodevError(
        'MODEL_DECLINED',
        `the model declined the task ${declinedInARow} time(s) in a row, without an edit: "${words}"`,
        { details: { turns, lastReply: response.text.slice(0, 2_000) } },
      );
    }
    lastProblem = feedback;
    messages.push({ role: 'user', content: feedback.message });
  }

  if (touched.size > 0) return result('max_turns');
  // The task's error says why: an edit that never applied is a PATCH_FAILED, with git's reason.
  const code = lastProblem?.noEdit === false ? 'PATCH_FAILED' : 'NO_EDIT_FOUND';
  const why = lastProblem ? `; last problem: ${lastProblem.message.split('\n')[0] ?? ''}` : '';
  throw new AutodevError(code, `the model made no applicable edit in ${maxTurns} turn(s)${why}`, {
    details: { turns, lastReply: finalText.slice(0, 2_000) },
  });
}

async function callModel(
  options: CodingLoopOptions,
  messages: ChatMessage[],
  toolCalling: boolean,
  turn: number,
): Promise<ModelResponse> {
  const started = Date.now();
  const info = { turn, provider: options.model.provider, model: options.model.modelId };
  try {
    const response = await options.model.generate(
      { messages: [...messages], ...(toolCalling ? { tools: [...options.tools.definitions] } : {}) },
      options.signal,
    );
    options.onModelCall?.({
      ...info,
      model: response.model,
      inputTokens: response.usage.inputTokens,
      outputTokens: response.usage.outputTokens,
      durationMs: Date.now() - started,
      finishReason: response.finishReason,
      toolCalls: response.toolCalls.length,
    });
    return response;
  } catch (error) {
    const code: ErrorCode = isAutodevError(error) ? error.code : 'INTERNAL';
    const message = error instanceof Error ? error.message : String(error);
    options.onModelCall?.({
      ...info,
      inputTokens: 0,
      outputTokens: 0,
      durationMs: Date.now() - started,
      toolCalls: 0,
      error: { code, message },
    });
    throw error;
  }
}

type ReplyOutcome =
  | { files: string[]; edits: number; alreadyApplied?: undefined }
  | { files?: undefined; noEdit: boolean; message: string; alreadyApplied?: boolean };

/** Applies the edits written in a reply's text, or says what the model should correct. */
async function applyReplyEdits(
  response: ModelResponse,
  tools: AgentToolbox,
  signal?: AbortSignal,
): Promise<ReplyOutcome> {
  let edits: Edit[];
  try {
    edits = parseEdits(response.text);
  } catch (error) {
    if (!isAutodevError(error, 'NO_EDIT_FOUND')) throw error;
    const cut =
      response.finishReason === 'length'
        ? 'Your reply was cut off at the output limit: send only the edits, smaller. '
        : '';
    return { noEdit: true, message: `${cut}${error.message}` };
  }
  try {
    return { files: await tools.applyEdits(edits, signal), edits: edits.length };
  } catch (error) {
    if (isAutodevError(error, 'EDIT_ALREADY_APPLIED')) {
      return {
        noEdit: false,
        alreadyApplied: true,
        message: `Already applied: ${error.message}. The files already hold these edits, so nothing changed.`,
      };
    }
    if (!isAutodevError(error, 'PATCH_FAILED')) throw error;
    return {
      noEdit: false,
      // Edits before the failing one may have been applied: say so, or the model resends them.
      message: `An edit did not apply: ${error.message}\nEdits before it were applied. Send corrected edits for the rest, against the current files.`,
    };
  }
}

function throwIfCancelled(signal?: AbortSignal): void {
  if (signal?.aborted === true) throw new AutodevError('TASK_CANCELLED', 'the coding loop was cancelled');
}
