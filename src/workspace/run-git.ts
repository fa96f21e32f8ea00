import { spawn } from 'node:child_process';
import { AutodevError, isAutodevError, type ErrorCode } from '../errors.js';

/** Transports git may use, for the repo and for submodules alike; `ext::` (runs a command) never. */
export const ALLOWED_PROTOCOLS = ['file', 'https', 'http', 'ssh', 'git'] as const;

export interface GitRunOptions {
  cwd?: string;
  /** Written to git's stdin (a patch, a commit message, a fast-import stream). */
  input?: string | Buffer;
  signal?: AbortSignal;
  /**
   * Config values that must not show in argv (ps, logs): passed through GIT_CONFIG_COUNT/KEY/VALUE,
   * and their values are redacted from any error message.
   */
  secretConfig?: Record<string, string>;
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
}

const DEFAULT_MAX_OUTPUT = 256 * 1024 * 1024;

// Variables a caller's environment may legitimately pass to git: how to reach remotes.
// Every other GIT_* is dropped: GIT_DIR / GIT_INDEX_FILE leaking from a hook would make git act on
// another repository, and GIT_CONFIG_* / GIT_ASKPASS would undo the hardening below.
const KEPT_GIT_VARS = new Set([
  'GIT_SSH',
  'GIT_SSH_COMMAND',
  'GIT_SSL_CAINFO',
  'GIT_SSL_CAPATH',
  'GIT_EXEC_PATH',
]);

/** Hardening put in front of every command, as `-c` options. */
const HARDENING: readonly string[] = [
  'protocol.allow=never',
  ...ALLOWED_PROTOCOLS.map((p) => `protocol.${p}.allow=always`),
  // No helper may prompt or hand out a stored password: a token, when needed, comes as a header.
  'credential.helper=',
  'core.askPass=',
  // Hooks of the host user or of a repository never run inside autodev.
  'core.hooksPath=/dev/null',
  'core.fsmonitor=false',
  'commit.gpgSign=false',
  'tag.gpgSign=false',
  'advice.detachedHead=false',
  'init.defaultBranch=main',
].flatMap((kv) => ['-c', kv]);

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
  secretConfig: Record<string, string> | undefined,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) {
    if (value === undefined) continue;
    if (key.startsWith('GIT_') && !KEPT_GIT_VARS.has(key)) continue;
    if (key === 'SSH_ASKPASS') continue;
    env[key] = value;
  }
  env.GIT_TERMINAL_PROMPT = '0';
  // An empty GIT_ASKPASS stops git from falling back to SSH_ASKPASS or a terminal prompt.
  env.GIT_ASKPASS = '';
  env.GIT_ALLOW_PROTOCOL = ALLOWED_PROTOCOLS.join(':');
  // ssh must fail instead of asking for a passphrase or a host key confirmation.
  if (env.GIT_SSH_COMMAND === undefined && env.GIT_SSH === undefined)
    env.GIT_SSH_COMMAND = 'ssh -o BatchMode=yes';
  env.LC_ALL = 'C';
  const entries = Object.entries(secretConfig ?? {});
  if (entries.length > 0) {
    env.GIT_CONFIG_COUNT = String(entries.length);
    entries.forEach(([key, value], i) => {
      env[`GIT_CONFIG_KEY_${i}`] = key;
      env[`GIT_CONFIG_VALUE_${i}`] = value;
    });
  }
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

/** The one way autodev runs git: argv only, hardened config, no prompts, errors as AutodevError. */
export function createGitRunner(deps: GitRunnerDeps): RunGit {
  const gitPath = deps.gitPath ?? 'git';
  const maxOutput = deps.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;

  return (args, options = {}) => {
    const { signal } = options;
    const secrets = Object.values(options.secretConfig ?? {});
    if (signal?.aborted) return Promise.reject(abortError(signal));

    return new Promise<GitResult>((resolve, reject) => {
      const child = spawn(gitPath, [...HARDENING, ...args], {
        cwd: options.cwd,
        env: {
          ...buildEnv(deps.env, options.secretConfig),
          ...(options.commitDate
            ? { GIT_AUTHOR_DATE: options.commitDate, GIT_COMMITTER_DATE: options.commitDate }
            : {}),
        },
        stdio: ['pipe', 'pipe', 'pipe'],
        signal,
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const size = { out: 0, err: 0 };
      let overflow = false;
      const collect = (which: 'out' | 'err', chunk: Buffer): void => {
        size[which] += chunk.length;
        if (size[which] > maxOutput) {
          overflow = true;
          child.kill('SIGKILL');
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
        if (exitCode === 0 || options.okExitCodes?.includes(exitCode)) {
          return resolve({ stdout, stderr, exitCode });
        }
        const reason = stderr.trim() || `exit code ${exitCode}`;
        reject(
          new AutodevError(options.errorCode ?? 'GIT_FAILED', `git ${subcommand(args)} failed: ${reason}`, {
            details: { args: args.map((a) => redactGitText(a, secrets)), exitCode, stderr },
          }),
        );
      });
    });
  };
}
