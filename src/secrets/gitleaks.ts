import type { GitWorktree } from '../workspace/run-git.js';
import { join } from 'node:path';
import { z } from 'zod';
import { AutodevError } from '../errors.js';
import { spawnCapped } from '../sandbox/spawn-capped.js';
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
}): SecretScanner {
  const gitDirOf = async (dir: string, signal?: AbortSignal): Promise<string> => {
    const recorded = await deps.locate?.(dir);
    if (recorded) return recorded.gitDir;
    const result = await spawnCapped({
      argv: ['git', 'rev-parse', '--absolute-git-dir'],
      cwd: dir,
      env: deps.env,
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
      const result = await withGitleaksRules((rulesDir) =>
        spawnCapped({
          argv: [
            deps.binary,
            'git',
            `--config=${join(rulesDir, GITLEAKS_CONFIG_FILE)}`,
            `--gitleaks-ignore-path=${rulesDir}`,
            '--ignore-gitleaks-allow',
            `--log-opts=${base}..HEAD`,
            '--report-format=json',
            '--report-path=-',
            '--redact',
            '--no-banner',
            '--exit-code=0',
            '--log-level=error',
            rulesDir,
          ],
          cwd: rulesDir,
          env: { ...deps.env, GIT_DIR: gitDir },
          timeoutMs: SCAN_TIMEOUT_MS,
          signal,
          maxOutputBytes: 16 * 1024 * 1024,
        }),
      );
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
      return parsed.data.map((f) => ({ rule: f.RuleID, file: f.File, line: f.StartLine, commit: f.Commit }));
    },
  };
}

/** A report cut at the output cap is not JSON: undefined, which the schema then refuses. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
