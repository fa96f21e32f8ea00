import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { type AutodevError, isAutodevError } from '../errors.js';
import { redactDeep, type Redact } from '../secrets/redact.js';

interface FieldProblem {
  field: string;
  message: string;
}

/**
 * Every error answer is `{ error: { code, message, details } }`. Validation failures name each field;
 * AutodevError maps its code to a status; anything unexpected is a 500 whose detail stays in the log.
 */
export function installErrorHandler(app: FastifyInstance, redact: Redact): void {
  app.setErrorHandler((error: FastifyError | AutodevError | Error, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const where = error.validationContext ?? 'body';
      // A field name is the client's own key, so it may be anything, a pasted secret included.
      const details: FieldProblem[] = error.validation.map((v) => ({
        field: redact(fieldName(where, v.instancePath, v.params)),
        message: redact(v.message ?? 'invalid value'),
      }));
      const message = `invalid request: ${details.map((d) => `${d.field}: ${d.message}`).join('; ')}`;
      return reply
        .code(400)
        .send({ error: { code: 'VALIDATION_FAILED', message: redact(message), details } });
    }
    if (isAutodevError(error)) {
      if (error.httpStatus >= 500) request.log.error({ err: error }, 'request failed');
      return reply.code(error.httpStatus).send({
        error: {
          code: error.code,
          message: redact(error.message),
          details: redactDeep(error.details, redact),
        },
      });
    }
    const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status === 413) {
      return reply
        .code(413)
        .send({ error: { code: 'PAYLOAD_TOO_LARGE', message: 'request body is too large' } });
    }
    if (status === 429) {
      return reply.code(429).send({ error: { code: 'RATE_LIMITED', message: redact(error.message) } });
    }
    if (status >= 400 && status < 500) {
      // Fastify's own 4xx: malformed JSON, wrong content type, empty body.
      const code = 'code' in error && typeof error.code === 'string' ? error.code : 'BAD_REQUEST';
      return reply.code(status).send({
        error: { code: 'VALIDATION_FAILED', message: redact(error.message), details: { reason: code } },
      });
    }
    request.log.error({ err: error }, 'unexpected error');
    return reply
      .code(500)
      .send({ error: { code: 'INTERNAL', message: 'internal error; see the server log' } });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: {
        code: 'ROUTE_NOT_FOUND',
        message: redact(`no route ${request.method} ${request.url.split('?')[0]}`),
      },
    }),
  );
}

function fieldName(where: string, instancePath: string, params: unknown): string {
  const path = instancePath.replace(/^\//, '').replace(/\//g, '.');
  // zod reports unknown keys on the parent object; name the key itself.
  const keys =
    params && typeof params === 'object' && 'keys' in params && Array.isArray(params.keys) ? params.keys : [];
  const own = keys.length > 0 ? keys.join(',') : '';
  const parts = [where, path, own].filter((p) => p.length > 0);
  return parts.join('.');
}
