import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startOpaServer, type OpaServer } from '../helpers/opa-server.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';
import { startScriptedModelServer, type ScriptedModelServer } from '../helpers/scripted-model-server.js';

const MODEL_KEY = 'sk-health-model-key-0123456789abcdef';
const HEALTH = '/api/v1/autodev/health';

interface Health {
  status: string;
  checks: { name: string; status: string; message: string }[];
}

async function health(t: TestRuntime): Promise<Health> {
  const res = await t.app.inject({ method: 'GET', url: HEALTH });
  expect(res.statusCode).toBe(200);
  return JSON.parse(res.body) as Health;
}

const check = (report: Health, name: string) => {
  const found = report.checks.find((c) => c.name === name);
  if (!found) throw new Error(`no check ${name} in ${JSON.stringify(report.checks)}`);
  return found;
};

describe('GET /api/v1/autodev/health', () => {
  let model: ScriptedModelServer;
  let opa: OpaServer;
  beforeAll(async () => {
    model = await startScriptedModelServer([], { apiKey: MODEL_KEY });
    opa = await startOpaServer();
  }, 60_000);
  afterAll(async () => {
    await model?.close();
    await opa?.close();
  });

  const configWith = (opaUrl: string, extra = '') => `[autodev]
opa_url = "${opaUrl}"
sandbox_image = "rust:1.82"
${extra}
[autodev.llm]
api_url = "${model.openaiUrl}"
api_key_env = "HEALTH_MODEL_KEY"
`;

  it('reports the model, a real OPA with its policy loaded, the tools, and a setting that does nothing', async () => {
    const t = await startTestRuntime({
      configToml: configWith(opa.url),
      env: { HEALTH_MODEL_KEY: MODEL_KEY },
    });
    try {
      const report = await health(t);
      expect(check(report, 'model.key')).toMatchObject({ status: 'ok' });
      expect(check(report, 'model.endpoint')).toMatchObject({ status: 'ok' });
      expect(check(report, 'opa')).toMatchObject({ status: 'ok' });
      expect(check(report, 'opa').message).toContain('autodev/merge');
      expect(check(report, 'tools.gitleaks')).toMatchObject({ status: 'ok' });
      expect(check(report, 'tools.opa')).toMatchObject({ status: 'ok' });
      const image = check(report, 'sandbox_image');
      expect(image.status).toBe('warn');
      expect(image.message).toContain('sandbox = "docker"');
      expect(report.status).toBe('warn');
      expect(JSON.stringify(report)).not.toContain(MODEL_KEY);
    } finally {
      await t.close();
    }
  });

  it('warns that OPA at an unreachable port holds every task, fails a refused key naming its variable, and a missing package', async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    const t = await startTestRuntime({
      configToml: configWith(down),
      env: { HEALTH_MODEL_KEY: 'sk-wrong-0123456789abcdef' },
    });
    try {
      const report = await health(t);
      const opaCheck = check(report, 'opa');
      expect(opaCheck.status).toBe('warn');
      expect(opaCheck.message).toContain(down);
      expect(opaCheck.message).toContain('held for review');
      expect(opaCheck.message).toContain('opa_url');
      const endpoint = check(report, 'model.endpoint');
      expect(endpoint.status).toBe('fail');
      expect(endpoint.message).toContain('HEALTH_MODEL_KEY');
      expect(report.status).toBe('fail');
      expect(JSON.stringify(report)).not.toContain('sk-wrong-0123456789abcdef');
    } finally {
      await t.close();
    }
    const wrongPackage = await startTestRuntime({
      configToml: configWith(opa.url, 'policy_package = "autodev/nothing_here"'),
      env: { HEALTH_MODEL_KEY: MODEL_KEY },
    });
    try {
      const opaCheck = check(await health(wrongPackage), 'opa');
      expect(opaCheck.status).toBe('fail');
      expect(opaCheck.message).toContain('policy_package');
    } finally {
      await wrongPackage.close();
    }
  });

  it('is in the OpenAPI document', async () => {
    const t = await startTestRuntime();
    try {
      const doc = JSON.parse((await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).body) as {
        paths: Record<string, { get?: { responses?: Record<string, unknown> } }>;
      };
      expect(doc.paths[HEALTH]?.get?.responses?.['200']).toBeDefined();
    } finally {
      await t.close();
    }
  });
});
