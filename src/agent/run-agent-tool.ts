import { isAutodevError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import type { ToolCall } from '../llm/types.js';
import type { AgentToolbox } from './types.js';

export interface ToolOutcome {
  /** What the model reads as the tool's result. */
  content: string;
  filesTouched: string[];
  editsApplied: number;
  failed: boolean;
}

/** What one tool result may add to the conversation: it is resent on every later turn. */
export const MAX_TOOL_RESULT_CHARS = 16_000;

/** Errors the model caused and can correct: they become the tool's result instead of ending the task. */
const FIXABLE_CODES: ReadonlySet<ErrorCode> = new Set([
  'PATCH_FAILED',
  'NO_EDIT_FOUND',
  'TOOL_INPUT_INVALID',
  'TOOL_NOT_FOUND',
  'VALIDATION_FAILED',
  // A test, build or lint run finding nothing to run is a fact the model can work with.
  'NO_TEST_COMMAND',
  'COMMAND_NOT_FOUND',
]);
const FIXABLE_FS_CODES: ReadonlySet<string> = new Set(['ENOENT', 'EISDIR', 'ENOTDIR']);

/** Runs one tool call of the model; the result it reads is text, capped so the conversation stays bounded. */
export async function runAgentTool(
  call: ToolCall,
  tools: AgentToolbox,
  signal?: AbortSignal,
): Promise<ToolOutcome> {
  try {
    const result = await tools.call(call, signal);
    return {
      content: truncate(result.text),
      filesTouched: result.filesTouched,
      editsApplied: result.editsApplied,
      failed: false,
    };
  } catch (error) {
    // Not a failure: the files already hold the edit. The model hears that, not an error.
    if (isAutodevError(error, 'EDIT_ALREADY_APPLIED')) {
      return {
        content: `Already applied: ${error.message}. The files already hold these edits; nothing changed.`,
        filesTouched: [],
        editsApplied: 0,
        failed: false,
      };
    }
    if (!isFixable(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    return { content: truncate(`Error: ${message}`), filesTouched: [], editsApplied: 0, failed: true };
  }
}

function isFixable(error: unknown): boolean {
  if (isAutodevError(error)) return FIXABLE_CODES.has(error.code);
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  return typeof code === 'string' && FIXABLE_FS_CODES.has(code);
}

function truncate(text: string): string {
  return text.length <= MAX_TOOL_RESULT_CHARS
    ? text
    : `${text.slice(0, MAX_TOOL_RESULT_CHARS)}\n... truncated ${text.length - MAX_TOOL_RESULT_CHARS} characters`;
}
