import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitTask, waitForTerminal } from '../helpers/api-client.js';
import {
  ALLOW_ALL_POLICY,
  SEED_POLICY,
  SHIPPED_POLICIES,
  startOpaServer,
  type OpaServer,
} from '../helpers/opa-server.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from './fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';
import { taskEvents } from './task-journey.js';

/**
 * The seed's risk tiers are floors: whatever a real OPA answers, a clean medium-risk fix waits for a
 * human's approval and a high-risk one for approvals and an override; only low risk merges itself.
 */
const POLICIES: {
  name: string;
  paths: string[];
  policyPackage: string;
  v0Compatible?: boolean;
  lowMerges: boolean;
}[] = [
  {
    name: 'an allow-all policy',
    paths: [ALLOW_ALL_POLICY],
    policyPackage: 'allowall/merge',
    lowMerges: true,
  },
  {
    name: "the seed's policy.rego (v0)",
    paths: [SEED_POLICY],
    policyPackage: 'autodev/merge',
    v0Compatible: true,
    lowMerges: true,
  },
  {
    name: 'the shipped policies/autodev/merge.rego',
    paths: [SHIPPED_POLICIES],
    policyPackage: 'autodev/merge',
    lowMerges: true,
  },
];

describe.each(POLICIES)('risk tier floors under $name, through the API', (policy) => {
  let opa: OpaServer;
  let h: E2EHarness;
  beforeAll(async () => {
    opa = await startOpaServer(policy.paths, { v0Compatible: policy.v0Compatible ?? false });
    h = await startE2E({ opa_url: `"${opa.url}"`, policy_package: `"${policy.policyPackage}"` });
  });
  afterAll(async () => {
    await h?.close();
    await opa?.close();
  });

  it.each([
    ['low', policy.lowMerges ? 'merged' : 'awaiting_review', []],
    ['medium', 'awaiting_review', ['MEDIUM_RISK_REVIEW']],
    ['high', 'awaiting_review', ['HIGH_RISK_REVIEW']],
  ] as const)('a clean %s-risk fix ends %s', async (tier, status, floorCodes) => {
    const repo = await h.newRepo(PYTHON_BUGGY_REPO);
    const mainBefore = await repo.branchCommit('main');
    h.model.push({ text: PYTHON_FIX_REPLY });
    const created = await submitTask(h.server.baseUrl, {
      title: `Fix add (${tier})`,
      description: 'add(2, 3) must return 5.',
      repo: repo.origin,
      risk_tier: tier,
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.error).toBeNull();
    expect(task.status).toBe(status);
    const decision = (await taskEvents(h.server.baseUrl, task.id)).find(
      (e) => e.type === 'policy.decision' && 'allow' in e.data,
    )?.data as { allow: boolean; fallback?: boolean; deny: { code: string }[]; engine: string };
    // OPA decided (no fallback): the floor, not a fallback, holds the change.
    expect(decision.fallback).toBeUndefined();
    expect(decision.engine).toBe(`opa:${policy.policyPackage}`);
    expect(decision.allow).toBe(status === 'merged');
    expect(decision.deny.map((d) => d.code)).toEqual(expect.arrayContaining([...floorCodes]));
    if (status === 'awaiting_review') expect(await repo.branchCommit('main')).toBe(mainBefore);
    else expect(await repo.branchCommit('main')).not.toBe(mainBefore);
  });
});
