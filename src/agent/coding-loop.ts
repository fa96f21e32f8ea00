import { AutodevError, isAutodevError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import type { TaskCost } from '../domain/task.js';
import { requestHash } from '../llm/request-hash.js';
import type {
  ChatMessage,
  FinishReason,
  ModelClient,
  ModelRequest,
  ModelResponse,
  TokenUsage,
} from '../llm/types.js';
import { fitToContext, type ContextBudget } from './context-window.js';
import { declines, noProgress } from './declines.js';
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
  cachedInputTokens: number;
  /** List-price dollars, when the model client is metered (llm/metered-model.ts). */
  usd?: number;
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
  /**
   * Replies in a row with no tool call and no edit at all before the round ends with
   * MODEL_NO_PROGRESS (`[autodev.llm] max_idle_turns`); default 3. An edit that fails to apply is
   * not idle: the model gets git's reason and its correction is what the next turn is for.
   */
  maxIdleTurns?: number;
  /** How many of `messages` are already checkpointed: the first turn's record starts after them. */
  recordedMessages?: number;
  /** Turns this round already took before a resume; they count against maxTurns. */
  turnsTaken?: number;
  /** Files the round changed before a resume (the workspace is at the last checkpointed turn). */
  filesTouched?: string[];
  /** Each finished turn, awaited before the next call: the caller checkpoints it. */
  onTurn?: (turn: FinishedTurn) => Promise<void>;
  /** Keeps each request inside the model's context window (context-window.ts); unbounded when absent. */
  context?: ContextBudget;
}

/** One finished turn: the messages it added (sent before the call, the reply, tool results after). */
export interface FinishedTurn {
  turn: number;
  requestHash: string;
  messages: ChatMessage[];
  reply: ModelResponse;
  /** Set on the turn that ends the loop. */
  stopReason: CodingLoopResult['stopReason'] | null;
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
  const usage: TokenUsage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
  const touched = new Set<string>(options.filesTouched ?? []);
  let editsApplied = 0;
  let finalText = '';
  let turns = options.turnsTaken ?? 0;
  // Where the turn being built starts in `messages`: everything before it is checkpointed.
  let turnStart = options.recordedMessages ?? 0;
  let pending: { hash: string; reply: ModelResponse } | undefined;
  const finishTurn = async (stopReason: FinishedTurn['stopReason']): Promise<void> => {
    if (pending === undefined) return;
    const added = messages.slice(turnStart);
    turnStart = messages.length;
    const { hash, reply } = pending;
    pending = undefined;
    await options.onTurn?.({ turn: turns, requestHash: hash, messages: added, reply, stopReason });
  };
  let lastProblem: { noEdit: boolean; message: string } | undefined;
  const maxDeclines = options.maxDeclines ?? 2;
  let declinedInARow = 0;
  let emptyInARow = 0;
  const maxIdleTurns = options.maxIdleTurns ?? 3;
  let idleInARow = 0;

  const result = async (stopReason: CodingLoopResult['stopReason']): Promise<CodingLoopResult> => {
    await finishTurn(stopReason);
    return resultNow(stopReason);
  };
  const resultNow = (stopReason: CodingLoopResult['stopReason']): CodingLoopResult => ({
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
    const request = {
      messages: options.context
        ? fitToContext(messages, toolCalling ? options.tools.definitions : [], options.context)
        : [...messages],
      ...(toolCalling ? { tools: [...options.tools.definitions] } : {}),
    };
    const hash = requestHash(request);
    const response = await callModel(options, request, turns);
    pending = { hash, reply: stripCost(response) };
    usage.inputTokens += response.usage.inputTokens;
    usage.outputTokens += response.usage.outputTokens;
    usage.cachedInputTokens = (usage.cachedInputTokens ?? 0) + (response.usage.cachedInputTokens ?? 0);
    finalText = response.text;
    messages.push({
      role: 'assistant',
      content: response.text,
      ...(response.toolCalls.length > 0 ? { toolCalls: response.toolCalls } : {}),
    });

    if (response.toolCalls.length > 0) {
      declinedInARow = 0;
      idleInARow = 0;
      for (const call of response.toolCalls) {
        throwIfCancelled(signal);
        const outcome = await runAgentTool(call, tools, signal);
        outcome.filesTouched.forEach((file) => touched.add(file));
        editsApplied += outcome.editsApplied;
        messages.push({ role: 'tool', toolCallId: call.id, content: outcome.content });
      }
      await finishTurn(null);
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
    // An empty reply (no text, no edit, no tool call) is asked again like a refusal, and as few times:
    // paying max_turns calls for silence helps nobody.
    const empty = feedback.noEdit && response.text.trim() === '';
    emptyInARow = empty ? emptyInARow + 1 : 0;
    if (emptyInARow >= maxDeclines) {
      throw new AutodevError(
        'NO_EDIT_FOUND',
        `the model returned ${emptyInARow} empty replies in a row (no text, no edit, no tool call)`,
        { details: { turns } },
      );
    }
    declinedInARow = feedback.noEdit && declines(response.text) ? declinedInARow + 1 : 0;
    if (declinedInARow >= maxDeclines) {
      const words = response.text.trim().slice(0, 500);
      throw new AutodevError(
        'MODEL_DECLINED',
        `the model declined the task ${declinedInARow} time(s) in a row, without an edit: "${words}"`,
        { details: { turns, lastReply: response.text.slice(0, 2_000) } },
      );
    }
    idleInARow = feedback.noEdit ? idleInARow + 1 : 0;
    if (idleInARow >= maxIdleTurns) throw noProgress(idleInARow, turns, response.text);
    lastProblem = feedback;
    messages.push({ role: 'user', content: feedback.message });
    await finishTurn(null);
  }

  if (touched.size > 0) return resultNow('max_turns');
  // The task's error says why: an edit that never applied is a PATCH_FAILED, with git's reason.
  const code = lastProblem?.noEdit === false ? 'PATCH_FAILED' : 'NO_EDIT_FOUND';
  const why = lastProblem ? `; last problem: ${lastProblem.message.split('\n')[0] ?? ''}` : '';
  throw new AutodevError(code, `the model made no applicable edit in ${maxTurns} turn(s)${why}`, {
    details: { turns, lastReply: finalText.slice(0, 2_000) },
  });
}

/** The reply as checkpointed and replayed: what the provider sent, without the meter's annotation. */
function stripCost(response: ModelResponse & { cost?: TaskCost }): ModelResponse {
  const { text, toolCalls, finishReason, usage, model } = response;
  return { text, toolCalls, finishReason, usage, model };
}

async function callModel(
  options: CodingLoopOptions,
  request: ModelRequest,
  turn: number,
): Promise<ModelResponse & { cost?: TaskCost }> {
  const started = Date.now();
  const info = { turn, provider: options.model.provider, model: options.model.modelId };
  try {
    const response: ModelResponse & { cost?: TaskCost } = await options.model.generate(
      request,
      options.signal,
    );
    options.onModelCall?.({
      ...info,
      model: response.model,
      inputTokens: response.usage.inputTokens,
      outputTokens: response.usage.outputTokens,
      cachedInputTokens: response.usage.cachedInputTokens ?? 0,
      ...(response.cost === undefined ? {} : { usd: response.cost.usd }),
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
      cachedInputTokens: 0,
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
