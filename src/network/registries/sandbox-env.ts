import { UV_INDEX_VARIABLES } from './uv.js';
import type { HostCommand } from './types.js';

/**
 * The registry settings of the machine's package clients, as the variables each client reads, for
 * the sandbox's commands with network (setup, the lockfile step of a dependency update). The sandbox
 * moves HOME, so the clients there read none of the machine's own configuration (~/.npmrc, pip.conf
 * under HOME, `go env -w`): a mirror the machine is configured for went unused and the installs
 * reached for the public default, which the sandbox's proxy refuses. Only addresses are carried: a
 * value with credentials in it (`https://user:token@mirror/`) is left out, since nothing a repository
 * runs may read a secret; such a mirror needs its credentials given another way.
 */
export async function hostRegistryEnv(
  run: HostCommand,
  hostEnv: Readonly<Record<string, string | undefined>> = {},
): Promise<Record<string, string>> {
  // npm and yarn are not here: their variables (npm_config_registry, YARN_NPM_REGISTRY_SERVER)
  // outrank the repository's own .npmrc / .yarnrc.yml, which must keep naming its registry.
  const parts = await Promise.all([pipEnv(run), goEnv(run), uvEnv(hostEnv)]);
  return Object.fromEntries(
    parts.flatMap((part) => Object.entries(part)).filter(([, value]) => !hasCredentials(value)),
  );
}

/** Whether any URL in the value (several are separated by white space, commas or pipes) has userinfo. */
function hasCredentials(value: string): boolean {
  return value.split(/[\s,|]+/).some((part) => {
    try {
      const url = new URL(part);
      return url.username !== '' || url.password !== '';
    } catch {
      return false;
    }
  });
}

const PIP_KEYS: Readonly<Record<string, string>> = {
  'index-url': 'PIP_INDEX_URL',
  'extra-index-url': 'PIP_EXTRA_INDEX_URL',
  'trusted-host': 'PIP_TRUSTED_HOST',
};

/** `section.key='value'` lines of `pip config list` (PIP_* variables included); the last one wins. */
async function pipEnv(run: HostCommand): Promise<Record<string, string>> {
  const listing = await run(['python3', '-m', 'pip', 'config', 'list']);
  const env: Record<string, string> = {};
  for (const line of (listing ?? '').split('\n')) {
    const match = /^[^=]*\.([a-z-]+)='(.*)'$/.exec(line.trim());
    const name = match?.[1] === undefined ? undefined : PIP_KEYS[match[1]];
    if (name !== undefined && match?.[2]) env[name] = match[2];
  }
  return env;
}

/**
 * uv's index variables as the machine sets them: uv has no command that prints its settings, and the
 * sandbox's fresh HOME hides a uv.toml under the machine's; the lock step of a uv repository
 * (updates/python/uv-index.ts) decides whether they or the repository's own index apply.
 */
function uvEnv(hostEnv: Readonly<Record<string, string | undefined>>): Promise<Record<string, string>> {
  return Promise.resolve(
    Object.fromEntries(
      UV_INDEX_VARIABLES.flatMap((name) => {
        const value = hostEnv[name];
        return value === undefined || value === '' ? [] : [[name, value] as const];
      }),
    ),
  );
}

const GO_VARIABLES = ['GOPROXY', 'GOSUMDB', 'GONOSUMDB', 'GONOPROXY', 'GOPRIVATE', 'GOINSECURE'] as const;

async function goEnv(run: HostCommand): Promise<Record<string, string>> {
  const out = await run(['go', 'env', '-json', ...GO_VARIABLES]);
  if (out === undefined) return {};
  let values: Record<string, unknown>;
  try {
    values = JSON.parse(out) as Record<string, unknown>;
  } catch {
    return {};
  }
  return Object.fromEntries(
    GO_VARIABLES.map((name) => [name, values[name]] as const).filter(
      (pair): pair is readonly [(typeof GO_VARIABLES)[number], string] =>
        typeof pair[1] === 'string' && pair[1] !== '',
    ),
  );
}
