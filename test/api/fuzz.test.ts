import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseErrorBody,
  parseTaskBody,
  parseTaskList,
  seedTask,
  startTestRuntime,
  TASKS,
  type TestRuntime,
} from '../helpers/runtime.js';
import { createSeededRandom, type SeededRandom } from '../helpers/seeded-random.js';

type Random = SeededRandom;

const SEED = Number(process.env.FUZZ_SEED ?? 20240601);
const REQUESTS = 2400;

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  '%2e%2e/%2e%2e',
  '%00',
  '\u202e\u0645\u0631\u062d\u0628\u0627',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🦀',
  '\uFEFF',
  '\uD800', // a lone surrogate
  '<script>alert(1)</script>',
  "'; DROP TABLE tasks; --",
  '${jndi:ldap://x}',
  '__proto__',
  'constructor',
  '-oProxyCommand=x',
  'ext::sh -c id',
  'NaN',
  '-1',
  '1e309',
  'null',
  'true',
];

function randomString(r: Random, max = 40): string {
  if (r.next() < 0.4) return r.pick(NASTY_STRINGS);
  const length = r.int(max);
  let out = '';
  for (let i = 0; i < length; i++) {
    const kind = r.int(4);
    if (kind === 0)
      out += String.fromCharCode(r.int(32)); // control characters, NUL included
    else if (kind === 1) out += String.fromCharCode(32 + r.int(95));
    else if (kind === 2) out += String.fromCodePoint(r.int(0x2ffff));
    else out += r.pick(['/', '.', '%', '?', '#', '&', '=', '\\', '"']);
  }
  return out;
}

function randomJson(r: Random, depth = 0): unknown {
  const kind = depth > 4 ? r.int(5) : r.int(8);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return r.next() < 0.5;
    case 2:
      return r.pick([0, -1, 1.5, 2 ** 53 + 1, -0, 1e308]);
    case 3:
      return randomString(r);
    case 4:
      return 'x'.repeat(r.pick([501, 2049, 100_001]));
    case 5:
      return Array.from({ length: r.int(4) }, () => randomJson(r, depth + 1));
    default: {
      const out: Record<string, unknown> = {};
      for (let i = r.int(4); i > 0; i--) out[randomString(r, 10)] = randomJson(r, depth + 1);
      return out;
    }
  }
}

/** A task body with at least one fault, so no request of the fuzz may create a task. */
function brokenTask(r: Random): unknown {
  const body: Record<string, unknown> = { ...seedTask() };
  const faults: (() => void)[] = [
    () => delete body.title,
    () => delete body.repo,
    () => (body.title = r.pick(['', '   ', '\t\n', 'x'.repeat(501), 7, null, ['t'], {}])),
    () => (body.repo = r.pick([7, null, {}, [], '', 'relative/x', 'ext::sh', '-x', 'https://u:p@h.x/a/b'])),
    () => (body.base_branch = r.pick(['--upload-pack=x', 'a..b', '', '-', 'a b', 'x.lock', '/a', 'a//b'])),
    () => (body.risk_tier = r.pick(['extreme', 'LOW', '', 1, null])),
    () => (body.constraints = r.pick(['one', [1], Array.from({ length: 101 }, () => 'c'), [null]])),
    () => (body.acceptance = r.pick([{}, [['nested']], ['x'.repeat(2001)]])),
    () => (body[`unknown_${randomString(r, 8)}`] = randomJson(r)),
    () => (body.description = r.pick([5, null, [], 'x'.repeat(100_001)])),
  ];
  for (let i = 1 + r.int(3); i > 0; i--) r.pick(faults)();
  return body;
}

function deepNesting(r: Random): string {
  const depth = r.pick([100, 5_000, 100_000]);
  const open = r.next() < 0.5 ? '[' : '{"a":';
  const close = open === '[' ? ']' : '}';
  return `{"title":${open.repeat(depth)}1${close.repeat(depth)},"repo":"/srv/git/x.git"}`;
}

function randomBytes(r: Random): Buffer {
  const out = Buffer.alloc(r.pick([0, 1, 17, 300, 5000]));
  for (let i = 0; i < out.length; i++) out[i] = r.int(256);
  return out;
}

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'APPLICATION/JSON',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/octet-stream',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/merge-patch+json',
  'text/event-stream',
  ';;;',
  'application/json\u0000',
];

/** encodeURIComponent, with a lone surrogate (which it refuses) sent as its invalid UTF-8 bytes. */
function encode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
}

function encodeSegment(r: Random, value: string): string {
  // Most ids encoded as a client would; some raw (traversal, bad escapes) as an attacker would.
  if (r.next() < 0.7) return encode(value);
  return r.pick([
    '..',
    '..%2F..%2Fetc',
    '%E0%A4%A',
    '%',
    '%zz',
    '%00',
    'a%2fb',
    '.',
    'x'.repeat(300),
    '%C0%AE',
  ]);
}

