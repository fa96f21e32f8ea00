import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sign } from '@octokit/webhooks-methods';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGithubForge } from '../../src/forges/github.js';
import type { Forge } from '../../src/forges/types.js';
import { githubConfig, pushBranch } from '../helpers/fake-github/client-side.js';
import { startFakeGithub, type FakeGithub } from '../helpers/fake-github/server.js';

const SECRET = 'webhook-secret-for-tests';
const TOKEN = 'ghp_webhooktoken0123456789';

interface Received {
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
}

describe('github webhooks: X-Hub-Signature-256 and the pull request an event is about', () => {
  let forge: Forge;
  let fake: FakeGithub;
  const received: Received[] = [];
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, rawBody: Buffer.concat(chunks) });
      res.writeHead(202).end();
    });
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/github`;
    fake = await startFakeGithub({ token: TOKEN, webhook: { url, secret: SECRET } });
    forge = createGithubForge(await githubConfig({ apiUrl: fake.apiUrl, token: TOKEN }), {
      timing: { writeSpacingMs: 0, notificationSpacingMs: 0 },
    });
  });
  afterAll(async () => {
    await fake.close();
    receiver.closeAllConnections();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  const request = async (event: string, payload: object, secret = SECRET) => {
    const rawBody = Buffer.from(JSON.stringify(payload));
    return {
      headers: { 'x-github-event': event, 'x-hub-signature-256': await sign(secret, rawBody.toString()) },
      rawBody,
    };
  };
  const repository = { full_name: 'acme/app', html_url: 'https://github.com/acme/app' };

  it('accepts a good signature and refuses a bad, a missing or a malformed one', async () => {
    const good = await request('ping', { zen: 'hi' });
    expect(await forge.verifyWebhook(good, SECRET)).toBe(true);
    expect(await forge.verifyWebhook(await request('ping', { zen: 'hi' }, 'other'), SECRET)).toBe(false);
    expect(await forge.verifyWebhook({ ...good, rawBody: Buffer.from('{"zen":"ho"}') }, SECRET)).toBe(false);
    expect(
      await forge.verifyWebhook({ headers: { 'x-github-event': 'ping' }, rawBody: good.rawBody }, SECRET),
    ).toBe(false);
    const malformed = { ...good, headers: { ...good.headers, 'x-hub-signature-256': 'sha256=zz' } };
    expect(await forge.verifyWebhook(malformed, SECRET)).toBe(false);
    expect(await forge.verifyWebhook(good, '')).toBe(false);
  });

  it('names the pull request of review events and of comments on a pull request, nothing else', async () => {
    const pr = { number: 7, head: { ref: 'autodev/t1' } };
    for (const event of ['pull_request', 'pull_request_review', 'pull_request_review_comment']) {
      expect(
        forge.webhookTarget(await request(event, { action: 'submitted', repository, pull_request: pr })),
      ).toEqual({
        repo: { repo: 'https://github.com/acme/app', path: 'acme/app', owner: 'acme', name: 'app' },
        number: 7,
        branch: 'autodev/t1',
      });
    }
    const onPr = { repository, issue: { number: 7, pull_request: { url: 'x' } } };
    expect(forge.webhookTarget(await request('issue_comment', onPr))).toMatchObject({ number: 7 });
    const onIssue = { repository, issue: { number: 8 } };
    expect(forge.webhookTarget(await request('issue_comment', onIssue))).toBeUndefined();
    expect(forge.webhookTarget(await request('ping', { zen: 'hi' }))).toBeUndefined();
    expect(
      forge.webhookTarget({ headers: { 'x-github-event': 'pull_request' }, rawBody: Buffer.from('{') }),
    ).toBe(undefined);
    const hostile = { repository: { ...repository, full_name: '../../etc' }, pull_request: pr };
    expect(forge.webhookTarget(await request('pull_request', hostile))).toBeUndefined();
  });

  it('verifies the signed events the fake GitHub sends when a reviewer approves', async () => {
    const repoUrl = await fake.createRepo('acme', 'hooked', { 'a.txt': 'a\n' });
    const head = await pushBranch({
      repoUrl,
      auth: forge.gitAuth(),
      branch: 'autodev/hook',
      change: async () => {},
    });
    const pr = await forge.ensurePullRequest({
      taskId: 't',
      repo: repoUrl,
      branch: 'autodev/hook',
      baseBranch: 'main',
      title: 'hook',
      body: '',
      headCommit: head,
    });
    await fake.approve(pr.number ?? 0, 'dana');
    expect(fake.webhookDeliveries).toEqual([{ event: 'pull_request_review', status: 202 }]);
    const delivery = received[0];
    if (!delivery) throw new Error('no delivery');
    const asReceived = { headers: delivery.headers, rawBody: delivery.rawBody };
    expect(await forge.verifyWebhook(asReceived, SECRET)).toBe(true);
    expect(await forge.verifyWebhook(asReceived, 'wrong')).toBe(false);
    expect(forge.webhookTarget(asReceived)).toMatchObject({ number: pr.number, branch: 'autodev/hook' });
    expect(fake.violations).toEqual([]);
  });
});
