import { AutodevError } from '../errors.js';
import type { AutodevConfig } from './schema.js';

/**
 * What `autodev serve` refuses to start with: a user whose token is missing (nobody could act as
 * them, and a typo would leave reviews silently ignored), one token for two identities, and an open
 * API while untrusted code runs with network (setup_network: a repository's setup script could reach
 * autodev on loopback and approve, merge or submit as anyone).
 */
export function assertServeSafe(config: AutodevConfig): void {
  const problems: string[] = [];
  const owners = new Map<string, string>();
  const claim = (token: string, who: string) => {
    const first = owners.get(token);
    if (first !== undefined)
      problems.push(`${who} has the same token as ${first}: one token is one identity`);
    else owners.set(token, who);
  };
  config.secrets.users.forEach((user, index) => {
    const key = `autodev.auth.users[${index}].token_env = ${JSON.stringify(user.token_env)}`;
    if (user.token === undefined) {
      problems.push(
        `${key}: environment variable ${user.token_env} is not set (the bearer token of ${user.name})`,
      );
    } else {
      claim(user.token, `autodev.auth.users[${index}] (${user.name})`);
    }
  });
  config.secrets.apiTokens.forEach((token, index) => claim(token, `AUTODEV_API_TOKENS entry ${index + 1}`));
  if (config.setup_network && config.secrets.apiTokens.length === 0 && config.secrets.users.length === 0) {
    problems.push(
      '[autodev] setup_network = true with no API tokens: setup scripts run with network and could reach this API ' +
        'unauthenticated (approve, merge, submit tasks); configure [[autodev.auth.users]] (name, token_env, roles) ' +
        'or AUTODEV_API_TOKENS, or set setup_network = false',
    );
  }
  if (problems.length > 0) {
    throw new AutodevError('CONFIG_INVALID', `refusing to start: ${problems.join('; ')}`, {
      details: problems,
    });
  }
}
