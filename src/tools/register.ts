import { AutodevError } from '../errors.js';
import type { RegisteredTool, Tool } from './types.js';

/** Closes a typed tool over its schema: the registry can then hold tools of any input and output types. */
export function registerTool<Input, Output>(tool: Tool<Input, Output>): RegisteredTool {
  return {
    name: tool.name,
    description: tool.description,
    inputSchema: tool.inputSchema,
    async run(rawInput, ctx) {
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
      const output = await tool.invoke(parsed.data, ctx);
      return { output, summary: tool.summarize(output) };
    },
  };
}
