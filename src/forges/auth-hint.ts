import { forgeTokenEnv } from '../config/load.js';
import type { AutodevConfig } from '../config/schema.js';
import { AutodevError, isAutodevError } from '../errors.js';
import type { Forge } from './types.js';

/**
 * What to change when the forge (its API or its git remote) refuses autodev's credentials, for
 * FORGE_AUTH messages: the variable holding the token and the key naming it. The local forge sends none.
 */
export function gitAuthHint(config: AutodevConfig): string {
  if (config.provider === 'local') {
    return 'provider = "local" sends no token: give a repository git reads without credentials, or set [autodev] provider to its forge and the token in [autodev.git] <forge>_token_env';
  }
  const env = forgeTokenEnv(config);
  const key = `[autodev.git] ${config.provider}_token_env`;
  return config.secrets.forgeToken === undefined
    ? `${env} is not set: set it to a ${config.provider} token with access to the repository (the variable is named by ${key})`
    : `the token in ${env} (named by ${key}) is wrong or has no access to the repository`;
}

function withHint(error: unknown, hint: string): unknown {
  if (!isAutodevError(error, 'FORGE_AUTH') || error.message.includes(hint)) return error;
  return new AutodevError('FORGE_AUTH', `${error.message}: ${hint}`, {
    details: error.details,
    cause: error,
  });
}

/**
 * The forge with every FORGE_AUTH its API calls raise ending in `hint`: each forge knows the status,
 * only the config knows which variable the token came from.
 */
export function withAuthHint(forge: Forge, hint: string): Forge {
  return new Proxy(forge, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        try {
          const result: unknown = Reflect.apply(value, target, args);
          return result instanceof Promise
            ? result.catch((error: unknown) => Promise.reject(withHint(error, hint)))
            : result;
        } catch (error) {
          throw withHint(error, hint);
        }
      };
    },
  });
}
