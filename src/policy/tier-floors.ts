import type { RiskTier } from '../config/schema.js';
import type { Denial, PolicyDecision, PolicyEngine } from './types.js';

/**
 * What each risk tier needs whatever a policy answers: the seed's tiers are floors. A policy (OPA or
 * local) may add denials; it can never lift these, so an allow-everything policy still leaves a
 * medium change for a human's approval and a high one for approvals plus an override (the review
 * rules, orchestrator/review-rules.ts, then ask for exactly that).
 */
const TIER_FLOORS: Record<RiskTier, Denial | undefined> = {
  low: undefined,
  medium: { code: 'MEDIUM_RISK_REVIEW', message: 'Medium-risk changes require human review' },
  high: { code: 'HIGH_RISK_REVIEW', message: 'High-risk changes require human review' },
};

/** The decision with its tier's floor applied: the floor's denial added when the policy left it out. */
export function withTierFloor(tier: RiskTier, decision: PolicyDecision): PolicyDecision {
  const floor = TIER_FLOORS[tier];
  if (!floor) return decision;
  if (decision.deny.some((d) => d.code === floor.code)) return { ...decision, allow: false };
  return { ...decision, allow: false, deny: [...decision.deny, floor] };
}

/** An engine whose every decision has its tier's floor: the one place the floor is enforced. */
export function withTierFloors(engine: PolicyEngine): PolicyEngine {
  return {
    id: engine.id,
    async evaluate(input, signal) {
      return withTierFloor(input.risk_tier, await engine.evaluate(input, signal));
    },
  };
}
