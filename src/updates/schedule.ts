import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import type { Logger } from '../logging/logger.js';

/** Why `schedule` is no valid cron expression, or undefined when it is one. */
export function cronProblem(schedule: string): string | undefined {
  try {
    CronExpressionParser.parse(schedule, { tz: 'UTC' });
    return undefined;
  } catch (error) {
    return `expected a cron expression such as "0 6 * * 1" (Mondays 06:00 UTC): ${(error as Error).message}`;
  }
}

/** `[[autodev.updates.repos]]`: a repository scanned on a cron schedule (UTC). */
export const scheduledRepoSchema = z.strictObject({
  repo: z.string().min(1).max(2048),
  base_branch: z.string().min(1).max(200).default('main'),
  schedule: z.string().superRefine((value, ctx) => {
    const problem = cronProblem(value);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  }),
});
export type ScheduledRepo = z.infer<typeof scheduledRepoSchema>;

/**
 * The repositories whose latest schedule time has passed since their last scan (any scan: by the API
 * or the schedule, succeeded or failed). Decided from the store, so a restart neither skips a scan
 * that fell due while autodev was down (it runs once, now) nor repeats one that already ran.
 */
export async function dueRepos(
  repos: readonly ScheduledRepo[],
  lastScanAt: (repo: ScheduledRepo) => Promise<string | undefined>,
  now: Date,
): Promise<ScheduledRepo[]> {
  const due: ScheduledRepo[] = [];
  for (const repo of repos) {
    const fired = CronExpressionParser.parse(repo.schedule, { currentDate: now, tz: 'UTC' }).prev().toDate();
    const last = await lastScanAt(repo);
    if (last === undefined || Date.parse(last) < fired.getTime()) due.push(repo);
  }
  return due;
}

export interface UpdateScheduler {
  start(): void;
  stop(): Promise<void>;
}

/** Checks the schedules at start and then every `intervalMs`; one pass at a time, scans one by one. */
export function createUpdateScheduler(deps: {
  repos: readonly ScheduledRepo[];
  lastScanAt: (repo: ScheduledRepo) => Promise<string | undefined>;
  scan: (repo: ScheduledRepo) => Promise<unknown>;
  log: Logger;
  intervalMs?: number;
}): UpdateScheduler {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const pass = async (): Promise<void> => {
    for (const repo of await dueRepos(deps.repos, deps.lastScanAt, new Date())) {
      if (stopped) return;
      // A failed scan is recorded with its error by the scan itself; the next schedule time tries again.
      await deps
        .scan(repo)
        .catch((error: unknown) =>
          deps.log.warn({ repo: repo.repo, err: error }, 'scheduled dependency scan failed'),
        );
    }
  };
  const tick = (): void => {
    running ??= pass()
      .catch((error: unknown) => deps.log.warn({ err: error }, 'dependency scan schedule check failed'))
      .finally(() => (running = undefined));
  };
  return {
    start() {
      if (deps.repos.length === 0) return;
      tick();
      timer = setInterval(tick, deps.intervalMs ?? 60_000);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await running;
    },
  };
}
