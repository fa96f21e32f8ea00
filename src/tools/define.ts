import type { Tool } from './types.js';

/** Identity that lets TypeScript infer a tool's input and output types from its schema and invoke. */
export function defineTool<Input, Output>(tool: Tool<Input, Output>): Tool<Input, Output> {
  return tool;
}
