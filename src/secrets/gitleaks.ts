import { hardenedGitEnv, type GitWorktree } from '../workspace/run-git.js';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { AutodevError } from '../errors.js';
import { spawnCapped } from '../sandbox/spawn-capped.js';
import {
  changedBinaryFiles,
  decodeBinaryFiles,
  scanGitEnv,
  UNSCANNABLE_RULE,
  type BinaryFile,
} from './binary-files.js';
import { GITLEAKS_CONFIG_FILE, withGitleaksRules } from './gitleaks-rules.js';

/** A secret found in a change: where and which rule, never the secret itself. */
export interface SecretFinding {
  rule: string;
  file: string;
  line: number;
  commit: string;
}

export interface SecretScanner {
  /** Scans the commits `base..HEAD` of the worktree at `dir`. */
  scanCommits(dir: string, base: string, signal?: AbortSignal): Promise<SecretFinding[]>;
}

const findingSchema = z.object({
  RuleID: z.string(),
  File: z.string(),
  StartLine: z.number(),
  Commit: z.string(),
});

const SCAN_TIMEOUT_MS = 300_000;

/**
 * gitleaks (pinned, installed by `npm run setup` into .tools/bin) over the task's commits. It reads git
 * objects only and runs no code of the repo, so it runs on the host. `--redact` keeps the secret out of
 * its report, so it cannot reach autodev's store even by mistake.
 *
 * The change under scan must not be able to switch the scan off: gitleaks runs with autodev's rules
 * (--config), ignores `gitleaks:allow` comments (--ignore-gitleaks-allow), and runs from a directory
 * of autodev's, with git pointed at the workspace's repository through GIT_DIR, so that neither a
 * `.gitleaks.toml` nor a `.gitleaksignore` of the workspace is read.
 */
export function createGitleaksScanner(deps: {
  binary: string;
  env: Readonly<Record<string, string>>;
  /**
   * The workspace's git dir from autodev's records (the workspace manager): the worktree's `.git`
   * file was writable by the sandboxed build. Undefined for a checkout autodev did not prepare.
   */
  locate?: (dir: string) => Promise<GitWorktree | undefined>;
  /**
   * The binary files of the change without a git process (WorkspaceGit.changedBinaryFiles), or
   * undefined when it cannot tell: `git diff --numstat` is run then.
   */
  changedBinaryFiles?: (dir: string, base: string) => Promise<BinaryFile[] | undefined>;
}): SecretScanner {
  const gitDirOf = async (dir: string, signal?: AbortSignal): Promise<string> => {
    const recorded = await deps.locate?.(dir);
    if (recorded) return recorded.gitDir;
    const result = await spawnCapped({
      argv: ['git', 'rev-parse', '--absolute-git-dir'],
      cwd: dir,
      env: hardenedGitEnv(deps.env),
      timeoutMs: 30_000,
      signal,
    });
    const gitDir = result.stdout.trim();
    if (result.exitCode !== 0 || gitDir === '') {
      throw new AutodevError('GIT_FAILED', `${dir} is not a git worktree: ${result.stderr.slice(-500)}`);
    }
    return gitDir;
  };

  return {
    async scanCommits(dir, base, signal) {
      if (!/^[0-9a-f]{7,64}$/.test(base))
        throw new AutodevError('VALIDATION_FAILED', `not a commit id: ${base}`);
      const gitDir = await gitDirOf(dir, signal);
      return withGitleaksRules(async (rulesDir) => {
        const config = join(rulesDir, GITLEAKS_CONFIG_FILE);
        const common = [
          `--config=${config}`,
          `--gitleaks-ignore-path=${rulesDir}`,
          '--ignore-gitleaks-allow',
          '--report-format=json',
          '--report-path=-',
          '--redact',
          '--no-banner',
          '--exit-code=0',
          '--log-level=error',
        ];
        const inCommits = await runGitleaks(
          // No platform: gitleaks would ask git for the remote's url (one more process) to build
          // links that autodev's findings do not carry.
          [deps.binary, 'git', ...common, '--platform=none', `--log-opts=${base}..HEAD`, rulesDir],
          { cwd: rulesDir, env: { ...scanGitEnv(deps.env, base), GIT_DIR: gitDir }, signal },
        );
        const found = inCommits.map((f) => ({
          rule: f.RuleID,
          file: f.File,
          line: f.StartLine,
          commit: f.Commit,
        }));
        const known = await deps.changedBinaryFiles?.(dir, base);
        return [...found, ...(await scanBinaryFiles(deps, common, rulesDir, gitDir, base, signal, known))];
      });
    },
  };
}

