import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../helpers/api-client.js';
import { seedAwaitingReview } from '../helpers/seed-review.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';

const HOOK = '/api/v1/autodev/webhooks';
const PAYLOAD = JSON.stringify({ action: 'submitted', review: { state: 'approved' } });

describe('POST /api/v1/autodev/webhooks/{provider} with a webhook secret and API tokens', () => {
  let t: TestRuntime;
  let taskId: string;
  beforeAll(async () => {
    t = await startTestRuntime({
      env: { AUTODEV_WEBHOOK_SECRET: 'whsec-0123456789abcdef', AUTODEV_API_TOKENS: 'tok-a' },
    });
    taskId = await seedAwaitingReview(t.runtime.store);
  });
  afterAll(() => t?.close());

  const snapshot = async () => ({
    events: (await t.runtime.store.events.list(taskId)).length,
    reviews: (await t.runtime.store.prReviews.list(taskId)).length,
    task: (await t.runtime.store.tasks.get(taskId))?.status,
  });

  it('refuses a bad or missing signature with 401 without the API token, and changes nothing', async () => {
    const before = await snapshot();
    const attempts: Record<string, string>[] = [
      {},
      { 'x-hub-signature-256': 'sha256=0000', 'x-gitlab-token': 'guess', 'x-gitea-signature': 'ffff' },
    ];
    for (const headers of attempts) {
      const res = await api(t.baseUrl, `${HOOK}/local`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: PAYLOAD,
      });
      // Not UNAUTHORIZED for the missing bearer token: a forge cannot send one, its signature is the check.
      expect(res.status, res.text).toBe(401);
      expect(res.body).toMatchObject({ error: { code: 'WEBHOOK_UNVERIFIED' } });
      expect(res.text).not.toContain('whsec-');
    }
    expect(await snapshot()).toEqual(before);
    expect(t.logs()).not.toContain('whsec-0123456789abcdef');
  });

  it('answers 404 naming both providers for a provider that is not the configured one, 400 for a malformed one', async () => {
    const other = await api(t.baseUrl, `${HOOK}/github`, { method: 'POST', body: PAYLOAD });
    expect(other.status).toBe(404);
    expect(other.body).toMatchObject({
      error: { code: 'WEBHOOK_PROVIDER_UNKNOWN', details: { value: 'github', expected: 'local' } },
    });
    const malformed = await api(t.baseUrl, `${HOOK}/Git%20Hub`, { method: 'POST', body: PAYLOAD });
    expect(malformed.status).toBe(400);
    expect(malformed.text).toContain('provider');
  });

  it('refuses a body over the webhook size limit with 413, whatever its content type', async () => {
    const res = await api(t.baseUrl, `${HOOK}/local`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: 'x'.repeat(600 * 1024),
    });
    expect(res.status).toBe(413);
  });
});

describe('POST /api/v1/autodev/webhooks/{provider} without a webhook secret', () => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await startTestRuntime();
  });
  afterAll(() => t?.close());

  it('answers 503 naming the environment variable to set', async () => {
    const res = await api(t.baseUrl, `${HOOK}/local`, { method: 'POST', body: PAYLOAD });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: { code: 'WEBHOOK_SECRET_MISSING' } });
    expect(res.text).toContain('AUTODEV_WEBHOOK_SECRET');
  });
});
