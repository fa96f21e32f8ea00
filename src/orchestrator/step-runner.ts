import { AutodevError, toAutodevError } from '../errors.js';
import type { Phase } from '../domain/task.js';
import { repoCacheDir } from '../languages/caches.js';
import { retryDelayMs, sleep, stepRetryPolicy } from './retry.js';
import { withStepHome } from './step-home.js';
import { repoTargetsOf, type TaskContext } from './task-context.js';

/**
 * Tools whose result is local state a later step needs (the worktree, the commit): after a restart
 * they run again — both are idempotent — instead of trusting a checkpoint whose state may be gone.
 */
const RERUN_ON_RESUME: ReadonlySet<string> = new Set(['git_clone', 'git_apply']);

export interface StepRequest {
  phase: Phase;
  tool: string;
  /** Distinguishes repeated calls of one tool within a phase (repair rounds). */
  round?: number;
  input: unknown;
  /**
   * A consumer repository of a multi-repo task the step works in (its worktree, its caches); absent:
   * the task's own workspace (the library's). Part of the step key, so each repository has its own.
   */
  repo?: { name: string; dir: string; url: string };
  /** A consumer's tests built against the changed library (tools/linked-test.ts). */
  linkToLibrary?: boolean;
}

/** The step key a resumed task finds its checkpoint by; deterministic for a given plan position. */
export function stepKey(request: StepRequest): string {
  const where = request.repo ? `@${request.repo.name}` : '';
  return `${request.phase}.${request.tool}${where}#${request.round ?? 1}`;
}

/**
 * Runs one tool call as a recorded step: reuses a succeeded checkpoint, validates input, retries
 * retryable failures with backoff up to max_step_retries, and records attempts, timing, output or
 * error, with events and metrics. Cancellation and timeouts are never retried.
 */
export async function runStep<Output = unknown>(ctx: TaskContext, request: StepRequest): Promise<Output> {
  ctx.phaseCursor?.advance(request.phase, request.tool, request.repo !== undefined);
  const key = stepKey(request);
  const around = ctx.aroundStep;
  if (!around) return runStepHere<Output>(ctx, request, key);
  return around({ key, phase: request.phase, tool: request.tool }, () =>
    runStepHere<Output>(ctx, request, key),
  );
}

async function runStepHere<Output>(ctx: TaskContext, request: StepRequest, key: string): Promise<Output> {
  const taskId = ctx.task.id;
  const existing = await ctx.store.steps.get(taskId, key);
  if (existing?.status === 'succeeded' && !RERUN_ON_RESUME.has(request.tool)) {
    await ctx.store.events.append(taskId, 'step.reused', { key, tool: request.tool });
    return existing.output as Output;
  }

  if (ctx.drain.aborted) {
    throw new AutodevError(
      'SHUTTING_DOWN',
      `server shutting down before step ${key}; the task resumes on the next start`,
    );
  }
  const tool = ctx.tools.get(request.tool);
  await ctx.store.steps.start({
    task_id: taskId,
    key,
    phase: request.phase,
    tool: request.tool,
    input_summary: summarizeInput(request.input),
  });
  await ctx.store.events.append(taskId, 'step.started', { key, tool: request.tool, phase: request.phase });

  const policy = stepRetryPolicy(ctx.config.max_step_retries);
  const started = performance.now();
  const endTimer = ctx.metrics.stepDurationSeconds.startTimer({ tool: request.tool });
  let attempt = 0;
  for (;;) {
    attempt += 1;
    await ctx.store.steps.setAttempts(taskId, key, attempt);
    try {
      ctx.signal.throwIfAborted();
      const { output, summary } = await withStepHome(ctx.homeDir, request.tool, (homeDir) =>
        tool.run(request.input, {
          taskId,
          workspaceDir: request.repo?.dir ?? ctx.workspaceDir,
          homeDir,
          cacheDir: repoCacheDir(ctx.config.dataDir, request.repo?.url ?? ctx.task.repo),
          ...(ctx.consumers?.length ? { repos: repoTargetsOf(ctx) } : {}),
          ...(request.linkToLibrary ? { linkToLibrary: true } : {}),
          signal: ctx.signal,
          log: ctx.log.child({ step: key }),
          services: ctx.services,
          onOutput: (stream, content) => void ctx.store.logs.append(taskId, key, stream, content),
          onModelCall: (record) => {
            ctx.metrics.modelTokensTotal.inc({ direction: 'input' }, record.inputTokens);
            ctx.metrics.modelTokensTotal.inc({ direction: 'output' }, record.outputTokens);
            ctx.metrics.modelTokensTotal.inc({ direction: 'cached_input' }, record.cachedInputTokens ?? 0);
            ctx.metrics.modelCostUsdTotal.inc(record.usd ?? 0);
            void ctx.store.events.append(taskId, 'model.call', { key, ...record });
          },
        }),
      );
      endTimer();
      ctx.metrics.stepsTotal.inc({ status: 'success' });
      await ctx.store.steps.finish(taskId, key, {
        status: 'succeeded',
        attempts: attempt,
        output,
        output_summary: summary,
        duration_ms: performance.now() - started,
      });
      await ctx.store.events.append(taskId, 'step.succeeded', {
        key,
        tool: request.tool,
        summary,
        attempts: attempt,
      });
      return output as Output;
    } catch (raw) {
      // An abort's reason (cancel, deadline, shutdown) explains the failure better than the tool's error.
      const error = ctx.signal.aborted ? toAutodevError(ctx.signal.reason) : toAutodevError(raw);
      if (error.code.startsWith('MODEL_')) ctx.metrics.modelErrorsTotal.inc({ code: error.code });
      const willRetry = error.retryable && !ctx.signal.aborted && attempt < policy.maxAttempts;
      if (willRetry) {
        const delayMs = retryDelayMs(policy, attempt);
        await ctx.store.events.append(taskId, 'step.retrying', {
          key,
          tool: request.tool,
          attempt,
          delay_ms: delayMs,
          error: { code: error.code, message: error.message },
        });
        try {
          await sleep(delayMs, ctx.signal);
          continue;
        } catch {
          // Aborted while waiting: fall through and record the failure with the abort's reason.
        }
      }
      const final = ctx.signal.aborted ? toAutodevError(ctx.signal.reason) : error;
      endTimer();
      ctx.metrics.stepsTotal.inc({ status: 'error' });
      await ctx.store.steps.finish(taskId, key, {
        status: 'failed',
        attempts: attempt,
        error: { code: final.code, message: final.message },
        output_summary: final.message,
        duration_ms: performance.now() - started,
      });
      await ctx.store.events.append(taskId, 'step.failed', {
        key,
        tool: request.tool,
        attempts: attempt,
        error: { code: final.code, message: final.message },
      });
      throw final;
    }
  }
}

/** A short, redaction-friendly view of a tool's input: long strings (patches, prompts) are cut. */
export function summarizeInput(input: unknown): string {
  const text = JSON.stringify(input, (_key, value: unknown) =>
    typeof value === 'string' && value.length > 200
      ? `${value.slice(0, 200)}… (${value.length} chars)`
      : value,
  );
  return text.length > 1000 ? `${text.slice(0, 1000)}…` : text;
}