/**
 * The bytes of the binary files the change added or changed (gitleaks' git mode skips them: a
 * `deploy.env` behind a NUL merged with three keys in it), decoded and scanned with the same rules
 * in gitleaks' `dir` mode. A file too large to read is a finding: what cannot be scanned is not pushed.
 */
async function scanBinaryFiles(
  deps: { binary: string; env: Readonly<Record<string, string>> },
  common: string[],
  rulesDir: string,
  gitDir: string,
  base: string,
  signal: AbortSignal | undefined,
  known: BinaryFile[] | undefined,
): Promise<SecretFinding[]> {
  const git = { env: scanGitEnv(deps.env, base), gitDir, ...(signal ? { signal } : {}) };
  const files = known ?? (await changedBinaryFiles(git, base));
  if (files.length === 0) return [];
  const head = await headCommit(git);
  const folder = join(rulesDir, 'binary');
  const { decoded, unscannable } = await decodeBinaryFiles(git, files, folder);
  const findings: SecretFinding[] = unscannable.map((file) => ({
    rule: UNSCANNABLE_RULE,
    file,
    line: 0,
    commit: head,
  }));
  if (decoded.length === 0) return findings;
  const byName = new Map(decoded.map((d) => [d.name, d.path]));
  const report = await runGitleaks([deps.binary, 'dir', ...common, folder], {
    cwd: rulesDir,
    env: { ...deps.env },
    signal,
  });
  for (const f of report) {
    const path = byName.get(basename(f.File));
    if (path !== undefined) findings.push({ rule: f.RuleID, file: path, line: f.StartLine, commit: head });
  }
  return findings;
}

async function headCommit(git: { env: Readonly<Record<string, string>>; gitDir: string }): Promise<string> {
  const result = await spawnCapped({
    argv: ['git', 'rev-parse', 'HEAD'],
    cwd: git.gitDir,
    env: { ...git.env, GIT_DIR: git.gitDir },
    timeoutMs: 30_000,
  });
  return result.stdout.trim();
}

/** One gitleaks run, its JSON report read; COMMAND_FAILED when it fails or prints what cannot be read. */
async function runGitleaks(
  argv: string[],
  options: { cwd: string; env: Readonly<Record<string, string>>; signal: AbortSignal | undefined },
): Promise<z.infer<typeof findingSchema>[]> {
  const result = await spawnCapped({
    argv,
    cwd: options.cwd,
    env: options.env,
    timeoutMs: SCAN_TIMEOUT_MS,
    signal: options.signal,
    maxOutputBytes: 16 * 1024 * 1024,
  });
  if (result.cancelled) throw new AutodevError('TASK_CANCELLED', 'cancelled during the secrets scan');
  if (result.exitCode !== 0 || result.timedOut) {
    throw new AutodevError(
      'COMMAND_FAILED',
      `gitleaks failed (exit ${String(result.exitCode)}): ${result.stderr.slice(-500)}`,
    );
  }
  const parsed = z.array(findingSchema).safeParse(parseJson(result.stdout || '[]'));
  if (!parsed.success)
    throw new AutodevError('COMMAND_FAILED', 'gitleaks printed a report autodev cannot read');
  return parsed.data;
}

/** A report cut at the output cap is not JSON: undefined, which the schema then refuses. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
