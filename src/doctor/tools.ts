import { spawnCapped } from '../sandbox/spawn-capped.js';
import { projectToolPath } from '../secrets/tool-path.js';
import type { CheckResult, DoctorCheck, DoctorContext } from './types.js';

const TOOLS = [
  {
    name: 'gitleaks',
    missing: 'fail',
    without: "every task's secrets scan fails, so no task delivers",
  },
  {
    name: 'opa',
    missing: 'warn',
    without: 'policies cannot be checked locally (the server itself asks the OPA at opa_url)',
  },
] as const;

/** The pinned tools `npm run setup` installs into .tools/bin (with Go): present and runnable. */
export const toolsCheck: DoctorCheck = {
  name: 'tools',
  async run(context) {
    return Promise.all(TOOLS.map((tool) => checkTool(context, tool)));
  },
};

async function checkTool(
  { hostEnv, timeoutMs }: DoctorContext,
  tool: (typeof TOOLS)[number],
): Promise<CheckResult> {
  const binary = projectToolPath(tool.name);
  const result = await spawnCapped({
    argv: [binary, 'version'],
    cwd: '/',
    env: { PATH: hostEnv.PATH ?? '/usr/local/bin:/usr/bin:/bin', HOME: hostEnv.HOME ?? '/tmp' },
    timeoutMs,
    maxOutputBytes: 64 * 1024,
  }).catch((error: unknown) => ({ error }));
  if ('error' in result || result.exitCode !== 0) {
    return {
      name: `tools.${tool.name}`,
      status: tool.missing,
      message: `${tool.name} is missing or does not run (${binary}): ${tool.without}; install Go and run npm run setup`,
    };
  }
  const version = result.stdout.trim().split('\n')[0] ?? '';
  return { name: `tools.${tool.name}`, status: 'ok', message: `${binary} ${version}`.trim() };
}
