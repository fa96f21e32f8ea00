import { createIntervalPoller, type ReviewPoller } from '../orchestrator/review/poller.js';
import type { Logger } from '../logging/logger.js';
import type { Store } from '../store/index.js';
import { parseRepoRef } from '../workspace/repo-ref.js';
import type { TriggerIntake } from './intake.js';

export interface TriggerPollerDeps {
  intervalMs: number;
  /** `[autodev.triggers] poll_repos`. */
  repos: string[];
  intake: TriggerIntake;
  store: Store;
  log: Logger;
}

/**
 * Polling for forges whose webhooks cannot reach autodev: each repository's comments since its stored
 * cursor go through the same intake as a webhook's, so a comment both deliver is taken once (its key).
 * The cursor moves only after every trigger of the batch was handled: a crash reads them again, and
 * the intake's keys drop what was already taken.
 */
export function createTriggerPoller(deps: TriggerPollerDeps): ReviewPoller {
  const { intake, store, log } = deps;
  const poll = intake.source.poll?.bind(intake.source);
  if (deps.intervalMs > 0 && !poll) {
    log.warn(
      { forge: intake.source.forge },
      '[autodev.triggers] poll_secs is set but this forge has no trigger poller: only its webhooks start tasks',
    );
  }
  const pollRepo = async (repo: string) => {
    if (!poll) return;
    const at = `${intake.source.forge}:${parseRepoRef(repo).normalized}`;
    try {
      const { events, cursor, history } = await poll(repo, await store.issueTasks.pollCursor(at));
      for (const key of history) await store.issueTasks.takeOnce(key);
      for (const event of events) await intake.handle(event);
      await store.issueTasks.setPollCursor(at, cursor);
    } catch (err) {
      log.warn({ err, repo }, 'trigger poll failed');
    }
  };
  return createIntervalPoller({
    intervalMs: poll ? deps.intervalMs : 0,
    list: () => Promise.resolve(deps.repos),
    visit: pollRepo,
    log,
    listing: 'the repositories to poll for triggers',
  });
}
