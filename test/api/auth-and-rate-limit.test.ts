import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/api-client.js';
import {
  parseErrorBody,
  parseTaskBody,
  seedTask,
  startTestRuntime,
  TASKS,
  type TestRuntime,
} from '../helpers/runtime.js';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

// Over real HTTP: the Authorization header goes through Node's HTTP parser as a client sends it.
describe('bearer auth with AUTODEV_API_TOKENS', () => {
  let t: TestRuntime;
  let taskId: string;

  beforeAll(async () => {
    t = await startTestRuntime({ env: { AUTODEV_API_TOKENS: 'tok-a,tok-b' } });
    const created = await api(t.baseUrl, TASKS, {
      method: 'POST',
      headers: bearer('tok-a'),
      body: JSON.stringify(seedTask()),
    });
    expect(created.status).toBe(201);
    taskId = parseTaskBody(created.text).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const routes = (): [string, string, string | undefined][] => [
    ['POST', TASKS, JSON.stringify(seedTask())],
    ['GET', TASKS, undefined],
    ['GET', `${TASKS}?status=queued&limit=5`, undefined],
    ['GET', `${TASKS}/${taskId}`, undefined],
    ['POST', `${TASKS}/${taskId}/cancel`, undefined],
    ['GET', `${TASKS}/${taskId}/events`, undefined],
    ['GET', `${TASKS}/${taskId}/events?stream=true`, undefined],
    ['GET', `${TASKS}/${taskId}/logs`, undefined],
    // The router decodes the path: an encoded spelling reaches the same routes and needs the same token.
    ['GET', '/%61pi/v1/autodev/tasks', undefined],
    ['GET', `/api/v1/autodev/%74asks/${taskId}`, undefined],
    ['GET', '/api/v1/unknown', undefined],
  ];

  it.each([
    ['no header', {}],
    ['a wrong token', bearer('tok-c')],
    ['a token prefix', bearer('tok')],
    ['a token with a suffix', bearer('tok-a2')],
    ['two tokens', { authorization: 'Bearer tok-a tok-b' }],
    ['another scheme', { authorization: 'Basic dG9rLWE6' }],
    ['the bare token', { authorization: 'tok-a' }],
    ['an empty bearer', { authorization: 'Bearer ' }],
  ])('answers %s with 401 UNAUTHORIZED on every /api route', async (_name, headers) => {
    for (const [method, path, body] of routes()) {
      const res = await api(t.baseUrl, path, { method, headers, body });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(parseErrorBody(res.text).code).toBe('UNAUTHORIZED');
    }
    // Nothing was cancelled or created by the refused requests.
    const task = await api(t.baseUrl, `${TASKS}/${taskId}`, { headers: bearer('tok-b') });
    expect(parseTaskBody(task.text).status).toBe('queued');
  });

  it('lets either configured token through, in any case of the scheme', async () => {
    for (const headers of [bearer('tok-b'), bearer('tok-a'), { authorization: 'bearer tok-b' }]) {
      const one = await api(t.baseUrl, `${TASKS}/${taskId}`, { headers });
      expect(one.status).toBe(200);
      expect(parseTaskBody(one.text).id).toBe(taskId);
    }
    const events = await api(t.baseUrl, `${TASKS}/${taskId}/events`, { headers: bearer('tok-b') });
    expect(events.status).toBe(200);
    const logs = await api(t.baseUrl, `${TASKS}/${taskId}/logs`, { headers: bearer('tok-b') });
    expect(logs.status).toBe(200);
    const created = await api(t.baseUrl, TASKS, {
      method: 'POST',
      headers: bearer('tok-b'),
      body: JSON.stringify(seedTask()),
    });
    expect(created.status).toBe(201);
    const cancel = await api(t.baseUrl, `${TASKS}/${parseTaskBody(created.text).id}/cancel`, {
      method: 'POST',
      headers: bearer('tok-b'),
    });
    expect(cancel.status).toBe(202);
  });

  it('serves /healthz, /metrics and the OpenAPI document (documentation) without a token', async () => {
    const health = await api(t.baseUrl, '/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok' });
    const metrics = await fetch(`${t.baseUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('autodev_tasks_total');
    const openapi = await api(t.baseUrl, '/api/v1/openapi.json');
    expect(openapi.status).toBe(200);
    expect(openapi.body).toMatchObject({ openapi: expect.stringMatching(/^3\./) });
    expect(openapi.text).toContain('"bearer"');
  });

  it('never echoes a presented token, right or wrong', async () => {
    const wrong = await api(t.baseUrl, TASKS, { headers: bearer('tok-wrong-0123456789') });
    expect(wrong.text).not.toContain('tok-wrong-0123456789');
    expect(t.logs()).not.toContain('tok-a');
    expect(t.logs()).not.toContain('tok-b');
  });
});

describe('rate limit per token', () => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await startTestRuntime({
      configToml: '[autodev]\nrate_limit_per_minute = 5\n',
      env: { AUTODEV_API_TOKENS: 'tok-a,tok-b' },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers the 6th request of one token with 429 RATE_LIMITED while another token still passes', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await api(t.baseUrl, TASKS, { headers: bearer('tok-a') });
      expect(res.status, `request ${i + 1}`).toBe(200);
    }
    const sixth = await api(t.baseUrl, TASKS, { headers: bearer('tok-a') });
    expect(sixth.status).toBe(429);
    expect(sixth.text).toMatch(/^\{/);
    expect(parseErrorBody(sixth.text).code).toBe('RATE_LIMITED');
    // The limit counts requests of any route and method under the API, POST included.
    const post = await api(t.baseUrl, TASKS, {
      method: 'POST',
      headers: bearer('tok-a'),
      body: JSON.stringify(seedTask()),
    });
    expect(post.status).toBe(429);

    const other = await api(t.baseUrl, TASKS, { headers: bearer('tok-b') });
    expect(other.status).toBe(200);
    // Health stays reachable for probes whatever the API budget.
    expect((await api(t.baseUrl, '/healthz')).status).toBe(200);
  });
});

// Rotating the Authorization header must not buy a fresh budget: only a configured token has its own.
describe('rate limit with no API tokens configured', () => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await startTestRuntime({ configToml: '[autodev]\nrate_limit_per_minute = 5\n' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts requests by client address, whatever Bearer header each one carries', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await api(t.baseUrl, TASKS, { headers: bearer(`rotated-${i}`) });
      expect(res.status, `request ${i + 1}`).toBe(200);
    }
    for (const headers of [bearer('rotated-6'), {}]) {
      const res = await api(t.baseUrl, TASKS, { headers });
      expect(res.status).toBe(429);
      expect(parseErrorBody(res.text).code).toBe('RATE_LIMITED');
    }
  });
});

describe('rate limit for wrong tokens', () => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await startTestRuntime({
      configToml: '[autodev]\nrate_limit_per_minute = 5\n',
      env: { AUTODEV_API_TOKENS: 'tok-a' },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses the 6th wrong token from one address with 429, while a configured token keeps its own budget', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await api(t.baseUrl, TASKS, { headers: bearer(`guess-${i}`) });
      expect(res.status, `guess ${i + 1}`).toBe(401);
    }
    for (const headers of [bearer('guess-6'), {}]) {
      const res = await api(t.baseUrl, TASKS, { headers });
      expect(res.status).toBe(429);
      expect(parseErrorBody(res.text).code).toBe('RATE_LIMITED');
    }
    expect((await api(t.baseUrl, TASKS, { headers: bearer('tok-a') })).status).toBe(200);
  });
});
