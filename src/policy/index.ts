import type { AutodevSettings } from '../config/schema.js';
import { AutodevError } from '../errors.js';
import { createLocalPolicy } from './local.js';
import { createOpaPolicy } from './opa.js';
import { withTierFloors } from './tier-floors.js';
import type { PolicyEngine } from './types.js';

export type PolicySettings = Pick<AutodevSettings, 'opa_url' | 'policy_package' | 'opa_timeout_ms'>;

/** Flat id → factory map of the policy engines. */
export const POLICY_ENGINES = {
  local: (): PolicyEngine => createLocalPolicy(),
  opa: (settings: PolicySettings): PolicyEngine => {
    if (settings.opa_url === undefined) {
      throw new AutodevError('CONFIG_INVALID', 'the opa policy engine needs [autodev] opa_url (or OPA_URL)');
    }
    return createOpaPolicy({
      url: settings.opa_url,
      policyPackage: settings.policy_package,
      timeoutMs: settings.opa_timeout_ms,
      fallback: createLocalPolicy(),
    });
  },
} as const;

export type PolicyEngineId = keyof typeof POLICY_ENGINES;

/** OPA decides when opa_url is set (file or OPA_URL), with the local rules as its fallback; else the local rules. */
export function policyEngineId(settings: PolicySettings): PolicyEngineId {
  return settings.opa_url === undefined ? 'local' : 'opa';
}

/** The configured engine, its answers held to the risk tiers' floors (policy/tier-floors.ts). */
export function createPolicyEngine(settings: PolicySettings): PolicyEngine {
  return withTierFloors(POLICY_ENGINES[policyEngineId(settings)](settings));
}
