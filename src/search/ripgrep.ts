import { z } from 'zod';
import { AutodevError } from '../errors.js';
import { spawnCapped } from '../sandbox/spawn-capped.js';
import { resolveSearchTarget } from './paths.js';
import type { RepoSearch, SearchMatch } from './types.js';

const TIMEOUT_MS = 60_000;
const MAX_OUTPUT = 8 * 1024 * 1024;

/** One line of `rg --json`: only "match" records matter here. */
const rgMatchLine = z.object({
  type: z.literal('match'),
  data: z.object({
    path: z.object({ text: z.string() }),
    line_number: z.number(),
    lines: z.object({ text: z.string().optional() }),
  }),
});

/**
 * Flags every run starts with. The repository is hostile: `--no-config` so RIPGREP_CONFIG_PATH (or a
 * config it points at) cannot add flags such as `--follow` or `--pre`; `--no-follow` so a link met
 * while walking is never entered, whatever else is set.
 */
const SAFE_FLAGS = ['--no-config', '--no-follow'];

/** repo_search and file_list over ripgrep (Debian package ripgrep): fast, and it honours .gitignore. */
export function createRipgrepSearch(deps: { env: Readonly<Record<string, string>> }): RepoSearch {
  const run = async (dir: string, args: string[], signal?: AbortSignal) => {
    const result = await spawnCapped({
      argv: ['rg', ...SAFE_FLAGS, ...args],
      cwd: dir,
      env: deps.env,
      timeoutMs: TIMEOUT_MS,
      signal,
      maxOutputBytes: MAX_OUTPUT,
    });
    // rg exits 1 when nothing matched; 2 is a real error (bad pattern, unreadable path).
    if (result.exitCode !== 0 && result.exitCode !== 1) {
      throw new AutodevError('VALIDATION_FAILED', `ripgrep failed: ${result.stderr.trim().slice(0, 500)}`);
    }
    return result;
  };

  return {
    async listFiles(dir, options = {}) {
      const max = options.max ?? 5000;
      const { cwd, target } = await resolveSearchTarget(dir, options.path);
      const result = await run(
        cwd,
        ['--files', '--hidden', '--glob', '!.git', '--sort', 'path', '--', target],
        options.signal,
      );
      const all = result.stdout
        .split('\n')
        .filter((f) => f.length > 0)
        .map((f) => f.replace(/^\.\//, ''));
      return { files: all.slice(0, max), truncated: all.length > max || result.truncated };
    },

    async search(dir, pattern, options = {}) {
      const max = options.maxResults ?? 200;
      const { cwd, target } = await resolveSearchTarget(dir, options.path);
      const args = ['--json', '--hidden', '--glob', '!.git', '--sort', 'path'];
      if (options.fixedStrings) args.push('--fixed-strings');
      args.push('--regexp', pattern, '--', target);
      const result = await run(cwd, args, options.signal);
      const matches: SearchMatch[] = [];
      let more = result.truncated;
      for (const line of result.stdout.split('\n')) {
        if (!line.startsWith('{"type":"match"')) continue;
        const parsed = rgMatchLine.safeParse(JSON.parse(line));
        if (!parsed.success) continue;
        if (matches.length >= max) {
          more = true;
          break;
        }
        matches.push({
          file: parsed.data.data.path.text.replace(/^\.\//, ''),
          line: parsed.data.data.line_number,
          text: (parsed.data.data.lines.text ?? '').replace(/\n$/, '').slice(0, 500),
        });
      }
      return { matches, truncated: more };
    },
  };
}
