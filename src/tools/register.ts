import { AutodevError } from '../errors.js';
import type { AgentMarking, AgentToolResult, RegisteredAgentTool, RegisteredTool, Tool } from './types.js';

/** Output excerpt the model reads for a tool that does not say how to render its output. */
const DEFAULT_EXCERPT_CHARS = 12_000;

/** Closes a typed tool over its schema: the registry can then hold tools of any input and output types. */
export function registerTool<Input, Output>(tool: Tool<Input, Output>): RegisteredTool {
  const run = async (rawInput: unknown, ctx: Parameters<Tool<Input, Output>['invoke']>[1]) => {
    const parsed = tool.inputSchema.safeParse(rawInput);
    if (!parsed.success) {
      const problems = parsed.error.issues.map(
        (i) => `${i.path.map(String).join('.') || '(input)'}: ${i.message}`,
      );
      throw new AutodevError(
        'TOOL_INPUT_INVALID',
        `invalid input for tool ${tool.name}: ${problems.join('; ')}`,
        {
          details: problems,
        },
      );
    }
    return tool.invoke(parsed.data, ctx);
  };
  return {
    name: tool.name,
    description: tool.description,
    inputSchema: tool.inputSchema,
    async run(rawInput, ctx) {
      const output = await run(rawInput, ctx);
      return { output, summary: tool.summarize(output) };
    },
    ...(tool.agent ? { agent: agentView(tool, tool.agent, run) } : {}),
  };
}

function agentView<Input, Output>(
  tool: Tool<Input, Output>,
  marking: AgentMarking<Output>,
  run: (rawInput: unknown, ctx: Parameters<Tool<Input, Output>['invoke']>[1]) => Promise<Output>,
): RegisteredAgentTool {
  return {
    name: marking.name,
    description: marking.description ?? tool.description,
    async run(rawInput, ctx): Promise<AgentToolResult> {
      const output = await run(rawInput, ctx);
      const text = marking.toText ? marking.toText(output) : defaultText(tool.summarize(output), output);
      const touched = marking.filesTouched?.(output);
      return { text, filesTouched: touched?.files ?? [], editsApplied: touched?.edits ?? 0 };
    },
  };
}

/** The one-line summary, then the typed output as JSON, shortened: the model reads both. */
function defaultText(summary: string, output: unknown): string {
  const json = JSON.stringify(output, null, 1) ?? '';
  const excerpt =
    json.length > DEFAULT_EXCERPT_CHARS
      ? `${json.slice(0, DEFAULT_EXCERPT_CHARS)}\n... ${json.length - DEFAULT_EXCERPT_CHARS} more characters`
      : json;
  return `${summary}\n${excerpt}`;
}