function randomQuery(r: Random): string {
  const keys = ['status', 'repo', 'risk_tier', 'cursor', 'limit', 'after', 'stream', randomString(r, 6)];
  // First, one key no route accepts (every query schema is strict), so the request stays invalid even
  // when a raw `#` below cuts the rest off as a fragment.
  const parts: string[] = [`fuzz_${r.int(1000)}=1`];
  for (let i = 1 + r.int(3); i > 0; i--) {
    const key = r.pick(keys);
    const value = r.pick([randomString(r), '-1', '0', '99999', 'abc', '1.5', 'x'.repeat(3000), '']);
    parts.push(`${encode(key)}=${r.next() < 0.8 ? encode(value) : value}`);
  }
  return parts.join('&');
}

interface FuzzRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'OPTIONS';
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

function randomRequest(r: Random): FuzzRequest {
  // A bare `.` or `..` id is not malformed: the router resolves it to a neighbouring route (`/`, the
  // dashboard's page; `tasks/../events`, the live event stream). Those are drawn again; the encoded
  // traversals (%2e%2e, a%2fb) stay.
  const id = () => {
    let segment: string;
    do segment = encodeSegment(r, randomString(r, 30));
    while (segment === '.' || segment === '..');
    return segment;
  };
  const headers: Record<string, string> = {};
  if (r.next() < 0.2) headers.accept = r.pick(['text/event-stream', '*/*', 'application/xml', '']);
  switch (r.int(8)) {
    case 0: // random bytes under a random content type
      headers['content-type'] = r.pick(CONTENT_TYPES);
      return { method: 'POST', url: TASKS, headers, payload: randomBytes(r) };
    case 1: // JSON of a wrong shape, or a task with faults
    case 2: {
      headers['content-type'] = r.pick(CONTENT_TYPES.slice(0, 2));
      const body = r.next() < 0.7 ? brokenTask(r) : randomJson(r);
      return { method: 'POST', url: TASKS, headers, payload: JSON.stringify(body) ?? 'undefined' };
    }
    case 3: // deep nesting, or a body over max_body_bytes (1 MiB)
      headers['content-type'] = 'application/json';
      return {
        method: 'POST',
        url: TASKS,
        headers,
        payload:
          r.next() < 0.2 ? JSON.stringify(seedTask({ description: 'x'.repeat(1_100_000) })) : deepNesting(r),
      };
    case 4: // ids of every kind on every task route
      return {
        method: r.pick(['GET', 'GET', 'POST'] as const),
        url: `${TASKS}/${id()}${r.pick(['', '/events', '/logs', '/cancel', '/events?stream=true'])}`,
        headers,
      };
    case 5: // invalid query strings
      return {
        method: 'GET',
        url: r.pick([`${TASKS}?${randomQuery(r)}`, `${TASKS}/${id()}/events?${randomQuery(r)}`]),
        headers,
      };
    case 6: // methods no route has
      return {
        method: r.pick(['PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const),
        url: r.pick([TASKS, `${TASKS}/${id()}`, '/healthz', '/metrics', '/api/v1/openapi.json', `/${id()}`]),
        headers: { ...headers, 'content-type': r.pick(CONTENT_TYPES) },
        payload: r.next() < 0.5 ? randomBytes(r) : undefined,
      };
    default: // paths no route has
      return { method: r.pick(['GET', 'POST'] as const), url: `/${id()}/${id()}?${randomQuery(r)}`, headers };
  }
}

describe(`fuzz: ${REQUESTS} malformed requests (seed ${SEED}) through every route`, () => {
  let t: TestRuntime;
  beforeAll(async () => {
    t = await startTestRuntime({ configToml: '[autodev]\nrate_limit_per_minute = 0\n' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers every one with a 4xx JSON error, creates nothing, and keeps serving', async () => {
    const r = createSeededRandom(SEED);
    const statuses = new Map<number, number>();
    for (let i = 0; i < REQUESTS; i++) {
      const request = randomRequest(r);
      const res = await t.app.inject(request);
      const label = `#${i} ${request.method} ${request.url.slice(0, 200)} -> ${res.statusCode} ${res.body.slice(0, 300)}`;
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      expect(res.statusCode, label).toBeGreaterThanOrEqual(400);
      expect(res.statusCode, label).toBeLessThan(500);
      expect(res.headers['content-type'], label).toMatch(/^application\/json/);
      expect(() => parseErrorBody(res.body), label).not.toThrow();
      expect(parseErrorBody(res.body).code, label).toMatch(/^[A-Z_]+$/);
    }
    // The mix reached validation, not just the router: several kinds of refusal were seen.
    for (const status of [400, 404, 413])
      expect(statuses.get(status) ?? 0, `status ${status}`).toBeGreaterThan(0);

    const list = await t.app.inject({ method: 'GET', url: `${TASKS}?limit=200` });
    expect(parseTaskList(list.body).tasks).toEqual([]);

    const health = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok' });
    const valid = await t.app.inject({ method: 'POST', url: TASKS, payload: seedTask() });
    expect(valid.statusCode).toBe(201);
    expect(parseTaskBody(valid.body).status).toBe('queued');
    expect(t.logs()).not.toContain('"level":50');
  });
});
