import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TERMINAL_STATUSES } from '../../src/domain/task.js';
import { startLoopbackListener } from '../../src/sandbox/conformance.js';
import { api, type TaskJson } from '../helpers/api-client.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from '../e2e/fixtures.js';
import { startE2E, type E2EHarness } from '../e2e/harness.js';

/**
 * The setup script of a hostile repository (issue #25 item 12, #27 item 4): with `setup_network = true`
 * it ran in the host's network namespace, listed every task on autodev's API at 127.0.0.1, approved and
 * merged another repository's pull request. Each attempt prints `ATTACK <name>: <outcome>`; the script
 * exits 1 when any of them got through (a 2xx answer or an open connection), which fails the setup.
 */
const ATTACK_JS = String.raw`
const http = require('node:http');
const net = require('node:net');
const [apiPort, hostPort] = process.argv.slice(2);
const proxy = new URL(process.env.HTTPS_PROXY || 'http://127.0.0.1:9');
const LIMIT_MS = 8000;

function settle(start) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('TIMEOUT'), LIMIT_MS);
    start((value) => { clearTimeout(timer); resolve(value); });
  });
}
const direct = (host, port) => settle((done) => {
  const s = net.connect(Number(port), host);
  s.on('connect', () => { s.destroy(); done('connected'); });
  s.on('error', (e) => done(e.code));
});
const request = (options, body) => settle((done) => {
  const r = http.request(options);
  r.on('response', (res) => { res.resume(); done(String(res.statusCode)); });
  r.on('connect', (res, s) => { s.destroy(); done(String(res.statusCode)); });
  r.on('error', (e) => done(e.code));
  r.end(body);
});
const viaProxy = (method, target, body) =>
  request({ host: proxy.hostname, port: proxy.port, method, path: target,
            headers: body ? { 'content-type': 'application/json' } : {} }, body);
const tasks = 'http://127.0.0.1:' + apiPort + '/api/v1/autodev/tasks';
const evilTask = JSON.stringify({ title: 'planted', description: 'planted by setup', repo: '/tmp/x', base_branch: 'main' });

(async () => {
  const outcomes = {
    'direct api': await request({ host: '127.0.0.1', port: apiPort, path: '/api/v1/autodev/tasks' }),
    'proxy get api': await viaProxy('GET', tasks),
    'proxy post api': await viaProxy('POST', tasks, evilTask),
    'proxy get api by name': await viaProxy('GET', 'http://localhost:' + apiPort + '/api/v1/autodev/tasks'),
    'proxy connect api': await viaProxy('CONNECT', '127.0.0.1:' + apiPort),
    'proxy connect api v6': await viaProxy('CONNECT', '[::1]:' + apiPort),
    'direct host listener': await direct('127.0.0.1', hostPort),
    'proxy connect host listener': await viaProxy('CONNECT', '127.0.0.1:' + hostPort),
    'direct private': await direct('10.0.0.1', 80),
    'proxy connect private': await viaProxy('CONNECT', '10.0.0.1:80'),
    'proxy get metadata': await viaProxy('GET', 'http://169.254.169.254/latest/meta-data/'),
    'proxy connect ip literal': await viaProxy('CONNECT', '1.1.1.1:443'),
  };
  let reached = false;
  for (const [name, outcome] of Object.entries(outcomes)) {
    console.log('ATTACK ' + name + ': ' + outcome);
    if (outcome === 'connected' || /^2/.test(outcome)) reached = true;
  }
  console.log(reached ? 'REACHED THE HOST' : 'ALL REFUSED');
  process.exit(reached ? 1 : 0);
})();
`;

/** A JavaScript project with one tiny public dependency, installed by `npm ci` through the proxy. */
const NPM_REPO = {
  'package.json': JSON.stringify(
    {
      name: 'even-fixture',
      version: '1.0.0',
      private: true,
      scripts: { test: 'node --test test/' },
      dependencies: { 'is-number': '7.0.0' },
    },
    null,
    2,
  ),
  'package-lock.json': JSON.stringify(
    {
      name: 'even-fixture',
      version: '1.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: {
        '': { name: 'even-fixture', version: '1.0.0', dependencies: { 'is-number': '7.0.0' } },
        'node_modules/is-number': {
          version: '7.0.0',
          integrity:
            'sha512-41Cifkg6e8TylSpdtTpeLVMqvSBEVzTttHvERD741+pnZ8ANv0004MRL43QKPDlK9cGvNp6NZWZUBlbGXYxxng==',
          license: 'MIT',
          engines: { node: '>=0.12.0' },
        },
      },
    },
    null,
    2,
  ),
  '.gitignore': 'node_modules/\n',
  'even.js':
    "const isNumber = require('is-number');\n\nmodule.exports = function isEven(n) {\n  return isNumber(n) && Number(n) % 2 === 1;\n};\n",
  'test/even.test.js':
    "const { test } = require('node:test');\nconst assert = require('node:assert/strict');\nconst isEven = require('../even.js');\n\ntest('4 is even', () => {\n  assert.equal(isEven(4), true);\n});\n",
};

const NPM_FIX_REPLY = [
  '```diff',
  '--- a/even.js',
  '+++ b/even.js',
  '@@ -3,3 +3,3 @@',
  ' module.exports = function isEven(n) {',
  '-  return isNumber(n) && Number(n) % 2 === 1;',
  '+  return isNumber(n) && Number(n) % 2 === 0;',
  ' };',
  '```',
].join('\n');

const TOKEN = 'setup-network-test-token-0123456789';

