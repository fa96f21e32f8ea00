import { describe, expect, it } from 'vitest';
import type { PrReview, PrReviewKind, ReviewRound } from '../../domain/task.js';
import { createReviewerCheck, decideReview, type ReviewFacts } from './rules.js';

let nextId = 1;
const review = (kind: PrReviewKind, by: string, extra: Partial<PrReview> = {}): PrReview => ({
  id: nextId++,
  task_id: 't',
  kind,
  by,
  comment: null,
  created_at: '2026-01-01T00:00:00Z',
  // A forge's own review, unless a test makes it an act through autodev's API.
  forge_item_id: `forge-${nextId}`,
  path: null,
  line: null,
  repo: null,
  ...extra,
});
const round = (n: number, through: number): ReviewRound => ({
  task_id: 't',
  round: n,
  status: 'done',
  through_review_id: through,
  from_commit: 'a'.repeat(40),
  commit: 'b'.repeat(40),
  error: null,
  created_at: '2026-01-01T00:00:00Z',
  finished_at: null,
});
const facts = (over: Partial<ReviewFacts>): ReviewFacts => ({
  risk_tier: 'medium',
  reviews: [],
  rounds: [],
  decision: { allow: false, fallback: false, denyCodes: ['MEDIUM_RISK_REVIEW'] },
  isAllowed: createReviewerCheck(['alice', 'bob'], 'github'),
  highRiskApprovals: 2,
  maxReviewRounds: 3,
  ...over,
});

