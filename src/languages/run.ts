import path from 'node:path';
import { AutodevError, isAutodevError } from '../errors.js';
import type { SandboxBind, SandboxResult } from '../sandbox/types.js';
import type { TestCounts } from './parsers/types.js';
import type {
  Argv,
  BuildReport,
  DetectedProject,
  LintReport,
  LintWarning,
  RunProjectCommandOptions,
  TestReport,
} from './types.js';

const TAIL_CHARS = 8_000;
// Test and lint output is parsed whole: allow more than a human would read.
const MAX_OUTPUT_BYTES = 8 * 1024 * 1024;

export function projectDir(project: DetectedProject, workspaceDir: string): string {
  return path.resolve(workspaceDir, project.root);
}

export function outputTail(result: Pick<SandboxResult, 'stdout' | 'stderr'>): string {
  const combined = [result.stdout, result.stderr].filter((s) => s.trim() !== '').join('\n');
  return combined.length > TAIL_CHARS ? combined.slice(-TAIL_CHARS) : combined;
}

export interface RunOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Package caches, read-only here (see caches.ts). */
  binds?: SandboxBind[];
  /**
   * The command as reports show it and as a missing runner is recognised by, when what runs is a
   * launcher around it (see python/runner.ts).
   */
  shownAs?: Argv;
}

/** Runs argv in the project's folder, sandboxed and offline; a cancelled run throws TASK_CANCELLED. */
export async function runInProject(
  project: DetectedProject,
  argv: Argv,
  options: RunProjectCommandOptions,
  extra: RunOptions = {},
): Promise<SandboxResult> {
  const result = await options.sandbox.run({
    argv,
    cwd: extra.cwd ?? projectDir(project, options.workspaceDir),
    workspace: options.workspaceDir,
    timeoutMs: options.timeoutMs,
    network: false,
    maxOutputBytes: MAX_OUTPUT_BYTES,
    ...(extra.env ? { env: extra.env } : {}),
    ...(extra.binds && extra.binds.length > 0 ? { binds: extra.binds } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.homeDir ? { homeDir: options.homeDir } : {}),
  });
  if (result.cancelled) throw new AutodevError('TASK_CANCELLED', `cancelled: ${argv.join(' ')}`);
  throwOnResourceLimit(argv, result);
  return result;
}

/**
 * A run that died of a sandbox limit says nothing about the project: no test result, baseline or
 * setup failure is made of it; the task fails with RESOURCE_LIMIT naming the limit.
 */
export function throwOnResourceLimit(argv: Argv, result: SandboxResult): void {
  if (result.resourceLimit === undefined) return;
  throw new AutodevError(
    'RESOURCE_LIMIT',
    `\`${argv.join(' ')}\` hit a sandbox limit: ${result.resourceLimit}`,
    {
      details: { argv, limit: result.resourceLimit, outputTail: outputTail(result) },
    },
  );
}

/**
 * Whether the program the command names is itself missing, not whether some output says "not
 * found": a test may print that (`assert 'x' in 'not found'`, a 404 in a fixture). argv[0] itself
 * is checked by the sandbox before it starts anything; what is left is the program a shell was
 * asked to start (`sh -c "pytest -q"`: exit 127 and `pytest: not found` naming it), bwrap's execvp
 * error naming argv[0], `python3 -m X` without the module X, and cargo without the subcommand.
 */
