import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { bearerToken, isApiRoute } from './auth.js';

/**
 * The key a request is counted under: its token when it is one of the configured tokens, else the
 * client address. Keying on any presented token would let a client rotate made-up tokens (or, with no
 * tokens configured, any `Bearer` header) to get a fresh budget each time.
 */
export function createClientKey(tokens: readonly string[]): (request: FastifyRequest) => string {
  const known = new Set(tokens.map(digestHex));
  return (request) => {
    const presented = bearerToken(request);
    const hashed = presented === undefined ? undefined : digestHex(presented);
    // The digest, not the token, is kept in the limiter's store.
    return hashed !== undefined && known.has(hashed) ? `token:${hashed}` : `ip:${request.ip}`;
  };
}

/**
 * Rate limit for every /api route, installed BEFORE bearer auth: a request with a wrong token is
 * counted (by address) and refused with 429 once over budget, so guessing tokens is limited too.
 */
export async function installRateLimit(
  app: FastifyInstance,
  options: { perMinute: number; tokens: readonly string[] },
): Promise<void> {
  if (options.perMinute <= 0) return;
  await app.register(rateLimit, {
    global: false,
    max: options.perMinute,
    timeWindow: 60_000,
    keyGenerator: createClientKey(options.tokens),
  });
  const limit = app.rateLimit();
  app.addHook('onRequest', async function (request, reply) {
    if (isApiRoute(request)) await limit.call(this, request, reply);
  });
}

function digestHex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
