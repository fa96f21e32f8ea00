import { describe, expect, it } from 'vitest';
import { defaultPlan, planFromWork } from './default-plan.js';
import { acceptanceChecks } from './plan-checks.js';

describe('acceptanceChecks', () => {
  it("adds the plan's checks after the user's, marked as the plan's, without repeating one", () => {
    const plan = planFromWork('fix', [
      { goal: 'a', files: [], checks: ['pytest passes', 'test_add passes'] },
      { goal: 'b', files: [], checks: ['test_add passes'] },
    ]);
    expect(acceptanceChecks({ acceptance: ['pytest passes'], plan })).toEqual([
      'pytest passes',
      '(plan) test_add passes',
    ]);
  });

  it("leaves the user's criteria alone under a default plan or none", () => {
    const plan = defaultPlan({ title: 't', risk_tier: 'low' }, 1);
    expect(acceptanceChecks({ acceptance: ['x'], plan })).toEqual(['x']);
    expect(acceptanceChecks({ acceptance: [], plan: null })).toEqual([]);
  });
});
