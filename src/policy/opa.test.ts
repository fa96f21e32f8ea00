import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALLOW_ALL_POLICY,
  freePort,
  SEED_POLICY,
  startLoopbackHttp,
  startOpaServer,
  type OpaServer,
} from '../../test/helpers/opa-server.js';
import { createPolicyEngine } from './index.js';
import { createLocalPolicy } from './local.js';
import type { PolicyInput } from './types.js';

const clean: PolicyInput = {
  risk_tier: 'low',
  tests_passed: true,
  clippy_warnings: 0,
  secrets_found: false,
  files_changed: ['src/lib.rs'],
  new_dependencies: [],
};

/** Inputs covering every rule, alone and together, and the optional fields absent or empty. */
const TABLE: [string, PolicyInput][] = [
  ['clean', clean],
  [
    'clean with every optional field empty',
    {
      ...clean,
      lint_unavailable: [],
      autodev_config_changed: [],
      test_changes: [],
      baseline_failures_missing: [],
      dependency_changes: [],
      lint_warnings_introduced: 0,
      lint_warnings_preexisting: 9,
      tests_before: { passed: 1, failed: 1 },
      tests_after: { passed: 2, failed: 0 },
      constraints: [{ text: 'Keep it small', kind: 'unchecked' }],
    },
  ],
  ['failing tests', { ...clean, tests_passed: false }],
  [
    'pre-existing failures after (tests_passed by the baseline)',
    { ...clean, tests_after: { passed: 3, failed: 2 } },
  ],
  ['tests unavailable', { ...clean, tests_passed: false, tests_unavailable: 'go: [build failed]' }],
  [
    'fewer passes than before',
    { ...clean, tests_before: { passed: 5, failed: 0 }, tests_after: { passed: 4, failed: 0 } },
  ],
  [
    'every test problem at once',
    {
      ...clean,
      tests_passed: false,
      tests_before: { passed: 5, failed: 0 },
      tests_after: { passed: 3, failed: 1 },
    },
  ],
  ['lint warnings', { ...clean, clippy_warnings: 3 }],
  ['lint introduced, counted apart', { ...clean, lint_warnings_introduced: 2 }],
  ['linter unavailable', { ...clean, lint_unavailable: ['ruff (python, .)', 'clippy (rust, .)'] }],
  ['secrets', { ...clean, secrets_found: true }],
  ['high risk', { ...clean, risk_tier: 'high' }],
  ['medium risk', { ...clean, risk_tier: 'medium' }],
  ['schema change, any case', { ...clean, files_changed: ['a.py', 'db/001.SQL', 'db/002.sql'] }],
  ['new dependencies', { ...clean, new_dependencies: ['serde', 'anyhow'] }],
  [
    'dependency changes',
    {
      ...clean,
      new_dependencies: ['requests'],
      dependency_changes: [
        {
          ecosystem: 'python',
          name: 'requests',
          change: 'added',
          to: '2.32.0',
          direct: true,
          dev: false,
          manifest: 'pyproject.toml',
        },
        {
          ecosystem: 'python',
          name: 'idna',
          change: 'added',
          to: '3.7',
          direct: false,
          dev: false,
          manifest: 'uv.lock',
        },
        {
          ecosystem: 'python',
          name: 'six',
          change: 'removed',
          from: '1.16',
          direct: true,
          dev: false,
          manifest: 'pyproject.toml',
        },
      ],
    },
  ],
  ['autodev config', { ...clean, autodev_config_changed: ['.autodev.toml'] }],
  ['tests changed', { ...clean, test_changes: ['tests/test_calc.py'] }],
  [
    'performance regressions',
    {
      ...clean,
      perf_regressions: [
        {
          name: 'BenchmarkFib20',
          unit: 'ns',
          base: 178700,
          head: 401200,
          ratio: 2.245,
          ci: [2.11, 2.402],
          max_regression_pct: 10,
        },
        {
          name: 'sort 1k',
          unit: 'ns',
          base: 0.5,
          head: 12,
          ratio: 24,
          ci: [1.5, 30],
          max_regression_pct: 12.5,
        },
      ],
    },
  ],
  ['baseline test lost', { ...clean, baseline_failures_missing: ['tests/test_calc.py::test_add'] }],
  [
    'constraints, violated and not',
    {
      ...clean,
      constraints: [
        { text: 'No new external dependencies', kind: 'no_new_dependencies', violated: true, details: ['x'] },
        { text: 'Do not modify public API signatures', kind: 'no_public_api_change', violated: true },
        { text: 'Be nice', kind: 'unchecked' },
        { text: 'Stay put', kind: 'no_public_api_change', violated: false },
      ],
    },
  ],
  [
    'a multi-repo task whose consumers pass',
    {
      ...clean,
      repos: [
        {
          repo: 'github.com/acme/api',
          role: 'consumer',
          tests_passed: true,
          lint_warnings_introduced: 0,
          secrets_found: false,
          files_changed: ['src/use.ts'],
          new_dependencies: [],
          autodev_config_changed: [],
          test_changes: [],
        },
      ],
    },
  ],
  [
    'a multi-repo task with everything wrong in two consumers',
    {
      ...clean,
      repos: ['github.com/acme/api', 'github.com/acme/cli'].map((repo) => ({
        repo,
        role: 'consumer' as const,
        tests_passed: false,
        lint_warnings_introduced: 2,
        secrets_found: true,
        files_changed: ['a.ts'],
        new_dependencies: ['zod', 'left-pad', 'zod'],
        autodev_config_changed: ['.autodev.toml'],
        test_changes: ['test/a.test.ts'],
      })),
    },
  ],
  [
    'everything wrong',
    {
      risk_tier: 'high',
      tests_passed: false,
      clippy_warnings: 4,
      secrets_found: true,
      lint_unavailable: ['ruff (python, .)'],
      files_changed: ['m.sql'],
      new_dependencies: ['left-pad'],
      autodev_config_changed: ['.autodev.toml'],
      test_changes: ['pytest.ini'],
      baseline_failures_missing: ['t::x'],
      constraints: [{ text: 'No new external dependencies', kind: 'no_new_dependencies', violated: true }],
    },
  ],
];