export function looksMissing(argv: Argv, result: SandboxResult): boolean {
  if (result.exitCode === 0 || argv.length === 0) return false;
  const program = argv[0] ?? '';
  const stderr = result.stderr;
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (SHELLS.has(path.basename(program)) && argv[1] === '-c' && argv[2] !== undefined) {
    const first = /^\s*(?:\w+=\S*\s+)*([^\s;&|()<>]+)/.exec(argv[2])?.[1];
    if (result.exitCode !== 127 || first === undefined) return false;
    return new RegExp(`(^|\\s|:\\s)${escape(first)}: (command )?not found`, 'm').test(stderr);
  }
  if (new RegExp(`execvp ${escape(program)}: No such file or directory`).test(stderr)) return true;
  if (PYTHONS.test(path.basename(program)) && argv[1] === '-m' && argv[2] !== undefined) {
    return new RegExp(`^\\S*python[\\d.]*: No module named ${escape(argv[2])}\\s*$`, 'm').test(stderr);
  }
  if (path.basename(program) === 'cargo' && argv[1] !== undefined) {
    return new RegExp(`^error: no such command: \`?${escape(argv[1])}\`?`, 'm').test(stderr);
  }
  return false;
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh']);
const PYTHONS = /^python[\d.]*$/;

export function requireCommand(project: DetectedProject, kind: 'test' | 'build' | 'lint'): Argv {
  const argv = project.commands[kind];
  if (argv && argv.length > 0) return argv;
  throw new AutodevError(
    kind === 'test' ? 'NO_TEST_COMMAND' : 'COMMAND_NOT_FOUND',
    `no ${kind} command for the ${project.language} project at ${project.root}: set [commands] ${kind} in .autodev.toml`,
    { details: { language: project.language, root: project.root, kind } },
  );
}

/**
 * A clean exit proves nothing by itself: a change can make the runner exit 0 before any test ran
 * (`os._exit(0)` at import), print nothing a parser reads, or flood the output past the cap so the
 * summary is cut off. Each of these is reported, and none is a pass.
 */
function inconclusiveReason(result: SandboxResult, counts: TestCounts): string | undefined {
  if (result.truncated) {
    return `the output passed ${MAX_OUTPUT_BYTES / (1024 * 1024)} MiB and was cut, so its results cannot be trusted`;
  }
  if (!counts.found) return 'the output held no test summary autodev could read';
  if (counts.passed + counts.failed === 0) return 'no test ran';
  return undefined;
}

/**
 * Runs a test command and turns its output into counts. A tool that is not there throws
 * COMMAND_NOT_FOUND (a setup problem, not a failing test).
 */
export async function runTestCommand(
  project: DetectedProject,
  argv: Argv,
  options: RunProjectCommandOptions,
  parse: (result: SandboxResult) => TestCounts | Promise<TestCounts>,
  extra: RunOptions = {},
): Promise<TestReport> {
  const result = await runInProject(project, argv, options, extra);
  const counts = await parse(result);
  const shown = extra.shownAs ?? argv;
  if (!counts.found && looksMissing(shown, result)) {
    throw new AutodevError('COMMAND_NOT_FOUND', `test command not found: ${shown.join(' ')}`, {
      details: { argv: shown, outputTail: outputTail(result) },
    });
  }
  // A crashed runner with no summary must not read as a pass: one failure names the command.
  const failures =
    result.exitCode !== 0 && counts.failed === 0 && !result.timedOut
      ? [
          {
            name: shown.join(' '),
            message: `exited with ${String(result.exitCode)} and reported no failing test`,
          },
        ]
      : counts.failures;
  const inconclusive = inconclusiveReason(result, counts);
  return {
    language: project.language,
    root: project.root,
    command: shown,
    exitCode: result.exitCode,
    passed: counts.passed,
    failed: Math.max(counts.failed, failures.length),
    skipped: counts.skipped,
    failures,
    ...(counts.passedNames ? { passedTests: counts.passedNames } : {}),
    ok: result.exitCode === 0 && !result.timedOut && counts.failed === 0 && inconclusive === undefined,
    ...(inconclusive ? { inconclusive } : {}),
    timedOut: result.timedOut,
    truncated: result.truncated,
    durationMs: result.durationMs,
    outputTail: outputTail(result),
  };
}

export async function runBuildCommand(
  project: DetectedProject,
  options: RunProjectCommandOptions,
  resolve: (argv: Argv) => Argv | Promise<Argv> = (argv) => argv,
  extra: RunOptions = {},
): Promise<BuildReport> {
  const configured = project.commands.build;
  if (!configured || configured.length === 0) {
    return {
      language: project.language,
      root: project.root,
      command: [],
      exitCode: null,
      ok: true,
      timedOut: false,
      durationMs: 0,
      outputTail: 'no build step for this project',
      skipped: true,
    };
  }
  const argv = await resolve(configured);
  const result = await runInProject(project, argv, options, extra);
  if (looksMissing(argv, result)) {
    throw new AutodevError('COMMAND_NOT_FOUND', `build command not found: ${argv.join(' ')}`, {
      details: { argv, outputTail: outputTail(result) },
    });
  }
  return {
    language: project.language,
    root: project.root,
    command: argv,
    exitCode: result.exitCode,
    ok: result.exitCode === 0 && !result.timedOut,
    timedOut: result.timedOut,
    durationMs: result.durationMs,
    outputTail: outputTail(result),
  };
}

/** Makes a linter's file path relative to the repo root, whether the tool printed it absolute or relative to its cwd. */
export function repoRelative(file: string, cwd: string, workspaceDir: string): string {
  return path.relative(workspaceDir, path.resolve(cwd, file)).split(path.sep).join('/');
}

/**
 * Runs a linter. A linter that is not installed is `available: false`, never a clean pass;
 * output the parser cannot read (a crash, a config error) is reported as one `lint-failed` error.
 */
export async function runLintCommand(
  project: DetectedProject,
  tool: string,
  argv: Argv | undefined,
  options: RunProjectCommandOptions,
  parse: (result: SandboxResult) => LintWarning[] | undefined,
  extra: RunOptions = {},
): Promise<LintReport> {
  const base = { language: project.language, root: project.root, tool, command: argv ?? [] };
  if (!argv || argv.length === 0) {
    return {
      ...base,
      available: false,
      exitCode: null,
      warnings: [],
      durationMs: 0,
      outputTail: 'no linter configured',
    };
  }
  let result: SandboxResult;
  try {
    result = await runInProject(project, argv, options, extra);
  } catch (error) {
    if (!isAutodevError(error, 'COMMAND_NOT_FOUND')) throw error;
    return {
      ...base,
      available: false,
      exitCode: null,
      warnings: [],
      durationMs: 0,
      outputTail: error.message,
    };
  }
  const tail = outputTail(result);
  const parsed = parse(result);
  if (parsed === undefined && looksMissing(argv, result)) {
    return {
      ...base,
      available: false,
      exitCode: result.exitCode,
      warnings: [],
      durationMs: result.durationMs,
      outputTail: tail,
    };
  }
  const cwd = projectDir(project, options.workspaceDir);
  const warnings = (parsed ?? []).map((w) => ({
    ...w,
    file: repoRelative(w.file, cwd, options.workspaceDir),
  }));
  // Output the parser could not read, or a failing exit with nothing to show for it.
  if (parsed === undefined || (result.exitCode !== 0 && warnings.length === 0)) {
    warnings.push({
      file: project.root,
      line: 0,
      rule: result.timedOut ? 'lint-timeout' : 'lint-failed',
      message: `${tool} exited with ${String(result.exitCode)} without findings it could report: ${tail.slice(-500)}`,
      severity: 'error',
    });
  }
  return {
    ...base,
    available: true,
    exitCode: result.exitCode,
    warnings,
    durationMs: result.durationMs,
    outputTail: tail,
  };
}
