import type { Logger } from '../../logging/logger.js';

export interface ReviewPollerOptions {
  /** 0: off. */
  intervalMs: number;
  listAwaitingReview(): Promise<string[]>;
  sync(taskId: string): Promise<unknown>;
  log: Logger;
}

export interface ReviewPoller {
  start(): void;
  /** No new poll starts; the one running is awaited. */
  stop(): Promise<void>;
}

/**
 * Reads the forge's activity of every pull request awaiting review, at an interval, for hosts the
 * forge's webhooks cannot reach. One pass at a time (a slow forge never stacks passes), one task at a
 * time within it (the intake is single-flight per task anyway), and jittered by up to a fifth of the
 * interval so that several autodev processes do not hit the forge's rate limit in step.
 */
export function createReviewPoller(options: ReviewPollerOptions): ReviewPoller {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let pass: Promise<void> | undefined;

  const runPass = async () => {
    try {
      for (const id of await options.listAwaitingReview()) {
        if (stopped) return;
        // One task's failing forge call must not stop the others' polls; the intake logged it.
        await options.sync(id).catch(() => undefined);
      }
    } catch (error) {
      options.log.warn({ err: error }, 'review poll could not list the pull requests awaiting review');
    }
  };

  const schedule = () => {
    if (stopped) return;
    const jitter = Math.random() * options.intervalMs * 0.2;
    timer = setTimeout(() => {
      pass = runPass().finally(() => {
        pass = undefined;
        schedule();
      });
    }, options.intervalMs + jitter);
    timer.unref();
  };

  return {
    start() {
      if (options.intervalMs > 0 && !timer && !stopped) schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await pass;
    },
  };
}
