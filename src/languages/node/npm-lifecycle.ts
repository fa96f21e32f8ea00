import type { SandboxResult } from '../../sandbox/types.js';
import { outputTail, runInProject, type RunOptions } from '../run.js';
import type { Argv, DetectedProject, RunProjectCommandOptions } from '../types.js';

/** What a script's output says when it failed for want of a network the sandbox never gives tests. */
const NO_NETWORK = [
  /\bE(?:AI_AGAIN|NOTFOUND|NETUNREACH|CONNREFUSED)\b/,
  /getaddrinfo/,
  /network (?:request|is unreachable)/i,
  /request to https?:\/\/\S+ failed/i,
];

export function failedForNetwork(result: SandboxResult): boolean {
  const output = `${result.stdout}\n${result.stderr}`;
  return NO_NETWORK.some((pattern) => pattern.test(output));
}

export interface LifecycleRun {
  script: 'pretest' | 'posttest';
  ok: boolean;
  /** Set when it failed only because it needed the network. */
  needsNetwork: boolean;
  note: string;
}

/**
 * `npm test` runs `pretest` and `posttest` around the test script, and a `posttest` such as a network
 * audit fails offline however the tests went. autodev runs them apart (`npm test --ignore-scripts`
 * runs only the test script, per npm's docs), so the verdict comes from the test runner's own output,
 * and a pre or post script that failed only for want of network is reported as such.
 */
export async function runLifecycleScript(
  project: DetectedProject,
  script: LifecycleRun['script'],
  options: RunProjectCommandOptions,
  run: RunOptions,
  runner: Argv = ['npm'],
): Promise<LifecycleRun> {
  const argv: Argv = [...runner, 'run', script];
  const result = await runInProject(project, argv, options, run);
  const ok = result.exitCode === 0 && !result.timedOut;
  const needsNetwork = !ok && failedForNetwork(result);
  const note = ok
    ? `${script} ran`
    : needsNetwork
      ? `${script} failed because it needs the network, which tests never have (not counted): ${outputTail(result).slice(-500)}`
      : `${script} failed (exit ${String(result.exitCode)}): ${outputTail(result).slice(-500)}`;
  return { script, ok, needsNetwork, note };
}