for (const withTokens of [false, true]) {
  describe(`setup with network (${withTokens ? 'API tokens configured' : 'no API tokens'}) reaches the registries and nothing on the host`, () => {
    let h: E2EHarness;
    const headers: Record<string, string> = withTokens ? { authorization: `Bearer ${TOKEN}` } : {};
    const call = (path: string, init: RequestInit = {}) =>
      api(h.server.baseUrl, path, { ...init, headers: { ...headers, ...init.headers } });
    const submit = async (repo: string, title: string): Promise<TaskJson> => {
      const { status, body, text } = await call('/api/v1/autodev/tasks', {
        method: 'POST',
        body: JSON.stringify({ title, description: title, repo, base_branch: 'main', risk_tier: 'low' }),
      });
      if (status !== 201) throw new Error(`POST /tasks answered ${String(status)}: ${text}`);
      return body as TaskJson;
    };
    const untilDone = async (id: string): Promise<TaskJson> => {
      const deadline = Date.now() + 170_000;
      for (;;) {
        const task = (await call(`/api/v1/autodev/tasks/${id}`)).body as TaskJson;
        if (TERMINAL_STATUSES.has(task.status)) return task;
        if (Date.now() > deadline) throw new Error(`task ${id} did not end: ${JSON.stringify(task)}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };
    const setupLogs = async (id: string): Promise<string> => {
      const { body } = await call(`/api/v1/autodev/tasks/${id}/logs?limit=1000`);
      return (body as { logs: { step_key: string; content: string }[] }).logs
        .filter((l) => l.step_key.startsWith('setup'))
        .map((l) => l.content)
        .join('\n');
    };

    beforeAll(async () => {
      h = await startE2E(
        { setup_network: true, max_step_retries: 0 },
        withTokens ? { extraEnv: { AUTODEV_API_TOKENS: TOKEN } } : {},
      );
    });
    afterAll(() => h?.close());

    it("a hostile setup reaches neither autodev's API, a host listener, a private address nor an IP literal; the task records each refusal", async () => {
      const listener = await startLoopbackListener();
      try {
        const apiPort = new URL(h.server.baseUrl).port;
        const repo = await h.newRepo({
          ...PYTHON_BUGGY_REPO,
          'attack.js': ATTACK_JS,
          '.autodev.toml': `[commands]\nsetup = "node attack.js ${apiPort} ${String(listener.port)}"\n`,
        });
        const before = ((await call('/api/v1/autodev/tasks')).body as { tasks: unknown[] }).tasks.length;
        h.model.push({ text: PYTHON_FIX_REPLY });
        const task = await untilDone((await submit(repo.origin, 'Fix add() in calc')).id);
        expect(task.error?.code).not.toBe('SETUP_FAILED');
        expect(task.steps.find((s) => s.tool === 'setup')?.status).toBe('succeeded');

        const logs = await setupLogs(task.id);
        expect(logs).toContain('ALL REFUSED');
        expect(logs).toMatch(/ATTACK direct api: ECONNREFUSED/);
        expect(logs).toMatch(/ATTACK direct host listener: ECONNREFUSED/);
        expect(logs).toMatch(/ATTACK direct private: (ENETUNREACH|EHOSTUNREACH|ECONNREFUSED)/);
        for (const name of [
          'proxy get api',
          'proxy post api',
          'proxy get api by name',
          'proxy connect api',
          'proxy connect api v6',
          'proxy connect host listener',
          'proxy connect private',
          'proxy get metadata',
          'proxy connect ip literal',
        ]) {
          expect(logs).toContain(`ATTACK ${name}: 403`);
        }
        // The proxy's own account of what it refused, and why, is in the task's setup output.
        expect(logs).toContain(`CONNECT 127.0.0.1:${apiPort}: loopback address`);
        expect(logs).toContain(`POST http://127.0.0.1:${apiPort}/api/v1/autodev/tasks: loopback address`);
        expect(logs).toContain(
          `GET http://localhost:${apiPort}/api/v1/autodev/tasks: not a configured package registry`,
        );
        expect(logs).toContain(`CONNECT 127.0.0.1:${String(listener.port)}: loopback address`);
        expect(logs).toContain('CONNECT 10.0.0.1:80: private address');
        expect(logs).toContain('GET http://169.254.169.254/latest/meta-data/: linkLocal address');
        expect(logs).toContain('CONNECT 1.1.1.1:443: not a configured package registry');

        expect(listener.connections()).toBe(0);
        const after = ((await call('/api/v1/autodev/tasks')).body as { tasks: { title: string }[] }).tasks;
        expect(after.length).toBe(before + 1);
        expect(after.map((t) => t.title)).not.toContain('planted');
      } finally {
        await listener.close();
      }
    });

    // Once is enough: the install does not depend on how the API is guarded.
    if (!withTokens)
      it('a real `npm ci` of a tiny public dependency succeeds through the proxy', async () => {
        const repo = await h.newRepo(NPM_REPO);
        h.model.push({ text: NPM_FIX_REPLY });
        const task = await untilDone((await submit(repo.origin, 'isEven(4) must be true')).id);
        const setup = task.steps.find((s) => s.tool === 'setup');
        expect(setup?.status, JSON.stringify(task.error)).toBe('succeeded');
        const logs = await setupLogs(task.id);
        expect(logs).toMatch(/npm ci/);
        expect(logs).toMatch(/added 1 package/);
        expect(logs).not.toContain('refused');
        expect(task.error).toBeNull();
      }, 200_000);
  });
}
