import type { FastifyPluginAsync } from 'fastify';
import type { Runtime } from '../../runtime/create-runtime.js';

/** Health and Prometheus metrics, outside /api so scrapers need no token. */
export function opsRoutes(runtime: Runtime): FastifyPluginAsync {
  return async (app) => {
    app.get('/healthz', { schema: { hide: true } }, async () => ({
      status: 'ok',
      enabled: runtime.config.enabled,
      running_tasks: runtime.engine.runningIds().length,
    }));
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      const body = await runtime.metrics.registry.metrics();
      return reply.header('content-type', runtime.metrics.registry.contentType).send(body);
    });
  };
}
