import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AutodevError } from '../errors.js';

/**
 * Bearer-token auth for /api routes when AUTODEV_API_TOKENS is set. Tokens are compared as SHA-256
 * digests with timingSafeEqual: equal length always, no early exit, nothing learned from timing.
 */
export function installBearerAuth(app: FastifyInstance, tokens: readonly string[]): void {
  if (tokens.length === 0) return;
  const digests = tokens.map(digest);
  app.addHook('onRequest', async (request) => {
    // Forges cannot send the token: webhooks are verified by their signature instead (routes/webhooks.ts).
    if (!isApiRoute(request) || isWebhookRoute(request)) return;
    const presented = bearerToken(request);
    const ok = presented !== undefined && matchesAny(digest(presented), digests);
    if (!ok) {
      throw new AutodevError(
        'UNAUTHORIZED',
        'missing or invalid bearer token (Authorization: Bearer <token>)',
      );
    }
  });
}

/**
 * Whether a request is an API call (token needed, rate limited). Decided on the route fastify matched, not on the raw URL: the router decodes the path, so
 * `/%61pi/v1/...` reaches an /api route while its raw URL does not start with `/api/`. Requests that
 * match no route are judged by their URL only to answer 401 rather than 404 under /api.
 */
export function isApiRoute(request: FastifyRequest): boolean {
  const route: string | undefined = request.routeOptions.url;
  const path = route ?? request.url;
  return path.startsWith('/api/') && path !== PUBLIC_API_ROUTE;
}

/** Webhooks: rate limited like the API, authenticated by their forge's signature, not a token. */
export function isWebhookRoute(request: FastifyRequest): boolean {
  return request.routeOptions.url === '/api/v1/autodev/webhooks/:provider';
}

/** The OpenAPI document is documentation: readable without a token. */
const PUBLIC_API_ROUTE = '/api/v1/openapi.json';

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function matchesAny(candidate: Buffer, digests: readonly Buffer[]): boolean {
  let found = false;
  for (const d of digests) found = timingSafeEqual(candidate, d) || found;
  return found;
}
