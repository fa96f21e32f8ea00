import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Runtime } from '../runtime/create-runtime.js';
import { assertServeSafe } from '../config/serve-guard.js';
import { createIdentityResolver } from '../governance/identity.js';
import { installBearerAuth } from './auth.js';
import { installRateLimit } from './rate-limit.js';
import { installDashboard, installSecurityHeaders } from './static-ui.js';
import { installErrorHandler } from './error-handler.js';
import { createEventStreamSlots } from './event-stream-slots.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { eventsRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { opsRoutes } from './routes/ops.js';
import { prsRoutes } from './routes/prs.js';
import { issuesRoutes } from './routes/issues.js';
import { tasksRoutes } from './routes/tasks.js';
import { updatesRoutes } from './routes/updates.js';
import { webhooksRoutes } from './routes/webhooks.js';

/** The HTTP API over a runtime; every route is registered here, none by autoload. */
export async function buildServer(runtime: Runtime): Promise<FastifyInstance> {
  const { config } = runtime;
  // The routes are only served when the config is safe to serve (tokens with untrusted network, ...).
  assertServeSafe(config);
  const tokens = [
    ...config.secrets.apiTokens,
    ...config.secrets.users.flatMap((u) => (u.token === undefined ? [] : [u.token])),
  ];
  const logger: FastifyBaseLogger = runtime.log;
  const app = Fastify({
    loggerInstance: logger,
    bodyLimit: config.max_body_bytes,
    // One line per request would drown the task log; failures are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    // Errors fastify raises before routing (undecodable URL, over-long id) bypass setErrorHandler:
    // answer them in the same `{ error: { code, message, details } }` shape, path redacted.
    frameworkErrors: (error, _request, reply) => {
      const body = JSON.stringify({
        error: {
          code: 'VALIDATION_FAILED',
          message: runtime.redact(error.message),
          details: { reason: error.code },
        },
      });
      reply.raw.writeHead(error.statusCode ?? 400, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
      });
      reply.raw.end(body);
    },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app, runtime.redact);
  installSecurityHeaders(app);
  // The limiter's hook first: requests refused by auth are counted too.
  await installRateLimit(app, {
    perMinute: config.rate_limit_per_minute,
    tokens,
  });
  installBearerAuth(app, createIdentityResolver(config.secrets));

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'autodev', version: '0.1.0', description: 'Tasks in, tested pull requests out.' },
      components: tokens.length
        ? { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } }
        : undefined,
    },
    transform: jsonSchemaTransform,
  });

  const streamSlots = createEventStreamSlots({
    total: config.max_event_streams,
    perClient: config.max_event_streams_per_client,
  });
  await app.register(
    async (api) => {
      await api.register(tasksRoutes(runtime));
      await api.register(eventsRoutes(runtime, streamSlots));
      await api.register(dashboardRoutes(runtime, streamSlots));
      await api.register(updatesRoutes(runtime));
      await api.register(prsRoutes(runtime));
      await api.register(issuesRoutes(runtime));
      await api.register(webhooksRoutes(runtime));
      await api.register(healthRoutes(runtime));
    },
    { prefix: '/api/v1/autodev' },
  );
  app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(opsRoutes(runtime));
  installDashboard(app);
  return app;
}
