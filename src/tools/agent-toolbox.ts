import { z } from 'zod';
import type { AgentToolbox } from '../agent/types.js';
import { AutodevError } from '../errors.js';
import type { ToolDefinition } from '../llm/types.js';
import { createWorkspaceAgentTools } from './agent-tools.js';
import type { RegisteredAgentTool, RegisteredTool, ToolContext } from './types.js';
import type { RepoTarget } from '../multirepo/task-workspaces.js';

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
  const repos = ctx.repos && ctx.repos.length > 1 ? ctx.repos : undefined;
  return {
    definitions: [...offered.values()].map(({ agent, tool }) => {
      const definition = agentToolDefinition(agent, tool);
      return repos ? withRepoParameter(definition, repos) : definition;
    }),
    async call(call) {
      const entry = offered.get(call.name);
      if (!entry) {
        throw new AutodevError(
          'TOOL_NOT_FOUND',
          `there is no tool ${JSON.stringify(call.name)}; use one of ${[...offered.keys()].join(', ')}`,
        );
      }
      if (!repos) return entry.agent.run(call.arguments, ctx);
      const { target, rest } = takeRepoArgument(call.arguments, repos);
      // In a consumer, the tests the model runs are built against the library as it is changing.
      const linked = target.role !== 'library' && entry.tool.name === 'test';
      return entry.agent.run(rest, {
        ...ctx,
        workspaceDir: target.dir,
        ...(linked ? { linkToLibrary: true } : {}),
      });
    },
    applyEdits: (edits, signal) => createWorkspaceAgentTools(ctx).applyEdits(edits, signal ?? ctx.signal),
  };
}

export function agentToolDefinition(agent: RegisteredAgentTool, tool: RegisteredTool): ToolDefinition {
  // `$schema` is noise to providers (Anthropic's input_schema rejects unknown top-level keys on some models).
  const { $schema: _schema, ...parameters } = z.toJSONSchema(tool.inputSchema, { io: 'input' });
  return { name: agent.name, description: agent.description, parameters };
}

/**
 * A multi-repo task's tools take the repository they work in: `repo`, one of the task's names, the
 * library when omitted. Only such a task's model is shown the parameter.
 */
function withRepoParameter(definition: ToolDefinition, repos: readonly RepoTarget[]): ToolDefinition {
  const parameters = definition.parameters as { properties?: Record<string, unknown> };
  return {
    ...definition,
    parameters: {
      ...definition.parameters,
      properties: {
        ...parameters.properties,
        repo: {
          type: 'string',
          enum: repos.map((r) => r.name),
          description: `The repository to work in; ${repos[0]?.name ?? 'the library'} (the library) when omitted.`,
        },
      },
    },
  };
}

/** The repository a call names (the library when it names none) and its other arguments. */
function takeRepoArgument(
  args: unknown,
  repos: readonly RepoTarget[],
): { target: RepoTarget; rest: unknown } {
  const library = repos[0] as RepoTarget;
  if (typeof args !== 'object' || args === null || Array.isArray(args) || !('repo' in args)) {
    return { target: library, rest: args };
  }
  const { repo, ...rest } = args as Record<string, unknown>;
  const target = repos.find((r) => r.name === repo);
  if (!target) {
    throw new AutodevError(
      'VALIDATION_FAILED',
      `repo: ${JSON.stringify(repo)} is not a repository of this task; expected one of ${repos.map((r) => JSON.stringify(r.name)).join(', ')}`,
      { details: [{ field: 'repo', message: 'unknown repository' }] },
    );
  }
  return { target, rest };
}
