import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  dieWithParentPrefix,
  LAUNCH_FAILED_EXIT,
  LAUNCH_FAILED_MESSAGE,
} from '../sandbox/die-with-parent.js';
import { AutodevError, isAutodevError, type ErrorCode } from '../errors.js';

/** Transports git may use, for the repo and for submodules alike; `ext::` (runs a command) never. */
export const ALLOWED_PROTOCOLS = ['file', 'https', 'http', 'ssh', 'git'] as const;

/**
 * A worktree given by autodev's own records: its git dir (`<mirror>/worktrees/<name>`) and its files.
 * Passed as GIT_DIR / GIT_WORK_TREE, so git never reads the worktree's `.git` file, which the sandboxed
 * build could have rewritten to point at a repository (and a config with filters) of its own.
 */
export interface GitWorktree {
  gitDir: string;
  workTree: string;
}

export interface GitRunOptions {
  cwd?: string;
  /** Run on this worktree (cwd becomes its work tree) instead of discovering a repository from cwd. */
  worktree?: GitWorktree;
  /** Written to git's stdin (a patch, a commit message, a fast-import stream). */
  input?: string | Buffer;
  signal?: AbortSignal;
  /**
   * Config values that must not show in argv (ps, logs): passed through GIT_CONFIG_COUNT/KEY/VALUE,
   * and their values are redacted from any error message.
   */
  secretConfig?: Record<string, string>;
  /**
   * An index of autodev's own (GIT_INDEX_FILE) instead of the worktree's: a snapshot stages the
   * files there, and neither the worktree's index nor HEAD moves.
   */
  indexFile?: string;
  /** Commit dates for a reproducible commit (GIT_AUTHOR_DATE and GIT_COMMITTER_DATE). */
  commitDate?: string;
  /** Exit codes that are answers rather than failures, e.g. 1 for `diff --quiet`. */
  okExitCodes?: readonly number[];
  /** Code of the AutodevError thrown on failure; GIT_FAILED unless said. */
  errorCode?: ErrorCode;
}

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export type RunGit = (args: readonly string[], options?: GitRunOptions) => Promise<GitResult>;

export interface GitRunnerDeps {
  /** The base environment (from config); git-redirecting and prompting variables are removed from it. */
  env: Readonly<Record<string, string | undefined>>;
  gitPath?: string;
  /** Cap per output stream; past it git is killed and the call fails. */
  maxOutputBytes?: number;
  /**
   * What to change when a remote refuses git's credentials (which token, in which variable): the end
   * of the FORGE_AUTH message, instead of git's own "could not read Username".
   */
  authHint?: string;
}

/**
 * What git prints when a remote refused (or asked for) credentials: git's prompt being disabled, the
 * HTTP status, or the forge's own words. Linear: literal alternatives only.
 */
const GIT_AUTH_FAILURE =
  /could not read (?:Username|Password) for|Authentication failed for|The requested URL returned error: 40[13]\b|HTTP Basic: Access denied|Invalid username or password/;

const DEFAULT_MAX_OUTPUT = 256 * 1024 * 1024;

/**
 * The only host variables git receives: where programs and certificates are, the locale, and how to
 * reach remotes over ssh. Everything else (model keys, forge tokens, NODE_OPTIONS, GIT_DIR or
 * GIT_CONFIG_* leaking from a hook) stays out: a hook or helper git starts sees none of the server's
 * secrets. A token reaches git only as a header, for the one command that needs it (secretConfig).
 */
const INHERITED_VARS = [
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'GIT_SSL_CAINFO',
  'GIT_SSL_CAPATH',
  'GIT_SSH',
  'GIT_SSH_COMMAND',
  'GIT_EXEC_PATH',
  'SSH_AUTH_SOCK',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
] as const;

/** Hardening put in front of every command, as `-c` options (or as GIT_CONFIG_* for a git others start). */
const HARDENING_CONFIG: readonly string[] = [
  'protocol.allow=never',
  ...ALLOWED_PROTOCOLS.map((p) => `protocol.${p}.allow=always`),
  // No helper may prompt or hand out a stored password: a token, when needed, comes as a header.
  'credential.helper=',
  'core.askPass=',
  // Hooks of the host user or of a repository never run inside autodev.
  'core.hooksPath=/dev/null',
  'core.fsmonitor=false',
  // A dumb-HTTP remote's objects/info/http-alternates would send the fetch to any other host; git
  // follows them only with followRedirects=true, so it is pinned to the default ("initial": the
  // first request's redirect only, which a renamed repo needs).
  'http.followRedirects=initial',
  // Submodule URLs come from .gitmodules, a file of the (untrusted) work tree: never followed.
  'submodule.recurse=false',
  'fetch.recurseSubmodules=false',
  'push.recurseSubmodules=no',
  // No background `gc --auto` outliving the command (and the server).
  'gc.autoDetach=false',
  'maintenance.auto=false',
  'commit.gpgSign=false',
  'tag.gpgSign=false',
  'advice.detachedHead=false',
  'init.defaultBranch=main',
];
const HARDENING = HARDENING_CONFIG.flatMap((kv) => ['-c', kv]);

