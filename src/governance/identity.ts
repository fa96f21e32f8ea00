import { createHash, timingSafeEqual } from 'node:crypto';
import type { AuthRole, Secrets } from '../config/schema.js';

/**
 * Who makes a request. A `user` is a person of `[[autodev.auth.users]]`, known by their token; their
 * acts are recorded under their name. A `service` token (AUTODEV_API_TOKENS) names no one: it may
 * submit, read, cancel, revert, merge (which only enacts what the reviews already allow) and close,
 * but not approve or override, and its comments are recorded and ignored. `anonymous` is every
 * caller of a server with no tokens at all: the same, and nothing that needs an identity.
 */
export type Caller =
  { kind: 'user'; name: string; roles: readonly AuthRole[] } | { kind: 'service' } | { kind: 'anonymous' };

export const ANONYMOUS: Caller = { kind: 'anonymous' };

/** How a caller is shown in the audit trail when it is not a named user. */
export function callerLabel(caller: Caller): string {
  return caller.kind === 'user' ? caller.name : caller.kind === 'service' ? 'api-token' : 'anonymous';
}

export interface IdentityResolver {
  /** Whether any token is configured: then every API request must present one. */
  readonly required: boolean;
  /** The caller a presented token identifies; undefined for a token nobody configured. */
  resolve(token: string | undefined): Caller | undefined;
}

/**
 * Resolves bearer tokens to callers. Tokens are compared as SHA-256 digests with timingSafeEqual:
 * equal length always, every candidate compared, nothing learned from timing.
 */
export function createIdentityResolver(secrets: Pick<Secrets, 'apiTokens' | 'users'>): IdentityResolver {
  const candidates: { digest: Buffer; caller: Caller }[] = [
    ...secrets.users.flatMap((user) =>
      user.token === undefined
        ? []
        : [
            {
              digest: digest(user.token),
              caller: { kind: 'user', name: user.name, roles: user.roles } as const,
            },
          ],
    ),
    ...secrets.apiTokens.map((token) => ({ digest: digest(token), caller: { kind: 'service' } as const })),
  ];
  const required = candidates.length > 0;
  return {
    required,
    resolve(token) {
      if (!required) return ANONYMOUS;
      if (token === undefined) return undefined;
      const presented = digest(token);
      let found: Caller | undefined;
      for (const candidate of candidates) {
        if (timingSafeEqual(presented, candidate.digest) && found === undefined) found = candidate.caller;
      }
      return found;
    },
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
