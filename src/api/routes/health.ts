import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CHECK_STATUSES } from '../../doctor/index.js';
import type { Runtime } from '../../runtime/create-runtime.js';

const checkView = z.object({
  name: z.string(),
  status: z.enum(CHECK_STATUSES),
  /** What was found and, when not ok, the key or variable to change. */
  message: z.string(),
});

export const healthView = z.object({
  /** The worst status of the checks. */
  status: z.enum(CHECK_STATUSES),
  checked_at: z.string(),
  checks: z.array(checkView),
});

/** The start-up self-check, as `autodev doctor` prints it; cached for 30 s. Answers 200 whatever it finds. */
export function healthRoutes(runtime: Runtime): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/health',
      {
        schema: {
          summary:
            'Self-check: model key and endpoint, forge token and repos, OPA and its policy, gitleaks and opa, settings that do nothing',
          response: { 200: healthView },
        },
      },
      async () => {
        const report = await runtime.health.report();
        // Messages quote what services answered: no secret of ours goes back out in them.
        return {
          ...report,
          checks: report.checks.map((c) => ({ ...c, message: runtime.redact(c.message) })),
        };
      },
    );
  };
}
