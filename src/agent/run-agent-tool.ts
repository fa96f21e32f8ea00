import type { z } from 'zod';
import { AutodevError, isAutodevError } from '../errors.js';
import type { ErrorCode } from '../errors.js';
import type { ToolCall } from '../llm/types.js';
import { toUnifiedDiffEdit } from './edits/parse-edits.js';
import {
  AGENT_TOOL_SCHEMAS,
  applyEditInputSchema,
  listFilesInputSchema,
  readFileInputSchema,
  searchInputSchema,
} from './tool-schemas.js';
import type { AgentToolName, ApplyEditInput } from './tool-schemas.js';
import type { AgentTools, Edit } from './types.js';

export interface ToolOutcome {
  /** What the model reads as the tool's result. */
  content: string;
  filesTouched: string[];
  editsApplied: number;
  failed: boolean;
}

const MAX_RESULT_CHARS = 60_000;
const MAX_LISTED_FILES = 2_000;
const MAX_SEARCH_MATCHES = 200;

/** Errors the model caused and can correct: they become the tool's result instead of ending the task. */
const FIXABLE_CODES: ReadonlySet<ErrorCode> = new Set([
  'PATCH_FAILED',
  'NO_EDIT_FOUND',
  'TOOL_INPUT_INVALID',
  'TOOL_NOT_FOUND',
  'VALIDATION_FAILED',
]);
const FIXABLE_FS_CODES: ReadonlySet<string> = new Set(['ENOENT', 'EISDIR', 'ENOTDIR']);

/** Runs one tool call of the model against the workspace; typed results are turned to text here only. */
export async function runAgentTool(
  call: ToolCall,
  tools: AgentTools,
  signal?: AbortSignal,
): Promise<ToolOutcome> {
  try {
    return await dispatch(call, tools, signal);
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
    return { content: `Error: ${message}`, filesTouched: [], editsApplied: 0, failed: true };
  }
}

async function dispatch(call: ToolCall, tools: AgentTools, signal?: AbortSignal): Promise<ToolOutcome> {
  const done = (content: string): ToolOutcome => ({
    content: truncate(content),
    filesTouched: [],
    editsApplied: 0,
    failed: false,
  });
  const name = toolName(call.name);
  switch (name) {
    case 'read_file':
      return done(await tools.readFile(parseInput(name, readFileInputSchema, call.arguments), signal));
    case 'list_files': {
      const files = await tools.listFiles(parseInput(name, listFilesInputSchema, call.arguments), signal);
      const shown = files.slice(0, MAX_LISTED_FILES).join('\n');
      return done(
        files.length > MAX_LISTED_FILES
          ? `${shown}\n... ${files.length - MAX_LISTED_FILES} more files`
          : shown || '(no files)',
      );
    }
    case 'search': {
      const matches = await tools.search(parseInput(name, searchInputSchema, call.arguments), signal);
      const shown = matches
        .slice(0, MAX_SEARCH_MATCHES)
        .map((match) => `${match.path}:${match.line}: ${match.text}`);
      if (matches.length > MAX_SEARCH_MATCHES)
        shown.push(`... ${matches.length - MAX_SEARCH_MATCHES} more matches; narrow the pattern or path`);
      return done(shown.join('\n') || '(no matches)');
    }
    case 'apply_edit': {
      const edits = toEdits(parseInput(name, applyEditInputSchema, call.arguments));
      const files = await tools.applyEdits(edits, signal);
      return {
        content: `Applied ${edits.length} edit(s); changed: ${files.join(', ')}`,
        filesTouched: files,
        editsApplied: edits.length,
        failed: false,
      };
    }
  }
}

function isAgentToolName(name: string): name is AgentToolName {
  return Object.hasOwn(AGENT_TOOL_SCHEMAS, name);
}

function toolName(name: string): AgentToolName {
  if (isAgentToolName(name)) return name;
  throw new AutodevError(
    'TOOL_NOT_FOUND',
    `there is no tool ${JSON.stringify(name)}; use one of ${Object.keys(AGENT_TOOL_SCHEMAS).join(', ')}`,
  );
}

function parseInput<T>(name: AgentToolName, schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`,
    );
    throw new AutodevError('TOOL_INPUT_INVALID', `invalid arguments for ${name}: ${issues.join('; ')}`);
  }
  return parsed.data;
}

function toEdits(input: ApplyEditInput): Edit[] {
  const edits: Edit[] = [];
  // Models often wrap the diff argument in a ```diff fence out of habit.
  if (input.diff !== undefined)
    edits.push(toUnifiedDiffEdit(input.diff.trim().replace(/^```[^\n]*\n([\s\S]*?)\n```$/, '$1')));
  for (const block of input.search_replace ?? []) edits.push({ kind: 'search_replace', ...block });
  return edits;
}

function isFixable(error: unknown): boolean {
  if (isAutodevError(error)) return FIXABLE_CODES.has(error.code);
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  return typeof code === 'string' && FIXABLE_FS_CODES.has(code);
}

function truncate(text: string): string {
  return text.length <= MAX_RESULT_CHARS
    ? text
    : `${text.slice(0, MAX_RESULT_CHARS)}\n... truncated ${text.length - MAX_RESULT_CHARS} characters`;
}
