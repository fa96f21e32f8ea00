import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

/**
 * The dashboard's policy: scripts and styles from this origin only (no inline script, no eval), data
 * from this origin only, no frames of it anywhere, no forms to elsewhere. Untrusted text is put in
 * the page with textContent (web/src/dom.ts); this is the second line should that ever slip.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Where `npm run build` puts the page (web/build.mjs): dist/web, beside dist/api when running built,
 * two levels up when running from src through tsx (tests, development).
 */
const WEB_DIR =
  [new URL('../web/', import.meta.url), new URL('../../dist/web/', import.meta.url)]
    .map((u) => fileURLToPath(u))
    .find((dir) => existsSync(`${dir}index.html`)) ?? fileURLToPath(new URL('../web/', import.meta.url));

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/assets/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/assets/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
};

/** Every response of the server: nosniff, no referrer, never in a frame. Installed before any route. */
export function installSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    return payload;
  });
}

/**
 * Serves the dashboard at `/` from the built files, read once at start (three small files; no
 * directory is ever served, so no path from a request reaches the file system).
 */
export function installDashboard(app: FastifyInstance): void {
  for (const [route, { file, type }] of Object.entries(FILES)) {
    const body = readBuilt(file);
    app.get(route, { schema: { hide: true } }, async (_request, reply) => {
      if (body === undefined) {
        return reply
          .code(503)
          .type('text/plain; charset=utf-8')
          .send(`the dashboard is not built: run npm run build (missing ${WEB_DIR}${file})`);
      }
      return reply
        .type(type)
        .header('content-security-policy', DASHBOARD_CSP)
        .header('cache-control', 'no-cache')
        .send(body);
    });
  }
}

function readBuilt(file: string): Buffer | undefined {
  try {
    return readFileSync(WEB_DIR + file);
  } catch {
    return undefined;
  }
}
