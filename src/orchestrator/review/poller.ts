import type { Logger } from '../../logging/logger.js';

export interface IntervalPollerOptions<T> {
  /** 0: off. */
  intervalMs: number;
  /** What one pass visits (pull requests awaiting review, repositories to read comments of). */
  list(): Promise<T[]>;
  visit(item: T): Promise<unknown>;
  log: Logger;
  /** Names what could not be listed, in the warning. */
  listing: string;
}

export interface ReviewPoller {
  start(): void;
  /** No new poll starts; the one running is awaited. */
  stop(): Promise<void>;
}

export interface ReviewPollerOptions {
  /** 0: off. */
  intervalMs: number;
  listAwaitingReview(): Promise<string[]>;
  sync(taskId: string): Promise<unknown>;
  log: Logger;
}

/**
 * Reads the forge's activity of every pull request awaiting review, at an interval, for hosts the
 * forge's webhooks cannot reach.
 */
export function createReviewPoller(options: ReviewPollerOptions): ReviewPoller {
  return createIntervalPoller({
    intervalMs: options.intervalMs,
    list: options.listAwaitingReview,
    visit: options.sync,
    log: options.log,
    listing: 'the pull requests awaiting review',
  });
}

/**
 * Visits a list at an interval. One pass at a time (a slow forge never stacks passes), one item at a
 * time within it, and jittered by up to a fifth of the interval so that several autodev processes do
 * not hit the forge's rate limit in step.
 */
export function createIntervalPoller<T>(options: IntervalPollerOptions<T>): ReviewPoller {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let pass: Promise<void> | undefined;

  const runPass = async () => {
    try {
      for (const item of await options.list()) {
        if (stopped) return;
        // One item's failing forge call must not stop the others' polls; the visitor logged it.
        await options.visit(item).catch(() => undefined);
      }
    } catch (error) {
      options.log.warn({ err: error }, `poll could not list ${options.listing}`);
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
