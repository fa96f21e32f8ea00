import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { AutodevError, isAutodevError } from '../errors.js';
import type { HostEnv } from '../sandbox/env.js';
import { hostToolEnv } from '../sandbox/host-tool-env.js';
import { spawnCapped, type SpawnCappedOptions } from '../sandbox/spawn-capped.js';
import type { SandboxResult } from '../sandbox/types.js';
import { projectToolPath } from '../secrets/tool-path.js';
import { createLocalPolicy } from './local.js';
import { createOpaPolicy } from './opa.js';
import { withTierFloor } from './tier-floors.js';
import type { PolicyDecision, PolicyInput } from './types.js';
import { regoPackage, regoV0Hints, type RegoHint } from './v0-hints.js';

const clean: PolicyInput = {
  risk_tier: 'low',
  tests_passed: true,
  clippy_warnings: 0,
  secrets_found: false,
  files_changed: ['src/lib.py'],
  new_dependencies: [],
};

/** The sample inputs a policy is run over: the seed's rules, one at a time (docs/policy-input.schema.json). */
export const SAMPLE_INPUTS: readonly { name: string; input: PolicyInput }[] = [
  { name: 'clean low-risk change', input: clean },
  { name: 'clean medium-risk change', input: { ...clean, risk_tier: 'medium' } },
  { name: 'clean high-risk change', input: { ...clean, risk_tier: 'high' } },
  { name: 'failing tests', input: { ...clean, tests_passed: false } },
  { name: 'lint warnings introduced', input: { ...clean, clippy_warnings: 2, lint_warnings_introduced: 2 } },
  { name: 'secrets found', input: { ...clean, secrets_found: true } },
  { name: 'a .sql migration', input: { ...clean, files_changed: ['migrations/001.sql'] } },
  { name: 'a new dependency', input: { ...clean, new_dependencies: ['requests'] } },
];

export interface PolicyCheckResult {
  file: string;
  /** How the policy loads: Rego v1 (OPA 1.x's default), v0 (--v0-compatible), or not at all. */
  mode: 'v1' | 'v0' | 'none';
  package?: string;
  /** OPA's own words when the policy does not load. */
  opaErrors?: string;
  hints: RegoHint[];
  /** Each sample input's decision: as the policy answers, and with the risk tier's floor autodev adds. */
  decisions: { name: string; policy: PolicyDecision; final: PolicyDecision }[];
}

interface Run {
  code: number | null;
  output: string;
}

/** What OPA says is kept up to here: enough for every error of a policy file. */
const OPA_OUTPUT_BYTES = 64 * 1024;
/** `opa check` answers in well under a second. */
const OPA_CHECK_TIMEOUT_MS = 60_000;
/** The check's own OPA server lives for the eight sample decisions, never longer than this. */
const OPA_SERVER_TIMEOUT_MS = 300_000;

/** An OPA run through the one process runner: allow-listed env, capped output, its group killed at the end. */
async function spawnOpa(
  options: Omit<SpawnCappedOptions, 'cwd' | 'maxOutputBytes' | 'argv'> & { argv: readonly string[] },
): Promise<SandboxResult> {
  try {
    // The caller's working directory: a policy file named relative to it is found, and OPA's
    // messages name it as the user wrote it.
    return await spawnCapped({ ...options, cwd: process.cwd(), maxOutputBytes: OPA_OUTPUT_BYTES });
  } catch (error) {
    if (!isAutodevError(error, 'COMMAND_NOT_FOUND')) throw error;
    throw new AutodevError(
      'COMMAND_NOT_FOUND',
      `cannot run opa (${options.argv[0] ?? ''}): ${error.message}; install it with npm run setup or put it on PATH`,
      { cause: error },
    );
  }
}

async function run(opa: string, args: readonly string[], env: Record<string, string>): Promise<Run> {
  const result = await spawnOpa({ argv: [opa, ...args], env, timeoutMs: OPA_CHECK_TIMEOUT_MS });
  const output = `${result.stdout}${result.stderr}`.trim();
  return { code: result.exitCode, output: result.timedOut ? `opa ${args[0] ?? ''} timed out` : output };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** `opa run --server` on a loopback port with the policy, until healthy (or it exits: its output says why). */
async function startOpa(
  opa: string,
  file: string,
  v0: boolean,
  env: Record<string, string>,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = ['run', '--server', '--addr', `127.0.0.1:${port}`, '--log-level', 'error'];
  const stopper = new AbortController();
  let ended: { stderr: string } | undefined;
  const exited = spawnOpa({
    argv: [opa, ...args, ...(v0 ? ['--v0-compatible'] : []), file],
    env,
    timeoutMs: OPA_SERVER_TIMEOUT_MS,
    signal: stopper.signal,
  }).then(
    (result) => (ended = { stderr: result.stderr }),
    (error: unknown) => (ended = { stderr: error instanceof Error ? error.message : String(error) }),
  );
  const stop = async (): Promise<void> => {
    stopper.abort();
    await exited;
  };
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (ended !== undefined)
      throw new AutodevError('POLICY_UNAVAILABLE', `opa exited: ${ended.stderr.trim()}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return { url, stop };
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  stopper.abort();
  const { stderr } = await exited;
  throw new AutodevError('POLICY_UNAVAILABLE', `opa did not start within 15 s: ${stderr.trim()}`);
}

/**
 * Loads a policy file into a real OPA as autodev would ask it (v1 first, then v0-compatible), runs
 * it over SAMPLE_INPUTS through autodev's own OPA client, and says what to change when it does not
 * load. `policyPackage` overrides the package read from the file.
 */
export async function checkPolicy(
  file: string,
  options: { hostEnv: HostEnv; opa?: string; policyPackage?: string },
): Promise<PolicyCheckResult> {
  const opa = options.opa ?? projectToolPath('opa');
  // OPA reads no configuration from the environment; a policy could read all of it (opa.runtime()).
  const env = hostToolEnv(options.hostEnv);
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    throw new AutodevError(
      'VALIDATION_FAILED',
      `cannot read policy file ${file}: ${(error as Error).message}`,
    );
  }
  const hints = regoV0Hints(source);
  const policyPackage = options.policyPackage ?? regoPackage(source);
  const v1 = await run(opa, ['check', file], env);
  const v0 = v1.code === 0 ? undefined : await run(opa, ['check', '--v0-compatible', file], env);
  const mode = v1.code === 0 ? 'v1' : v0?.code === 0 ? 'v0' : 'none';
  const base = { file, mode, hints, ...(policyPackage ? { package: policyPackage } : {}) } as const;
  if (mode === 'none' || !policyPackage) {
    const opaErrors =
      mode === 'none'
        ? `as Rego v1 (OPA's default):\n${v1.output}\nwith --v0-compatible:\n${v0?.output ?? ''}`
        : 'no `package` line: name the package with --package';
    return { ...base, opaErrors, decisions: [] };
  }
  const server = await startOpa(opa, file, mode === 'v0', env);
  try {
    const engine = createOpaPolicy({
      url: server.url,
      policyPackage,
      timeoutMs: 5000,
      fallback: createLocalPolicy(),
    });
    const decisions = [];
    for (const sample of SAMPLE_INPUTS) {
      const policy = await engine.evaluate(sample.input);
      decisions.push({ name: sample.name, policy, final: withTierFloor(sample.input.risk_tier, policy) });
    }
    return { ...base, decisions };
  } finally {
    await server.stop();
  }
}