describe('decideReview', () => {
  it('merges medium risk on one allowed approval; ignores others and autodev itself', () => {
    expect(decideReview(facts({ reviews: [review('approval', 'mallory')] })).action).toBe('wait');
    expect(decideReview(facts({ reviews: [review('approval', 'ALICE')] })).action).toBe('merge');
    const own = review('changes_requested', 'alice', { comment: '<!-- autodev:round-1 -->\nRound 1' });
    expect(decideReview(facts({ reviews: [own, review('approval', 'bob')] })).action).toBe('merge');
  });

  it('does not count approvals given before the last round: they saw older code', () => {
    const approval = review('approval', 'alice');
    const asked = review('changes_requested', 'bob');
    const verdict = decideReview(facts({ reviews: [approval, asked], rounds: [round(1, asked.id)] }));
    expect(verdict).toMatchObject({ action: 'wait', approvals: 0 });
  });

  it('starts a round on a change request or a line comment, not on a plain comment', () => {
    expect(decideReview(facts({ reviews: [review('comment', 'alice', { comment: 'nice' })] })).action).toBe(
      'wait',
    );
    const line = review('comment', 'alice', { comment: 'rename', path: 'a.py', line: 3 });
    expect(decideReview(facts({ reviews: [line] }))).toMatchObject({
      action: 'round',
      round: 1,
      through: line.id,
    });
  });

  it('stops at max_review_rounds, yet an approval still merges', () => {
    const asked = review('changes_requested', 'alice');
    const done = [round(1, asked.id - 1)];
    expect(decideReview(facts({ reviews: [asked], rounds: done, maxReviewRounds: 1 })).action).toBe(
      'rounds_exhausted',
    );
    const approved = [asked, review('approval', 'bob')];
    expect(decideReview(facts({ reviews: approved, rounds: done, maxReviewRounds: 1 })).action).toBe('merge');
  });

  it('needs high_risk_approvals AND an override for high risk, and an override for denials no review answers', () => {
    const high = facts({
      risk_tier: 'high',
      decision: { allow: false, fallback: false, denyCodes: ['HIGH_RISK_REVIEW'] },
      reviews: [review('approval', 'alice'), review('approval', 'bob')],
    });
    expect(decideReview(high)).toMatchObject({ action: 'wait', reason: expect.stringContaining('override') });
    expect(decideReview({ ...high, reviews: [...high.reviews, review('override', 'alice')] }).action).toBe(
      'merge',
    );
    const failing = facts({
      decision: { allow: false, fallback: false, denyCodes: ['MEDIUM_RISK_REVIEW', 'TESTS_FAILED'] },
      reviews: [review('approval', 'alice')],
    });
    expect(decideReview(failing)).toMatchObject({
      action: 'wait',
      reason: expect.stringContaining('TESTS_FAILED'),
    });
  });

  it("a forge's review counts by [autodev.git] reviewers: empty allows nobody on a hosted forge", () => {
    const forgeReview = (by: string) => ({ by, kind: 'approval' as const, forge_item_id: 'f1' });
    expect(createReviewerCheck([], 'github')(forgeReview('alice'))).toBe(false);
    expect(createReviewerCheck(['*'], 'github')(forgeReview('anyone'))).toBe(true);
    expect(createReviewerCheck(['alice'], 'github')(forgeReview('ALICE'))).toBe(true);
  });

  it("with reviewers empty on a hosted forge, a forge's review counts when the forge says its author may write", () => {
    const forgeReview = (by: string) => ({ by, kind: 'approval' as const, forge_item_id: 'f1' });
    const check = createReviewerCheck([], 'github', [], {
      writeAccess: new Map([
        ['wanda', { canWrite: true, why: '' }],
        ['rita', { canWrite: false, why: 'rita has read permission on the repository, not write' }],
      ]),
    });
    expect(check(forgeReview('Wanda'))).toBe(true);
    expect(check(forgeReview('rita'))).toBe(false);
    expect(check.whyNot(forgeReview('rita'))).toContain('read permission');
    // An account whose permission nobody looked up does not count.
    expect(check.whyNot(forgeReview('zed'))).toContain('not looked up');
    // Listed reviewers decide when there are any: write permission alone is not enough then.
    expect(
      createReviewerCheck(['alice'], 'github', [], {
        writeAccess: new Map([['wanda', { canWrite: true, why: '' }]]),
      })(forgeReview('wanda')),
    ).toBe(false);
  });

  it("the pull request's author never counts, even when listed in reviewers, allowed by '*' or with write permission", () => {
    const forgeReview = (by: string) => ({ by, kind: 'approval' as const, forge_item_id: 'f1' });
    const bot = { prAuthor: 'autodev-bot' };
    expect(createReviewerCheck(['autodev-bot', 'alice'], 'github', [], bot)(forgeReview('autodev-bot'))).toBe(
      false,
    );
    expect(createReviewerCheck(['*'], 'github', [], bot)(forgeReview('AUTODEV-BOT'))).toBe(false);
    const writers = createReviewerCheck([], 'github', [], {
      ...bot,
      writeAccess: new Map([['autodev-bot', { canWrite: true, why: '' }]]),
    });
    expect(writers(forgeReview('autodev-bot'))).toBe(false);
    expect(writers.whyNot(forgeReview('autodev-bot'))).toContain("pull request's author");
    expect(createReviewerCheck(['*'], 'github', [], bot)(forgeReview('alice'))).toBe(true);
    // A named user acting through the API under the author's login does not count either.
    const users = [{ name: 'autodev-bot', roles: ['approver'] as const }];
    expect(
      createReviewerCheck(
        ['autodev-bot'],
        'github',
        users,
        bot,
      )({ by: 'autodev-bot', kind: 'approval', forge_item_id: null }),
    ).toBe(false);
  });

  it("an act through autodev's API counts only as a named user's with a role for it, never by a name alone", () => {
    const users = [
      { name: 'alice', roles: ['approver'] as const },
      { name: 'rita', roles: ['reviewer'] as const },
      { name: 'root', roles: ['admin'] as const },
    ];
    const check = createReviewerCheck([], 'local', users);
    const act = (by: string, kind: PrReviewKind) => check({ by, kind, forge_item_id: null });
    expect(act('alice', 'approval')).toBe(true);
    expect(act('alice', 'changes_requested')).toBe(true);
    expect(act('rita', 'changes_requested')).toBe(true);
    expect(act('rita', 'approval')).toBe(false);
    expect(act('rita', 'override')).toBe(false);
    expect(act('root', 'override')).toBe(true);
    // A name nobody configured, or an unidentified caller's act, never counts, even on the local forge.
    expect(act('bob', 'changes_requested')).toBe(false);
    expect(act('unverified:alice', 'approval')).toBe(false);
    expect(createReviewerCheck([], 'local')({ by: 'alice', kind: 'comment', forge_item_id: null })).toBe(
      false,
    );
    // On a hosted forge, a user acting through the API must also be one of the reviewers.
    expect(
      createReviewerCheck([], 'github', users)({ by: 'alice', kind: 'override', forge_item_id: null }),
    ).toBe(false);
    expect(
      createReviewerCheck(['alice'], 'github', users)({ by: 'alice', kind: 'override', forge_item_id: null }),
    ).toBe(true);
  });
});
