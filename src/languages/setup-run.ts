import { AutodevError } from '../errors.js';
import type { SandboxBind } from '../sandbox/types.js';
import { outputTail, projectDir, throwOnResourceLimit } from './run.js';
import type { Argv, DetectedProject, SetupOptions, SetupReport } from './types.js';

export interface SetupStep {
  argv: Argv;
  env?: Record<string, string>;
  /**
   * A step that only saves later time (warming a build cache): its failure is recorded in the
   * output but does not fail setup, since the build or test run that follows reports the real error.
   */
  bestEffort?: boolean;
  /**
   * A best-effort step whose failure still fails setup when its output says so (`when`): the
   * report's output then ends with `reason`, which names the cause in the user's terms.
   */
  failsSetup?: { when: RegExp; reason: string };
}

/** Setup output can be long (a wheel build); the tail is what tells why it failed. */
const MAX_OUTPUT_BYTES = 2 * 1024 * 1024;

/**
 * Runs a project's install steps in order, with network only if `options.network`, the caches bound
 * writable; stops at the first that fails. No step at all is a success that cost nothing.
 */
export async function runSetupSteps(
  project: DetectedProject,
  steps: readonly SetupStep[],
  options: SetupOptions,
  binds: readonly SandboxBind[],
): Promise<SetupReport> {
  const report: SetupReport = {
    language: project.language,
    root: project.root,
    commands: [],
    ok: true,
    exitCode: 0,
    timedOut: false,
    durationMs: 0,
    outputTail: '',
  };
  const tails: string[] = [];
  for (const step of steps) {
    const result = await options.sandbox.run({
      argv: step.argv,
      cwd: projectDir(project, options.workspaceDir),
      workspace: options.workspaceDir,
      timeoutMs: options.timeoutMs,
      network: options.network,
      maxOutputBytes: MAX_OUTPUT_BYTES,
      // The machine's registries only with network; the language's own variables win.
      env: { ...(options.network ? options.registryEnv : {}), ...step.env },
      ...(binds.length > 0 ? { binds } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.homeDir ? { homeDir: options.homeDir } : {}),
    });
    if (result.cancelled) throw new AutodevError('TASK_CANCELLED', `cancelled: ${step.argv.join(' ')}`);
    throwOnResourceLimit(step.argv, result);
    report.commands.push(step.argv);
    report.durationMs += result.durationMs;
    tails.push(`$ ${step.argv.join(' ')}\n${outputTail(result)}`);
    const failed = result.exitCode !== 0 || result.timedOut;
    const judged = failed && step.failsSetup?.when.test(`${result.stdout}\n${result.stderr}`) === true;
    if (step.bestEffort && !judged) continue;
    if (judged && step.failsSetup) tails.push(step.failsSetup.reason);
    report.exitCode = result.exitCode;
    report.timedOut = result.timedOut;
    if (result.exitCode !== 0 || result.timedOut) {
      report.ok = false;
      report.failedCommand = step.argv;
      break;
    }
  }
  report.outputTail = outputTail({ stdout: tails.join('\n'), stderr: '' });
  return report;
}