describe('OPA with the shipped policy and the local rules decide alike', () => {
  let opa: OpaServer;
  beforeAll(async () => {
    opa = await startOpaServer();
  });
  afterAll(() => opa?.close());

  it.each(TABLE)('%s', async (_what, input) => {
    const viaOpa = await createPolicyEngine({
      opa_url: opa.url,
      policy_package: 'autodev/merge',
      opa_timeout_ms: 5000,
    }).evaluate(input);
    const local = await createLocalPolicy().evaluate(input);
    expect(viaOpa.fallback).toBeUndefined();
    expect(viaOpa.engine).toBe('opa:autodev/merge');
    expect(viaOpa.allow).toBe(local.allow);
    const sorted = (d: typeof local) => [...d.deny].sort((a, b) => a.message.localeCompare(b.message));
    expect(new Set(viaOpa.deny.map((d) => d.code))).toEqual(new Set(local.deny.map((d) => d.code)));
    expect(sorted(viaOpa)).toEqual(sorted(local));
  });

  it('takes the package with dots too (autodev.merge)', async () => {
    const decision = await createPolicyEngine({
      opa_url: `${opa.url}/`,
      policy_package: 'autodev.merge',
      opa_timeout_ms: 5000,
    }).evaluate({ ...clean, risk_tier: 'high' });
    expect(decision).toEqual({
      allow: false,
      deny: [{ code: 'HIGH_RISK_REVIEW', message: 'High-risk changes require human review' }],
      engine: 'opa:autodev/merge',
    });
  });
});

describe("the seed's own policy.rego (OPA in v0-compatible mode): text denials are POLICY_DENY", () => {
  let opa: OpaServer;
  beforeAll(async () => {
    opa = await startOpaServer([SEED_POLICY], { v0Compatible: true });
  });
  afterAll(() => opa?.close());

  const seed = () =>
    createPolicyEngine({ opa_url: opa.url, policy_package: 'autodev.merge', opa_timeout_ms: 5000 });

  it('allows a clean low-risk change', async () => {
    expect(await seed().evaluate(clean)).toEqual({ allow: true, deny: [], engine: 'opa:autodev/merge' });
  });

  it('each text in deny becomes a POLICY_DENY denial with that message', async () => {
    const decision = await seed().evaluate({ ...clean, files_changed: ['db/001.sql'] });
    expect(decision).toEqual({
      allow: false,
      deny: [{ code: 'POLICY_DENY', message: 'DB schema changes require DBA approval' }],
      engine: 'opa:autodev/merge',
    });
  });

  it("keeps the tier's floor beside the seed's own high-risk denial", async () => {
    const decision = await seed().evaluate({ ...clean, risk_tier: 'high' });
    expect(decision.fallback).toBeUndefined();
    expect(decision.allow).toBe(false);
    expect(decision.deny).toEqual(
      expect.arrayContaining([
        { code: 'POLICY_DENY', message: 'High-risk changes require human review' },
        { code: 'HIGH_RISK_REVIEW', message: 'High-risk changes require human review' },
      ]),
    );
  });

  it('a medium-risk change the seed allows is held by the medium floor', async () => {
    const decision = await seed().evaluate({ ...clean, risk_tier: 'medium' });
    expect(decision).toMatchObject({ allow: false, deny: [{ code: 'MEDIUM_RISK_REVIEW' }] });
  });
});

describe('the tiers are floors: a policy that allows everything cannot lift them', () => {
  let opa: OpaServer;
  beforeAll(async () => {
    opa = await startOpaServer([ALLOW_ALL_POLICY]);
  });
  afterAll(() => opa?.close());

  it.each<[PolicyInput['risk_tier'], boolean, string[]]>([
    ['low', true, []],
    ['medium', false, ['MEDIUM_RISK_REVIEW']],
    ['high', false, ['HIGH_RISK_REVIEW']],
  ])('%s risk: allow %s, denials %j', async (tier, allow, codes) => {
    const decision = await createPolicyEngine({
      opa_url: opa.url,
      policy_package: 'allowall/merge',
      opa_timeout_ms: 5000,
    }).evaluate({ ...clean, risk_tier: tier });
    expect(decision.fallback).toBeUndefined();
    expect(decision.allow).toBe(allow);
    expect(decision.deny.map((d) => d.code)).toEqual(codes);
  });
});

