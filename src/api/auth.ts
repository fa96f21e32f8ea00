import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AutodevError } from '../errors.js';
import { ANONYMOUS, type Caller, type IdentityResolver } from '../governance/identity.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who made the request, from its bearer token (api/auth.ts); never from the body. */
    caller: Caller;
  }
}

/**
 * Bearer-token auth for /api routes when any token is configured (AUTODEV_API_TOKENS or
 * `[[autodev.auth.users]]`): each request must present one, and the caller it identifies is set on
 * the request for the routes (an approval is the named user's, whatever the body says).
 */
export function installBearerAuth(app: FastifyInstance, identities: IdentityResolver): void {
  app.decorateRequest('caller', null as never);
  app.addHook('onRequest', async (request) => {
    request.caller = ANONYMOUS;
    // Forges cannot send the token: webhooks are verified by their signature instead (routes/webhooks.ts).
    if (!identities.required || !isApiRoute(request) || isWebhookRoute(request)) return;
    const caller = identities.resolve(bearerToken(request));
    if (caller === undefined) {
      throw new AutodevError(
        'UNAUTHORIZED',
        'missing or invalid bearer token (Authorization: Bearer <token>)',
      );
    }
    request.caller = caller;
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
