import path from 'node:path';
import { AutodevError } from '../errors.js';
import { SECRET_ENV_NAME } from '../secrets/patterns.js';

export type HostEnv = Readonly<Record<string, string | undefined>>;

/**
 * Host variables a build may see. Everything here is a location or a locale, never a
 * credential; all else in the server's environment (tokens, API keys, NODE_OPTIONS) stays out.
 *
 * NODE_OPTIONS is deliberately absent: the server's own value (a test runner's loader, an
 * --inspect flag, a --require hook) would change how the project's node runs. A project
 * that needs it passes it through `SandboxCommand.env`.
 */
const INHERITED = [
  'PATH',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TERM',
  'TZ',
  // Toolchain locations and switches (read-only inside the sandbox).
  'RUSTUP_HOME',
  'CARGO_HOME',
  'RUSTUP_TOOLCHAIN',
  'RUSTUP_AUTO_INSTALL',
  'GOROOT',
  'GOPATH',
  'GOMODCACHE',
  'GOFLAGS',
  'PYENV_ROOT',
  'PYENV_VERSION',
  'PYTHONDONTWRITEBYTECODE',
  'PYTHONUNBUFFERED',
] as const;

/**
 * CA bundles: paths only, needed by the setup phase's installs behind a private CA, and
 * passed only when the command has network. Without network they are pure cost:
 * NODE_EXTRA_CA_CERTS alone makes every node start ~75 ms slower (measured: 40 -> 116 ms).
 */
const INHERITED_WITH_NETWORK = [
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'NODE_EXTRA_CA_CERTS',
  'REQUESTS_CA_BUNDLE',
  'PIP_CERT',
] as const;

/**
 * Toolchains installed per user default to a directory under the user's HOME. The sandbox
 * moves HOME to a private directory, so these are pinned to the host's locations first.
 */
const HOME_RELATIVE_DEFAULTS: Readonly<Record<string, string>> = {
  RUSTUP_HOME: '.rustup',
  CARGO_HOME: '.cargo',
  PYENV_ROOT: '.pyenv',
};

export interface SandboxEnvOptions {
  hostEnv: HostEnv;
  /** Writable, private to the run or the task: HOME and every cache under it. */
  home: string;
  extras?: Readonly<Record<string, string>>;
  /**
   * False for a container image, whose own PATH and toolchain homes apply: only the
   * locale and autodev's own variables are passed then.
   */
  inheritToolchains: boolean;
  /** Whether the command has network; only then are CA bundle locations passed. */
  network: boolean;
}

/** Throws VALIDATION_FAILED naming the first extra variable that looks like a credential. */
export function assertNoSecretNames(extras: Readonly<Record<string, string>> | undefined): void {
  for (const name of Object.keys(extras ?? {})) {
    if (SECRET_ENV_NAME.test(name)) {
      throw new AutodevError(
        'VALIDATION_FAILED',
        `environment variable ${name} looks like a credential and is not passed into the sandbox`,
        { details: { name } },
      );
    }
  }
}

/** The complete environment of a sandboxed command: an allowlist, never a copy of the host's. */
export function buildSandboxEnv(options: SandboxEnvOptions): Record<string, string> {
  assertNoSecretNames(options.extras);
  const { hostEnv, home } = options;
  const env: Record<string, string> = {};
  if (options.inheritToolchains) {
    for (const name of [...INHERITED, ...(options.network ? INHERITED_WITH_NETWORK : [])]) {
      const value = hostEnv[name];
      if (value !== undefined && value !== '') env[name] = value;
    }
    const hostHome = hostEnv.HOME;
    for (const [name, relative] of Object.entries(HOME_RELATIVE_DEFAULTS)) {
      if (env[name] === undefined && hostHome) env[name] = path.join(hostHome, relative);
    }
    env.PATH = withoutNodeModulesBins(
      env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    );
  } else {
    for (const name of ['LANG', 'LC_ALL', 'TZ'] as const) {
      const value = hostEnv[name];
      if (value !== undefined && value !== '') env[name] = value;
    }
  }
  Object.assign(env, {
    HOME: home,
    TMPDIR: '/tmp',
    CI: 'true',
    // Go's build cache must be writable; the host's lives under the host HOME, read-only here.
    GOCACHE: path.join(home, '.cache', 'go-build'),
    // Never fetch a newer Go toolchain because a go.mod asks for one: builds have no network.
    GOTOOLCHAIN: 'local',
    PYTHONDONTWRITEBYTECODE: env.PYTHONDONTWRITEBYTECODE ?? '1',
  });
  const merged = { ...env, ...options.extras };
  // A Python virtualenv (src/languages/python-venv.ts) is activated as its `activate` script does:
  // its bin/ first on PATH, so `python3`, `pytest` and a repo's own `sh -c` command all find it.
  const venv = options.extras?.VIRTUAL_ENV;
  if (venv !== undefined && path.isAbsolute(venv) && merged.PATH !== undefined) {
    merged.PATH = `${path.join(venv, 'bin')}:${merged.PATH}`;
  }
  return merged;
}

/**
 * `npm start` / `npm test` put the server's own node_modules/.bin dirs on PATH; a project's build must
 * find its own eslint and tsc (or none), never autodev's.
 */
export function withoutNodeModulesBins(pathValue: string): string {
  return pathValue
    .split(':')
    .filter((entry) => entry !== '' && !/(^|\/)node_modules\/\.bin\/?$/.test(entry))
    .join(':');
}