describe('OPA fails closed: the local rules decide, marked fallback, and nothing merges', () => {
  let opa: OpaServer;
  beforeAll(async () => {
    opa = await startOpaServer();
  });
  afterAll(() => opa?.close());

  const engine = (url: string, timeoutMs = 2000, policyPackage = 'autodev/merge') =>
    createPolicyEngine({ opa_url: url, policy_package: policyPackage, opa_timeout_ms: timeoutMs });

  /** A clean change the local rules would allow: only the fallback keeps it from merging. */
  async function expectFallback(url: string, reason: RegExp, timeoutMs?: number, policyPackage?: string) {
    const decision = await engine(url, timeoutMs, policyPackage).evaluate(clean);
    expect(decision).toMatchObject({ allow: false, fallback: true, engine: 'local' });
    expect(decision.reason).toMatch(reason);
    expect(decision.deny).toEqual([
      { code: 'POLICY_FALLBACK', message: expect.stringContaining(decision.reason ?? '') },
    ]);
    return decision;
  }

  it('OPA down (nothing listens on the port)', async () => {
    await expectFallback(`http://127.0.0.1:${await freePort()}`, /unreachable: ECONNREFUSED/);
  });

  it('OPA slow (a server that never answers) gives up at opa_timeout_ms', async () => {
    const silent = await startLoopbackHttp(() => {
      // Never answers.
    });
    try {
      const started = performance.now();
      await expectFallback(silent.url, /did not answer within 300 ms/, 300);
      expect(performance.now() - started).toBeLessThan(2000);
    } finally {
      await silent.close();
    }
  });

  it('the decision left undefined (no such package)', async () => {
    await expectFallback(opa.url, /left the decision undefined/, 2000, 'autodev/nothing_here');
  });

  it.each<[string, number, string, RegExp]>([
    ['malformed JSON', 200, '{"result": {"allow": tr', /not JSON/],
    ['a non-2xx status', 500, '{"code":"internal_error"}', /answered HTTP 500/],
    ['allow missing', 200, '{"result": {"deny": []}}', /unexpected document \(result\.allow/],
    ['a denial that is a number', 200, '{"result": {"allow": false, "deny": [42]}}', /unexpected document/],
    [
      'a code autodev does not know (unbounded metric labels)',
      200,
      '{"result": {"allow": false, "deny": [{"code": "WHATEVER", "message": "x"}]}}',
      /unexpected document \(result\.deny\.0\.code/,
    ],
    ['allow as a string', 200, '{"result": {"allow": "true"}}', /unexpected document/],
  ])('%s', async (_what, status, body, reason) => {
    const fake = await startLoopbackHttp((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(body);
    });
    try {
      await expectFallback(fake.url, reason);
    } finally {
      await fake.close();
    }
  });

  it('an answer larger than the cap is not read to the end', async () => {
    const huge = await startLoopbackHttp((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"result": {"allow": true, "deny": [], "pad": "');
      res.end(`${'x'.repeat(2 * 1024 * 1024)}"}}`);
    });
    try {
      await expectFallback(huge.url, /larger than 1048576 bytes/);
    } finally {
      await huge.close();
    }
  });

  it('a redirect is not followed (to another server that would allow)', async () => {
    const redirect = await startLoopbackHttp((_req, res) => {
      res.writeHead(307, { location: `${opa.url}/v1/data/autodev/merge` });
      res.end();
    });
    try {
      await expectFallback(redirect.url, /unreachable/);
    } finally {
      await redirect.close();
    }
  });

  it('keeps the local denials beside POLICY_FALLBACK', async () => {
    const decision = await engine(`http://127.0.0.1:${await freePort()}`).evaluate({
      ...clean,
      risk_tier: 'medium',
    });
    expect(decision.deny.map((d) => d.code)).toEqual(['MEDIUM_RISK_REVIEW', 'POLICY_FALLBACK']);
  });

  it('an answer that allows while it denies is a denial, not a fallback', async () => {
    const contradicting = await startLoopbackHttp((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"result": {"allow": true, "deny": [{"code": "NEW_DEPENDENCY", "message": "x"}]}}');
    });
    try {
      expect(await engine(contradicting.url).evaluate(clean)).toEqual({
        allow: false,
        deny: [{ code: 'NEW_DEPENDENCY', message: 'x' }],
        engine: 'opa:autodev/merge',
      });
    } finally {
      await contradicting.close();
    }
  });

  it('a cancelled task cancels the question instead of falling back', async () => {
    const silent = await startLoopbackHttp(() => {
      // Never answers.
    });
    try {
      const controller = new AbortController();
      const pending = engine(silent.url, 10_000).evaluate(clean, controller.signal);
      controller.abort(new Error('cancelled'));
      await expect(pending).rejects.toThrow('cancelled');
    } finally {
      await silent.close();
    }
  });
});
