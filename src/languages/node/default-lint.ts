import type { Worker } from 'node:worker_threads';
import { AutodevError } from '../../errors.js';
import { startModuleWorker } from '../../runtime/module-worker.js';
import { DEFAULT_JS_RULES, DEFAULT_JS_TOOL } from './default-lint-config.js';
import { collectJsFiles, DEFAULT_JS_FILE_LIMITS, type JsFileLimits } from './default-lint-files.js';
import { JsLintResults, type JsLintFileResult, type JsLintJob } from './default-lint-protocol.js';
import type { DetectedProject, LintReport, LintWarning, RunProjectCommandOptions } from '../types.js';

export interface DefaultJsLintLimits extends JsFileLimits {
  /** Wall time of the whole lint, at most the run's own timeout. */
  timeoutMs: number;
  /** Heap of the worker: a file built to exhaust memory ends that worker, not the server. */
  maxHeapMb: number;
}

export const DEFAULT_JS_LINT_LIMITS: DefaultJsLintLimits = {
  ...DEFAULT_JS_FILE_LIMITS,
  timeoutMs: 120_000,
  maxHeapMb: 512,
};

/** What the report shows as the command: the rules, since no configuration file stands for them. */
export const DEFAULT_JS_COMMAND = [
  'eslint',
  '--no-config-lookup',
  '--no-inline-config',
  '--rule',
  JSON.stringify(DEFAULT_JS_RULES),
  '.',
];

type WorkerOutcome =
  { kind: 'done'; results: JsLintFileResult[] } | { kind: 'timeout' } | { kind: 'failed'; reason: string };

/** The lint worker (see module-worker.ts for how it starts from sources or from dist/). */
function startWorker(job: JsLintJob, maxHeapMb: number): Worker {
  return startModuleWorker(import.meta.url, 'default-lint-worker', {
    workerData: job,
    // The linter needs no environment: the server's (tokens, keys) stays out of the worker.
    env: {},
    resourceLimits: { maxOldGenerationSizeMb: maxHeapMb, maxYoungGenerationSizeMb: 64, stackSizeMb: 4 },
    stdout: true,
    stderr: true,
  });
}

/** Runs the job in a worker, ended at the timeout or on cancel; never throws for what the files do. */
function runWorker(
  job: JsLintJob,
  limits: DefaultJsLintLimits,
  signal?: AbortSignal,
): Promise<WorkerOutcome> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(job, limits.maxHeapMb);
    let settled = false;
    const finish = (outcome: WorkerOutcome | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout' }), limits.timeoutMs);
    const onAbort = () => finish(new AutodevError('TASK_CANCELLED', `cancelled: ${DEFAULT_JS_TOOL}`));
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: unknown) => {
      const parsed = JsLintResults.safeParse(message);
      finish(
        parsed.success
          ? { kind: 'done', results: parsed.data }
          : { kind: 'failed', reason: 'the lint worker answered in an unexpected shape' },
      );
    });
    worker.on('error', (error) => finish({ kind: 'failed', reason: `${error.name}: ${error.message}` }));
    worker.on('exit', (code) => finish({ kind: 'failed', reason: `the lint worker exited with ${code}` }));
  });
}

function toWarnings(results: readonly JsLintFileResult[]): LintWarning[] {
  return results.flatMap((result): LintWarning[] => {
    if ('crashed' in result) {
      return [
        {
          file: result.file,
          line: 0,
          rule: 'lint-failed',
          message: `${DEFAULT_JS_TOOL} could not check this file: ${result.crashed.slice(0, 300)}`,
          severity: 'error',
        },
      ];
    }
    // With noInlineConfig, ESLint notes each `/* eslint ... */` comment it ignored: not a finding.
    const findings = result.messages.filter((m) => m.fatal === true || m.ruleId);
    return findings.map((m) => ({
      file: result.file,
      line: m.line ?? 0,
      ...(m.column !== undefined ? { column: m.column } : {}),
      rule: m.ruleId ?? (m.fatal ? 'parse-error' : 'eslint'),
      message: m.message,
      severity: m.fatal || m.severity === 2 ? 'error' : 'warning',
    }));
  });
}

/**
 * Lints a JavaScript project that configures no linter with autodev's own conservative rules (see
 * DEFAULT_JS_RULES): ESLint's `Linter` on texts autodev read itself, off the main thread, with none
 * of the repository's configuration. Same report as the sandboxed linters; a run that could not
 * finish is one `lint-timeout` or `lint-failed` warning, which no baseline excuses.
 */
export async function runDefaultJsLint(
  project: DetectedProject,
  options: RunProjectCommandOptions,
  limits: DefaultJsLintLimits = DEFAULT_JS_LINT_LIMITS,
): Promise<LintReport> {
  const started = Date.now();
  const { files, skipped } = await collectJsFiles(options.workspaceDir, project.root, limits);
  const timeoutMs = Math.min(limits.timeoutMs, options.timeoutMs);
  const outcome =
    files.length === 0
      ? ({ kind: 'done', results: [] } as const)
      : await runWorker({ files }, { ...limits, timeoutMs }, options.signal);
  const warnings: LintWarning[] =
    outcome.kind === 'done'
      ? toWarnings(outcome.results)
      : [
          {
            file: project.root,
            line: 0,
            rule: outcome.kind === 'timeout' ? 'lint-timeout' : 'lint-failed',
            message:
              outcome.kind === 'timeout'
                ? `${DEFAULT_JS_TOOL} did not finish ${files.length} file(s) within ${timeoutMs} ms`
                : `${DEFAULT_JS_TOOL} failed: ${outcome.reason}`,
            severity: 'error',
          },
        ];
  const tail = [
    `${DEFAULT_JS_TOOL}: ${files.length} file(s) checked, ${warnings.length} finding(s)`,
    ...skipped.map((s) => `not checked: ${s}`),
  ].join('\n');
  return {
    language: project.language,
    root: project.root,
    tool: DEFAULT_JS_TOOL,
    available: true,
    command: DEFAULT_JS_COMMAND,
    exitCode: outcome.kind === 'done' ? (warnings.length > 0 ? 1 : 0) : null,
    warnings,
    durationMs: Date.now() - started,
    outputTail: tail,
  };
}
