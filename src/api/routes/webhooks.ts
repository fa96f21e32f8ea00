import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AutodevError } from '../../errors.js';
import type { Runtime } from '../../runtime/create-runtime.js';
import { errorView } from '../schemas/task.js';
import { triggerView } from '../schemas/issue.js';
import { toTriggerView } from './issues.js';

/** Forges' review and pull request events are small; anything past this is not one. */
export const MAX_WEBHOOK_BYTES = 512 * 1024;

const webhookParams = z
  .object({
    provider: z
      .string()
      .max(40)
      .regex(/^[a-z][a-z0-9-]*$/, 'expected a forge id such as github, gitlab, gitea'),
  })
  .strict();

const webhookAccepted = z.object({
  accepted: z.literal(true),
  /** The task the event is about, or null when it is about none of autodev's pull requests. */
  task_id: z.string().nullable(),
  /** What an issue or comment event became ([autodev.triggers]); null for other events. */
  trigger: triggerView.nullable(),
});

/**
 * Forges' webhooks. Not behind the API token (a forge cannot send one) but behind the signature:
 * the body is kept as the exact bytes received, verified by the configured forge against the webhook
 * secret, and refused with 401 before anything is read from it. A verified event only names a pull
 * request: the intake then reads its activity from the forge's API, so a replayed payload invents
 * nothing. The answer is 202 at once; the sync runs after it.
 */
export function webhooksRoutes(runtime: Runtime): FastifyPluginAsyncZod {
  const forge = runtime.services.forge;
  return async (app) => {
    // Scoped to this plugin: every other route keeps fastify's JSON parser.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: MAX_WEBHOOK_BYTES },
      (_request, body, done) => {
        done(null, body);
      },
    );

    app.post(
      '/webhooks/:provider',
      {
        schema: {
          summary: "A forge's webhook (pull request, review and comment events), verified by its signature",
          params: webhookParams,
          response: {
            202: webhookAccepted,
            400: errorView,
            401: errorView,
            404: errorView,
            413: errorView,
            503: errorView,
          },
        },
      },
      async (request, reply) => {
        const { provider } = request.params;
        if (provider !== forge.id) {
          throw new AutodevError(
            'WEBHOOK_PROVIDER_UNKNOWN',
            `webhooks for provider ${provider}: this autodev's [autodev] provider is ${forge.id}`,
            { details: { field: 'provider', value: provider, expected: forge.id } },
          );
        }
        const secret = runtime.config.secrets.webhookSecret;
        if (!secret) {
          throw new AutodevError(
            'WEBHOOK_SECRET_MISSING',
            `no webhook secret configured: set the environment variable named by [autodev.git] webhook_secret_env (${runtime.config.git.webhook_secret_env})`,
          );
        }
        const rawBody = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const webhook = { headers: request.headers, rawBody };
        if (!(await forge.verifyWebhook(webhook, secret))) {
          throw new AutodevError(
            'WEBHOOK_UNVERIFIED',
            `webhook for ${provider} refused: missing or invalid signature`,
          );
        }
        // An issue or `/autodev` comment: taken once per delivery (its key), then answered with its task.
        const [triggerEvent] = runtime.triggers?.source.fromWebhook(webhook) ?? [];
        const trigger =
          triggerEvent && runtime.triggers ? await runtime.triggers.handle(triggerEvent) : undefined;
        const target = forge.webhookTarget(webhook);
        const taskId = target ? await runtime.reviewIntake.findTask(target) : undefined;
        // The intake logs its own failures; the forge is answered at once either way.
        if (taskId) void runtime.reviewIntake.sync(taskId).catch(() => undefined);
        const triggered = trigger && 'taskId' in trigger ? trigger.taskId : undefined;
        return reply.code(202).send({
          accepted: true as const,
          task_id: taskId ?? triggered ?? null,
          trigger: trigger ? toTriggerView(trigger) : null,
        });
      },
    );
  };
}
