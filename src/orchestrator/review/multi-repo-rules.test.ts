import { describe, expect, it } from 'vitest';
import type { PrReview, PrReviewKind } from '../../domain/task.js';
import { decideMultiRepoReview, reviewsOf } from './multi-repo-rules.js';
import { createReviewerCheck, type ReviewFacts } from './rules.js';

const APP = 'https://github.com/acme/app';
const CLI = 'https://github.com/acme/cli';
const LIBRARY = { repo: 'https://github.com/acme/lib' };
const PRS = [LIBRARY, { repo: APP, role: 'consumer' as const }, { repo: CLI, role: 'consumer' as const }];

let nextId = 1;
/** A forge review on the pull request of `repo` (null: the library's); `api`: an act through autodev's API. */
const review = (kind: PrReviewKind, by: string, repo: string | null, api = false): PrReview => ({
  id: nextId++,
  task_id: 't',
  kind,
  by,
  comment: null,
  created_at: '2026-01-01T00:00:00Z',
  forge_item_id: api ? null : `${repo ?? ''}#forge-${nextId}`,
  path: null,
  line: null,
  repo: api ? null : repo,
});
const facts = (reviews: PrReview[], over: Partial<ReviewFacts> = {}): ReviewFacts => ({
  risk_tier: 'medium',
  reviews,
  rounds: [],
  decision: { allow: false, fallback: false, denyCodes: ['MEDIUM_RISK_REVIEW'] },
  isAllowed: createReviewerCheck(['alice', 'bob', 'carol'], 'github', [
    { name: 'alice', roles: ['approver'] },
    { name: 'bob', roles: ['approver'] },
  ]),
  highRiskApprovals: 2,
  maxReviewRounds: 3,
  ...over,
});

describe('decideMultiRepoReview', () => {
  it('counts a forge review for its own pull request only, an act through the API for all', () => {
    const own = review('approval', 'alice', APP);
    const viaApi = review('approval', 'bob', null, true);
    const onLibrary = review('approval', 'carol', null);
    expect(reviewsOf([own, viaApi, onLibrary], { repo: APP, role: 'consumer' })).toEqual([own, viaApi]);
    expect(reviewsOf([own, viaApi, onLibrary], LIBRARY)).toEqual([viaApi, onLibrary]);
  });

  it('waits until every pull request has its approval, naming each that lacks one', () => {
    const verdict = decideMultiRepoReview(
      facts([review('approval', 'alice', null), review('approval', 'bob', APP)]),
      PRS,
    );
    expect(verdict).toMatchObject({ action: 'wait', approvals: 0, approvals_required: 1 });
    if (verdict.action !== 'wait') throw new Error('expected a wait');
    expect(verdict.reason).toContain(
      `the consumer's pull request in ${CLI}: a medium-risk pull request needs 1`,
    );
    expect(verdict.reason).not.toContain(APP);
    expect(verdict.reason).not.toContain(LIBRARY.repo);
  });

  it('merges once each has its approval, with every approver; one API approval covers all', () => {
    const each = [
      review('approval', 'alice', null),
      review('approval', 'bob', APP),
      review('approval', 'carol', CLI),
    ];
    expect(decideMultiRepoReview(facts(each), PRS)).toMatchObject({
      action: 'merge',
      approvers: ['alice', 'bob', 'carol'],
    });
    expect(decideMultiRepoReview(facts([review('approval', 'alice', null, true)]), PRS)).toMatchObject({
      action: 'merge',
      approvers: ['alice'],
    });
    // A pull request already merged is not asked for anything.
    expect(decideMultiRepoReview(facts([review('approval', 'bob', APP)]), [PRS[1] ?? LIBRARY])).toMatchObject(
      {
        action: 'merge',
      },
    );
  });

  it('starts a round on a change request on any pull request, whatever the approvals', () => {
    const reviews = [review('approval', 'alice', null, true), review('changes_requested', 'carol', CLI)];
    expect(decideMultiRepoReview(facts(reviews), PRS)).toMatchObject({ action: 'round', round: 1 });
  });

  it('needs at high risk the approvals on each and an override', () => {
    const two = [review('approval', 'alice', null, true), review('approval', 'bob', null, true)];
    const oneOnApp = review('approval', 'carol', APP);
    expect(
      decideMultiRepoReview(
        facts([review('approval', 'alice', null, true), oneOnApp], { risk_tier: 'high' }),
        PRS,
      ),
    ).toMatchObject({
      action: 'wait',
      approvals: 1,
      approvals_required: 2,
    });
    const waiting = decideMultiRepoReview(facts(two, { risk_tier: 'high' }), PRS);
    expect(waiting).toMatchObject({ action: 'wait' });
    if (waiting.action !== 'wait') throw new Error('expected a wait');
    expect(waiting.reason).toContain('explicit policy override');
    const override = { ...review('override', 'alice', null, true), comment: 'checked by hand' };
    expect(decideMultiRepoReview(facts([...two, override], { risk_tier: 'high' }), PRS)).toMatchObject({
      action: 'merge',
      approvers: ['alice', 'bob'],
      override: { by: 'alice' },
    });
  });
});
