import { api, submitTask, waitForTerminal, type TaskJson } from '../../test/helpers/api-client.js';
import type { ScriptedModelServer } from '../../test/helpers/scripted-model-server.js';
import type { CorpusInstance } from './types.js';

/** The steps that run the repository's own commands (install, build, tests, linters). */
const REPO_COMMAND_TOOLS = new Set(['setup', 'build', 'test', 'lint', 'run_tests', 'run_build', 'run_lint']);

export interface ReplayStep {
  key: string;
  tool: string;
  /** The tool's own run, as the step runner timed it. */
  durationMs: number;
  /** When the step's row was started and finished (epoch ms): the spans between them are gaps. */
  startedAt: number;
  finishedAt: number;
  /** Whether it ran the repository's own commands (REPO_COMMAND_TOOLS): not autodev's overhead. */
  repoCommand: boolean;
  summary: string | null;
}

export interface ReplayResult {
  status: string;
  error: { code: string; message: string } | null;
  /** The task's created_at and finished_at (epoch ms). */
  createdAt: number;
  finishedAt: number;
  wallMs: number;
  /** Sum of the durations of the steps that ran the repo's own commands. */
  repoCommandsMs: number;
  modelCalls: number;
  steps: ReplayStep[];
}

interface TaskTimes {
  created_at: string;
  finished_at: string | null;
  steps: {
    key: string;
    tool: string;
    duration_ms: number | null;
    started_at: string;
    finished_at: string | null;
    output_summary: string | null;
  }[];
}

/**
 * Replies a task did not ask for would answer the next task's first call: they are taken off the
 * scripted model's queue here, by asking it directly.
 */
async function drainUnused(model: ScriptedModelServer, count: number): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    await fetch(model.openaiUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'drain', messages: [{ role: 'user', content: 'drain' }] }),
    });
  }
}

/**
 * The planner asks the model first (`[autodev.llm] planning` is on with a key): a short valid plan
 * naming the file of the bug, so the replies that follow are the coding model's.
 */
function planReply(instance: CorpusInstance): string {
  const plan = {
    summary: instance.task.title,
    steps: [
      {
        goal: instance.task.description,
        files: [instance.bug?.file ?? instance.realFix?.fix[0] ?? '.'],
        checks: ["the library's own test suite passes"],
      },
    ],
  };
  return ['```json', JSON.stringify(plan, null, 2), '```'].join('\n');
}

/**
 * One task through the running server: the model answers the plan, then `replies` in order; the
 * times as the API reports them.
 */
export async function replay(
  baseUrl: string,
  model: ScriptedModelServer,
  instance: CorpusInstance,
  origin: string,
  replies: string[],
): Promise<ReplayResult> {
  const before = model.requests.length;
  const script = [planReply(instance), ...replies];
  model.push(...script.map((text) => ({ text })));
  const created = await submitTask(baseUrl, {
    title: instance.task.title,
    description: instance.task.description,
    repo: origin,
    base_branch: 'main',
    risk_tier: instance.riskTier,
  });
  const task: TaskJson = await waitForTerminal(baseUrl, created.id, 900_000);
  const { body } = await api(baseUrl, `/api/v1/autodev/tasks/${task.id}`);
  const calls = model.requests.length - before;
  await drainUnused(model, script.length - calls);
  return replayTimes(body, task, calls);
}

/** A finished task's times as the API reports them (`body`: GET /tasks/:id). */
export function replayTimes(body: unknown, task: TaskJson, modelCalls: number): ReplayResult {
  const times = body as TaskTimes;
  const steps: ReplayStep[] = times.steps.map((s) => {
    const startedAt = Date.parse(s.started_at);
    return {
      key: s.key,
      tool: s.tool,
      durationMs: s.duration_ms ?? 0,
      startedAt,
      finishedAt: s.finished_at ? Date.parse(s.finished_at) : startedAt + (s.duration_ms ?? 0),
      repoCommand: REPO_COMMAND_TOOLS.has(s.tool),
      summary: s.output_summary,
    };
  });
  const finished = times.finished_at ? Date.parse(times.finished_at) : Date.now();
  const createdAt = Date.parse(times.created_at);
  return {
    status: task.status,
    error: task.error,
    createdAt,
    finishedAt: finished,
    wallMs: finished - createdAt,
    repoCommandsMs: steps.filter((s) => s.repoCommand).reduce((sum, s) => sum + s.durationMs, 0),
    modelCalls,
    steps,
  };
}
