import { z } from 'zod';

export const overviewQuery = z
  .object({
    days: z.coerce.number().int().min(1).max(366).default(30),
    steps: z.coerce.number().int().min(1).max(50).default(10),
  })
  .strict();

export const overviewView = z.object({
  tasks_by_status: z.array(z.object({ status: z.string(), count: z.number() })),
  success_rate: z.number().nullable(),
  median_duration_seconds: z.number().nullable(),
  cost_per_day: z.array(z.object({ day: z.string(), usd: z.number(), tasks: z.number() })),
  denials_by_code: z.array(z.object({ code: z.string(), count: z.number() })),
  slowest_steps: z.array(
    z.object({ tool: z.string(), count: z.number(), avg_ms: z.number(), max_ms: z.number() }),
  ),
});

export const diffView = z.object({
  rounds: z.array(
    z.object({
      step_key: z.string(),
      files: z.array(z.string()),
      patch: z.string(),
      /** The model's last words of the round, shortened: untrusted text. */
      final_text: z.string(),
    }),
  ),
});

export const allEventsQuery = z.object({ stream: z.enum(['true']).optional() }).strict();