/** Replaces `user:password@` in URLs and each listed secret with `***`. */
export function redactGitText(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, '$1***@');
  for (const secret of secrets) {
    if (secret.length > 0) out = out.split(secret).join('***');
  }
  return out;
}

function buildEnv(
  base: Readonly<Record<string, string | undefined>>,
  options: GitRunOptions,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of INHERITED_VARS) {
    const value = base[key];
    if (value !== undefined) env[key] = value;
  }
  env.GIT_TERMINAL_PROMPT = '0';
  // An empty GIT_ASKPASS stops git from falling back to SSH_ASKPASS or a terminal prompt.
  env.GIT_ASKPASS = '';
  env.GIT_ALLOW_PROTOCOL = ALLOWED_PROTOCOLS.join(':');
  // The config git obeys is the repository's (autodev's mirror) and the -c options above: not the host
  // user's ~/.gitconfig or /etc/gitconfig, whose filters (git-lfs), credential helpers or includes
  // autodev does not control.
  env.GIT_CONFIG_NOSYSTEM = '1';
  env.GIT_CONFIG_GLOBAL = '/dev/null';
  // ssh must fail instead of asking for a passphrase or a host key confirmation.
  if (env.GIT_SSH_COMMAND === undefined && env.GIT_SSH === undefined)
    env.GIT_SSH_COMMAND = 'ssh -o BatchMode=yes';
  env.LC_ALL = 'C';
  if (options.worktree) {
    env.GIT_DIR = options.worktree.gitDir;
    env.GIT_WORK_TREE = options.worktree.workTree;
  }
  if (options.indexFile !== undefined) env.GIT_INDEX_FILE = options.indexFile;
  if (options.commitDate) {
    env.GIT_AUTHOR_DATE = options.commitDate;
    env.GIT_COMMITTER_DATE = options.commitDate;
  }
  const entries = Object.entries(options.secretConfig ?? {});
  if (entries.length > 0) {
    env.GIT_CONFIG_COUNT = String(entries.length);
    entries.forEach(([key, value], i) => {
      env[`GIT_CONFIG_KEY_${i}`] = key;
      env[`GIT_CONFIG_VALUE_${i}`] = value;
    });
  }
  return env;
}

/**
 * The environment of a git autodev does not start itself (gitleaks runs `git log -p`): the same
 * allow-listed variables, no host or user config, and the hardening as GIT_CONFIG_* entries. A host
 * user's ~/.gitconfig naming a global attributes file that said `*.env -diff` hid a file's secrets
 * from the scan's git while autodev's own git called the file text.
 */
export function hardenedGitEnv(base: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const env = buildEnv(base, {});
  env.GIT_CONFIG_COUNT = String(HARDENING_CONFIG.length);
  HARDENING_CONFIG.forEach((kv, i) => {
    const at = kv.indexOf('=');
    env[`GIT_CONFIG_KEY_${String(i)}`] = kv.slice(0, at);
    env[`GIT_CONFIG_VALUE_${String(i)}`] = kv.slice(at + 1);
  });
  return env;
}

function subcommand(args: readonly string[]): string {
  return args.find((a) => !a.startsWith('-')) ?? 'git';
}

function abortError(signal: AbortSignal): AutodevError {
  const reason: unknown = signal.reason;
  if (isAutodevError(reason)) return reason;
  return new AutodevError('TASK_CANCELLED', 'git was cancelled', { cause: reason });
}

/** A git process started with autodev's hardening and environment, its pipes left to the caller. */
export type StartGit = (args: readonly string[], options?: GitRunOptions) => ChildProcessWithoutNullStreams;

/**
 * Starts git as every autodev git runs: the hardening options, the allow-listed environment, killed
 * with the server (setpriv), in a process group of its own. For the long-lived `cat-file` a mirror
 * keeps; one-shot commands go through createGitRunner, which starts them here too.
 */
