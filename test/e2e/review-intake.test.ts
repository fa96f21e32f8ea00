import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, type Runtime } from '../../src/runtime/create-runtime.js';
import { seedAwaitingReview } from '../helpers/seed-review.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';

// Two autodev processes on one store (two runtimes here), as a webhook in one and a poll in the other.
describe('review intake: the same review reported twice, by two processes at once, acts once', () => {
  let t: TestRuntime;
  let other: Runtime;
  beforeAll(async () => {
    // alice is a named user with the reviewer role: only such a user's change request counts.
    t = await startTestRuntime({
      configToml:
        '[autodev]\nallowlist_repos = ["**"]\n\n[[autodev.auth.users]]\nname = "alice"\ntoken_env = "REVIEW_INTAKE_ALICE_TOKEN"\nroles = ["reviewer"]\n',
      env: { REVIEW_INTAKE_ALICE_TOKEN: 'review-intake-alice-token-0123456789' },
    });
    other = await createRuntime(t.runtime.config, {
      hostEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
      logDestination: { write: () => undefined },
    });
  });
  afterAll(async () => {
    await other?.close(0);
    await t?.close();
  });

  it('requests one review round for a change request synced twice concurrently', async () => {
    const id = await seedAwaitingReview(t.runtime.store);
    await t.runtime.store.prReviews.append({
      task_id: id,
      kind: 'changes_requested',
      by: 'alice',
      comment: 'Please document mul.',
    });
    const outcomes = await Promise.all([
      t.runtime.reviewIntake.sync(id),
      other.reviewIntake.sync(id),
      t.runtime.reviewIntake.sync(id),
    ]);
    expect(outcomes.some((o) => o.outcome === 'round_requested')).toBe(true);

    const rounds = await t.runtime.store.reviewRounds.list(id);
    expect(rounds).toHaveLength(1);
    expect(rounds[0]).toMatchObject({ round: 1, status: 'pending', from_commit: 'a'.repeat(40) });
    const events = await t.runtime.store.events.list(id);
    expect(events.filter((e) => e.type === 'review.round_requested')).toHaveLength(1);
    expect((await t.runtime.store.tasks.get(id))?.status).toBe('queued');

    // A late duplicate report finds the task no longer awaiting review and does nothing.
    expect(await other.reviewIntake.sync(id)).toEqual({ outcome: 'not_awaiting_review', status: 'queued' });
    expect(await t.runtime.store.reviewRounds.list(id)).toHaveLength(1);
  });

  it("records a forge's review once by its forge id, whichever process reports it first", async () => {
    const id = await seedAwaitingReview(t.runtime.store);
    const review = {
      task_id: id,
      kind: 'comment' as const,
      by: 'bob',
      comment: 'Rename this.',
      forge_item_id: 'review-comment-42',
      path: 'calc.py',
      line: 2,
    };
    const [first, second] = await Promise.all([
      t.runtime.store.prReviews.appendOnce(review),
      other.store.prReviews.appendOnce(review),
    ]);
    expect([first, second].filter((r) => r !== undefined)).toHaveLength(1);
    const stored = await t.runtime.store.prReviews.list(id);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ forge_item_id: 'review-comment-42', path: 'calc.py', line: 2 });
  });
});
