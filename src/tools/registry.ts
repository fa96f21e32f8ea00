import { AutodevError } from '../errors.js';
import { agentRunTool } from './agent-run.js';
import { applyEditTool, listFilesTool, readFileTool, searchTool } from './agent-workspace-tools.js';
import { benchTool } from './bench.js';
import { buildTool } from './build.js';
import { checkDepsTool } from './check-deps.js';
import { checkConstraintsTool } from './check-constraints.js';
import { codegenTool } from './codegen.js';
import { dependencyUpdateTool } from './dependency-update.js';
import { fileListTool } from './file-list.js';
import { gitApplyTool } from './git-apply.js';
import { gitCloneTool } from './git-clone.js';
import { gitPrTool } from './git-pr.js';
import { gitPushTool } from './git-push.js';
import { gitRebaseTool } from './git-rebase.js';
import { gitRevertTool } from './git-revert.js';
import { clippyTool, lintTool } from './lint-tools.js';
import { planTool } from './plan.js';
import { policyTool } from './policy.js';
import { policyLocalTool } from './policy-local.js';
import { prMergeTool } from './pr-merge.js';
import { repoMapTool } from './repo-map.js';
import { repoSearchTool } from './repo-search.js';
import { runnerTool } from './runner.js';
import { secretsScanTool } from './secrets-scan.js';
import { setupTool } from './setup.js';
import { testTool } from './test.js';
import type { RegisteredTool } from './types.js';

/** Flat name → tool map. Adding a tool is one file and one line here. */
export const TOOLS: readonly RegisteredTool[] = [
  planTool,
  gitCloneTool,
  gitApplyTool,
  gitPushTool,
  gitPrTool,
  gitRebaseTool,
  gitRevertTool,
  dependencyUpdateTool,
  prMergeTool,
  fileListTool,
  repoSearchTool,
  repoMapTool,
  codegenTool,
  setupTool,
  runnerTool,
  buildTool,
  testTool,
  benchTool,
  lintTool,
  clippyTool,
  secretsScanTool,
  checkDepsTool,
  policyTool,
  checkConstraintsTool,
  policyLocalTool,
  readFileTool,
  listFilesTool,
  searchTool,
  applyEditTool,
  agentRunTool,
];

export interface ToolRegistry {
  get(name: string): RegisteredTool;
  list(): readonly RegisteredTool[];
}

export function createToolRegistry(tools: readonly RegisteredTool[] = TOOLS): ToolRegistry {
  const byName = new Map(tools.map((t) => [t.name, t]));
  return {
    get(name) {
      const tool = byName.get(name);
      if (!tool) {
        throw new AutodevError(
          'TOOL_NOT_FOUND',
          `no tool named ${JSON.stringify(name)}; known: ${[...byName.keys()].join(', ')}`,
        );
      }
      return tool;
    },
    list: () => tools,
  };
}