export function createGitStarter(deps: Pick<GitRunnerDeps, 'env' | 'gitPath'>): StartGit {
  const gitPath = deps.gitPath ?? 'git';
  const launcher = dieWithParentPrefix(deps.env.PATH);
  return (args, options = {}) => {
    const [program, ...argv] = [...launcher, gitPath, ...HARDENING, ...args];
    return spawn(program ?? gitPath, argv, {
      cwd: options.worktree?.workTree ?? options.cwd,
      env: buildEnv(deps.env, options),
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
  };
}

/** The one way autodev runs git: argv only, hardened config, no prompts, errors as AutodevError. */
export function createGitRunner(deps: GitRunnerDeps): RunGit {
  const gitPath = deps.gitPath ?? 'git';
  const maxOutput = deps.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  const launcher = dieWithParentPrefix(deps.env.PATH);
  const startGit = createGitStarter(deps);

  return (args, options = {}) => {
    const { signal } = options;
    const secrets = Object.values(options.secretConfig ?? {});
    if (signal?.aborted) return Promise.reject(abortError(signal));

    return new Promise<GitResult>((resolve, reject) => {
      // Its own process group, so stopping git stops what git started too: a push's receive-pack and
      // the remote's hooks (a local remote runs them on this host), which would otherwise hold the
      // pipes open, keep the task waiting, and could still update the remote's ref after a cancel.
      const child = startGit(args, options);
      const killTree = (): void => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // The group is gone already.
        }
      };
      signal?.addEventListener('abort', killTree, { once: true });
      child.on('close', () => signal?.removeEventListener('abort', killTree));
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const size = { out: 0, err: 0 };
      let overflow = false;
      const collect = (which: 'out' | 'err', chunk: Buffer): void => {
        size[which] += chunk.length;
        if (size[which] > maxOutput) {
          overflow = true;
          killTree();
          return;
        }
        (which === 'out' ? out : err).push(chunk);
      };
      child.stdout.on('data', (chunk: Buffer) => collect('out', chunk));
      child.stderr.on('data', (chunk: Buffer) => collect('err', chunk));
      // git may exit before reading all its input (e.g. a bad option); that is reported by the exit code.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);

      child.on('error', (error: NodeJS.ErrnoException) => {
        if (signal?.aborted) return reject(abortError(signal));
        // spawn says ENOENT for a missing working folder too: that is no missing git.
        const cwd = options.worktree?.workTree ?? options.cwd;
        if (error.code === 'ENOENT' && cwd !== undefined && !existsSync(cwd)) {
          return reject(
            new AutodevError('GIT_FAILED', `git ${subcommand(args)}: the folder ${cwd} does not exist`, {
              cause: error,
            }),
          );
        }
        if (error.code === 'ENOENT') {
          return reject(
            new AutodevError('COMMAND_NOT_FOUND', `git not found (${gitPath})`, { cause: error }),
          );
        }
        reject(new AutodevError('GIT_FAILED', `git ${subcommand(args)}: ${error.message}`, { cause: error }));
      });
      child.on('close', (code) => {
        if (signal?.aborted) return reject(abortError(signal));
        const stdout = Buffer.concat(out).toString('utf8');
        const stderr = redactGitText(Buffer.concat(err).toString('utf8'), secrets);
        if (overflow) {
          return reject(
            new AutodevError('GIT_FAILED', `git ${subcommand(args)}: output exceeded ${maxOutput} bytes`),
          );
        }
        const exitCode = code ?? -1;
        if (launcher.length > 0 && exitCode === LAUNCH_FAILED_EXIT && LAUNCH_FAILED_MESSAGE.test(stderr)) {
          return reject(new AutodevError('COMMAND_NOT_FOUND', `git not found (${gitPath})`));
        }
        if (exitCode === 0 || options.okExitCodes?.includes(exitCode)) {
          return resolve({ stdout, stderr, exitCode });
        }
        const reason = stderr.trim() || `exit code ${exitCode}`;
        if (GIT_AUTH_FAILURE.test(stderr)) {
          const hint = deps.authHint ?? 'the remote needs credentials autodev was not given';
          return reject(
            new AutodevError(
              'FORGE_AUTH',
              `git ${subcommand(args)}: the remote refused the credentials: ${hint} (git: ${reason})`,
              {
                details: { args: args.map((a) => redactGitText(a, secrets)), exitCode, stderr },
              },
            ),
          );
        }
        reject(
          new AutodevError(options.errorCode ?? 'GIT_FAILED', `git ${subcommand(args)} failed: ${reason}`, {
            details: { args: args.map((a) => redactGitText(a, secrets)), exitCode, stderr },
          }),
        );
      });
    });
  };
}
