import { createForge, gitAuthHint } from '../forges/index.js';
import { isAutodevError } from '../errors.js';
import { gitAuthConfig, isLoopbackHost } from '../workspace/token-transport.js';
import type { CheckResult, DoctorCheck, DoctorContext } from './types.js';

const GLOB = /[*?[\]{}()!+@]/;
/** At most this many listed repos are probed: a long allowlist must not hold start-up. */
const MAX_PROBED_REPOS = 5;

/**
 * The forge: a hosted one has its token and reviewers, and the token opens the repositories the
 * allowlist names one by one (`git ls-remote`, the way tasks fetch). Globs name no repo to try.
 */
export const forgeCheck: DoctorCheck = {
  name: 'forge',
  async run(context) {
    const { config } = context;
    if (config.provider === 'local') {
      return [
        { name: 'forge', status: 'ok', message: 'the local forge: autodev keeps pull requests itself' },
      ];
    }
    const results: CheckResult[] = [];
    if (config.secrets.forgeToken === undefined) {
      results.push({ name: 'forge.token', status: 'fail', message: gitAuthHint(config) });
    }
    if (config.git.reviewers.length === 0) {
      results.push({
        name: 'forge.reviewers',
        status: 'warn',
        message: `[autodev.git] reviewers is empty: on ${config.provider} a review counts only as the forge's own review by an account with write permission on the repository (approvals through autodev's API are refused); list the logins whose reviews count to choose them yourself`,
      });
    }
    const repos = config.allowlist_repos.map(repoUrlOf).filter((url) => url !== undefined);
    for (const url of repos.slice(0, MAX_PROBED_REPOS)) results.push(await probeRepo(context, url));
    if (config.secrets.forgeToken !== undefined && repos.length === 0) {
      results.push({
        name: 'forge.token',
        status: 'ok',
        message: `set; allowlist_repos names no single repository, so it is first tried by a task`,
      });
    }
    return results;
  },
};

/** The clone URL of an allowlist entry naming one remote repo (`host[:port]/owner/name`), else undefined. */
function repoUrlOf(entry: string): string | undefined {
  const trimmed = entry.trim();
  if (trimmed.startsWith('/') || GLOB.test(trimmed)) return undefined;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return trimmed;
  if (/[@]/.test(trimmed) || !/^[^/]+\/[^/]+\/.+/.test(trimmed)) return undefined;
  const host = trimmed.split('/')[0] ?? '';
  const scheme = isLoopbackHost(host.replace(/:\d+$/, '')) ? 'http' : 'https';
  return `${scheme}://${trimmed}`;
}

async function probeRepo({ config, runGit, timeoutMs }: DoctorContext, url: string): Promise<CheckResult> {
  // Only the local forge (never probed) uses the deps; a hosted one is asked for its git credentials.
  const forge = await createForge(config, {} as Parameters<typeof createForge>[1]);
  try {
    const secretConfig = gitAuthConfig(url, forge.gitAuth());
    await runGit(['ls-remote', '--heads', '--end-of-options', url], {
      signal: AbortSignal.timeout(timeoutMs),
      ...(secretConfig ? { secretConfig } : {}),
    });
    return { name: 'forge.repo', status: 'ok', message: `${url}: readable with the configured token` };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      name: 'forge.repo',
      status: isAutodevError(error, 'FORGE_AUTH') ? 'fail' : 'warn',
      message: `${url}: ${message.slice(0, 600)}`,
    };
  }
}
