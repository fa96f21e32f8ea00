import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { AutodevError } from '../errors.js';
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

function run(opa: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(opa, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const add = (chunk: Buffer) => {
      if (output.length < 64 * 1024) output += chunk.toString('utf8');
    };
    child.stdout.on('data', add);
    child.stderr.on('data', add);
    child.once('error', (error) =>
      reject(
        new AutodevError(
          'COMMAND_NOT_FOUND',
          `cannot run opa (${opa}): ${error.message}; install it with npm run setup or put it on PATH`,
        ),
      ),
    );
    child.once('close', (code) => resolveRun({ code, output: output.trim() }));
  });
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
): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = ['run', '--server', '--addr', `127.0.0.1:${port}`, '--log-level', 'error'];
  const child = spawn(opa, [...args, ...(v0 ? ['--v0-compatible'] : []), file], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new AutodevError('POLICY_UNAVAILABLE', `opa exited: ${stderr.trim()}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return { url, child };
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill('SIGKILL');
  throw new AutodevError('POLICY_UNAVAILABLE', `opa did not start within 15 s: ${stderr.trim()}`);
}

/**
 * Loads a policy file into a real OPA as autodev would ask it (v1 first, then v0-compatible), runs
 * it over SAMPLE_INPUTS through autodev's own OPA client, and says what to change when it does not
 * load. `policyPackage` overrides the package read from the file.
 */
export async function checkPolicy(
  file: string,
  options: { opa?: string; policyPackage?: string } = {},
): Promise<PolicyCheckResult> {
  const opa = options.opa ?? projectToolPath('opa');
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
  const v1 = await run(opa, ['check', file]);
  const v0 = v1.code === 0 ? undefined : await run(opa, ['check', '--v0-compatible', file]);
  const mode = v1.code === 0 ? 'v1' : v0?.code === 0 ? 'v0' : 'none';
  const base = { file, mode, hints, ...(policyPackage ? { package: policyPackage } : {}) } as const;
  if (mode === 'none' || !policyPackage) {
    const opaErrors =
      mode === 'none'
        ? `as Rego v1 (OPA's default):\n${v1.output}\nwith --v0-compatible:\n${v0?.output ?? ''}`
        : 'no `package` line: name the package with --package';
    return { ...base, opaErrors, decisions: [] };
  }
  const server = await startOpa(opa, file, mode === 'v0');
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
    server.child.kill('SIGTERM');
  }
}
