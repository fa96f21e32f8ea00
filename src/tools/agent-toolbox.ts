import { z } from 'zod';
import type { AgentToolbox } from '../agent/types.js';
import { AutodevError } from '../errors.js';
import type { ToolDefinition } from '../llm/types.js';
import { createWorkspaceAgentTools } from './agent-tools.js';
import type { RegisteredAgentTool, RegisteredTool, ToolContext } from './types.js';

/**
 * The coding model's tools: every registry tool marked `agent`, bound to the task's context. The JSON
 * Schema the model is shown is generated from the same zod schema that validates its call.
 */
export function createAgentToolbox(tools: readonly RegisteredTool[], ctx: ToolContext): AgentToolbox {
  const offered = new Map<string, { agent: RegisteredAgentTool; tool: RegisteredTool }>();
  for (const tool of tools) {
    if (!tool.agent) continue;
    if (offered.has(tool.agent.name)) {
      throw new AutodevError(
        'INTERNAL',
        `two registry tools are offered to the model as ${JSON.stringify(tool.agent.name)}`,
      );
    }
    offered.set(tool.agent.name, { agent: tool.agent, tool });
  }
  return {
    definitions: [...offered.values()].map(({ agent, tool }) => agentToolDefinition(agent, tool)),
    async call(call) {
      const entry = offered.get(call.name);
      if (!entry) {
        throw new AutodevError(
          'TOOL_NOT_FOUND',
          `there is no tool ${JSON.stringify(call.name)}; use one of ${[...offered.keys()].join(', ')}`,
        );
      }
      return entry.agent.run(call.arguments, ctx);
    },
    applyEdits: (edits, signal) => createWorkspaceAgentTools(ctx).applyEdits(edits, signal ?? ctx.signal),
  };
}

export function agentToolDefinition(agent: RegisteredAgentTool, tool: RegisteredTool): ToolDefinition {
  // `$schema` is noise to providers (Anthropic's input_schema rejects unknown top-level keys on some models).
  const { $schema: _schema, ...parameters } = z.toJSONSchema(tool.inputSchema, { io: 'input' });
  return { name: agent.name, description: agent.description, parameters };
}
