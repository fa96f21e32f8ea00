import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  detailFields,
  parseErrorBody,
  parseTaskBody,
  parseTaskList,
  seedTask,
  startTestRuntime,
  TASKS,
  type TestRuntime,
} from '../helpers/runtime.js';

// The scheduler is not started: every task stays queued, so nothing here needs a model or a repo.
describe('POST /tasks validation and GET /tasks listing', () => {
  let t: TestRuntime;

  beforeAll(async () => {
    t = await startTestRuntime({ configToml: '[autodev]\nmax_body_bytes = 4096\n' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const post = (payload: string | Record<string, unknown>, contentType = 'application/json') =>
    t.app.inject({
      method: 'POST',
      url: TASKS,
      headers: { 'content-type': contentType },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });

  it('answers the seed body with 201, a queued task and its id', async () => {
    const res = await post(seedTask());
    expect(res.statusCode).toBe(201);
    const task = parseTaskBody(res.body);
    expect(task.status).toBe('queued');
    expect(task.id).toMatch(/^[0-9a-z]{26}$/);
    expect(task.repo).toBe('/srv/git/yourrepo.git');
    const again = await t.app.inject({ method: 'GET', url: `${TASKS}/${task.id}` });
    expect(again.statusCode).toBe(200);
    expect(parseTaskBody(again.body).id).toBe(task.id);
  });

  it('answers invalid JSON with 400 VALIDATION_FAILED', async () => {
    const res = await post('{"title": "x", "repo": ');
    expect(res.statusCode).toBe(400);
    expect(parseErrorBody(res.body).code).toBe('VALIDATION_FAILED');
  });

  it('names each missing field', async () => {
    const res = await post({ description: 'no title, no repo' });
    expect(res.statusCode).toBe(400);
    const error = parseErrorBody(res.body);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(detailFields(error).sort()).toEqual(['body.repo', 'body.title']);
  });

  it('names every wrong field at once: types, unknown key, branch, risk tier', async () => {
    const res = await post({
      title: 42,
      repo: ['/srv/git/x.git'],
      constraints: 'not a list',
      base_branch: 'a..b',
      risk_tier: 'extreme',
      priority: 'urgent',
    });
    expect(res.statusCode).toBe(400);
    const error = parseErrorBody(res.body);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(detailFields(error).sort()).toEqual([
      'body.base_branch',
      'body.constraints',
      'body.priority',
      'body.repo',
      'body.risk_tier',
      'body.title',
    ]);
    for (const field of detailFields(error)) expect(error.message).toContain(field);
  });

  it.each(['--upload-pack=x', 'a..b', '-b', 'main.lock', 'x y', 'refs/@{1}', ''])(
    'refuses base_branch %j naming body.base_branch',
    async (branch) => {
      const res = await post(seedTask({ base_branch: branch }));
      expect(res.statusCode).toBe(400);
      const error = parseErrorBody(res.body);
      expect(error.code).toBe('VALIDATION_FAILED');
      // An empty name breaks two rules of the one field: each is named, no other field is.
      expect(new Set(detailFields(error))).toEqual(new Set(['body.base_branch']));
    },
  );

  it('refuses an empty or blank title', async () => {
    for (const title of ['', '   ']) {
      const res = await post(seedTask({ title }));
      expect(res.statusCode).toBe(400);
      expect(detailFields(parseErrorBody(res.body))).toEqual(['body.title']);
    }
  });

  it('refuses control characters in the title (NUL, newline, escape) naming the field', async () => {
    for (const title of ['fix\u0000it', 'two\nlines', 'color \u001b[31mred', 'bell\u0007']) {
      const res = await post(seedTask({ title }));
      expect(res.statusCode, JSON.stringify(title)).toBe(400);
      const error = parseErrorBody(res.body);
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(detailFields(error)).toEqual(['body.title']);
      expect(error.message).toContain('control characters');
    }
  });

  it('refuses control characters in the description, constraints and acceptance, keeping newline and tab', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ description: 'line one\u0000' }, 'body.description'],
      [{ description: 'erase\u001b[2J' }, 'body.description'],
      [{ constraints: ['ok', 'no\u0000nul'] }, 'body.constraints.1'],
      [{ acceptance: ['\u0008backspace'] }, 'body.acceptance.0'],
    ];
    for (const [fields, field] of cases) {
      const res = await post(seedTask(fields));
      expect(res.statusCode, field).toBe(400);
      expect(detailFields(parseErrorBody(res.body))).toEqual([field]);
    }
    const ok = await post(seedTask({ description: 'first line\n\tindented\n', constraints: ['a\tb'] }));
    expect(ok.statusCode).toBe(201);
  });

  it('answers a body over max_body_bytes with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await post(seedTask({ description: 'x'.repeat(5000) }));
    expect(res.statusCode).toBe(413);
    expect(parseErrorBody(res.body).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data'])(
    'answers content type %s with a 4xx JSON error and creates nothing',
    async (contentType) => {
      const before = parseTaskList((await t.app.inject({ method: 'GET', url: TASKS })).body).tasks.length;
      const res = await post(JSON.stringify(seedTask()), contentType);
      expect(res.statusCode).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(parseErrorBody(res.body).code).toBe('VALIDATION_FAILED');
      const after = parseTaskList((await t.app.inject({ method: 'GET', url: TASKS })).body).tasks.length;
      expect(after).toBe(before);
    },
  );

  it('answers an unknown task with 404 TASK_NOT_FOUND on every task route', async () => {
    for (const [method, url] of [
      ['GET', `${TASKS}/01zzzzzzzzzzzzzzzzzzzzzzzz`],
      ['POST', `${TASKS}/01zzzzzzzzzzzzzzzzzzzzzzzz/cancel`],
      ['GET', `${TASKS}/01zzzzzzzzzzzzzzzzzzzzzzzz/events`],
      ['GET', `${TASKS}/01zzzzzzzzzzzzzzzzzzzzzzzz/events?stream=true`],
      ['GET', `${TASKS}/01zzzzzzzzzzzzzzzzzzzzzzzz/logs`],
    ] as const) {
      const res = await t.app.inject({ method, url });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
      expect(parseErrorBody(res.body).code).toBe('TASK_NOT_FOUND');
    }
  });

  it('answers an unknown route with 404 JSON', async () => {
    for (const [method, url] of [
      ['GET', '/nope'],
      ['DELETE', `${TASKS}/x`],
      ['GET', '/api/v2/autodev/tasks'],
    ] as const) {
      const res = await t.app.inject({ method, url });
      expect(res.statusCode).toBe(404);
      expect(parseErrorBody(res.body).code).toBe('ROUTE_NOT_FOUND');
    }
  });

  it('answers malformed URLs and over-long ids in the same error shape', async () => {
    const badEscape = await t.app.inject({ method: 'GET', url: `${TASKS}/%E0%A4%A` });
    expect(badEscape.statusCode).toBe(400);
    expect(parseErrorBody(badEscape.body).code).toBe('VALIDATION_FAILED');
    const longId = await t.app.inject({ method: 'GET', url: `${TASKS}/${'a'.repeat(500)}` });
    expect(longId.statusCode).toBeGreaterThanOrEqual(400);
    expect(longId.statusCode).toBeLessThan(500);
    expect(parseErrorBody(longId.body).code).toBe('VALIDATION_FAILED');
  });

  it('refuses bad filter values naming the query field', async () => {
    for (const [query, field] of [
      ['status=zzz', 'querystring.status'],
      ['risk_tier=extreme', 'querystring.risk_tier'],
      ['limit=0', 'querystring.limit'],
      ['limit=201', 'querystring.limit'],
      ['limit=abc', 'querystring.limit'],
      ['color=red', 'querystring.color'],
    ] as const) {
      const res = await t.app.inject({ method: 'GET', url: `${TASKS}?${query}` });
      expect(res.statusCode, query).toBe(400);
      const error = parseErrorBody(res.body);
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(detailFields(error)).toEqual([field]);
    }
  });
});

describe('GET /tasks filters and cursor pagination', () => {
  let t: TestRuntime;
  const created: { id: string; repo: string; risk_tier: string }[] = [];

  beforeAll(async () => {
    t = await startTestRuntime();
    const tiers = ['low', 'medium', 'high'];
    for (let i = 0; i < 7; i++) {
      const repo = i % 2 === 0 ? '/srv/git/even.git' : 'https://github.com/acme/odd.git';
      const res = await t.app.inject({
        method: 'POST',
        url: TASKS,
        payload: seedTask({ title: `task ${i}`, repo, risk_tier: tiers[i % 3] }),
      });
      expect(res.statusCode).toBe(201);
      created.push(parseTaskBody(res.body));
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  const list = async (query: string) => {
    const res = await t.app.inject({ method: 'GET', url: `${TASKS}?${query}` });
    expect(res.statusCode, query).toBe(200);
    return parseTaskList(res.body);
  };

  it('pages with limit=3: every task exactly once, newest first, the same pages twice', async () => {
    const walk = async () => {
      const seen: string[] = [];
      const pages: number[] = [];
      let cursor: string | null = null;
      do {
        const page = await list(`limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        pages.push(page.tasks.length);
        seen.push(...page.tasks.map((task) => task.id));
        cursor = page.next_cursor;
      } while (cursor !== null);
      return { seen, pages };
    };
    const first = await walk();
    expect(first.pages).toEqual([3, 3, 1]);
    expect(first.seen).toEqual(created.map((c) => c.id).reverse());
    expect(new Set(first.seen).size).toBe(7);
    expect(await walk()).toEqual(first);
  });

  it('keeps a walk stable when a task is created between two pages', async () => {
    const first = await list('limit=3');
    const extra = await t.app.inject({ method: 'POST', url: TASKS, payload: seedTask({ title: 'late' }) });
    expect(extra.statusCode).toBe(201);
    const rest = await list(`limit=10&cursor=${first.next_cursor ?? ''}`);
    const ids = [...first.tasks, ...rest.tasks].map((task) => task.id);
    expect(ids).toEqual(created.map((c) => c.id).reverse());
    // Cancel it again so the other tests see the seven tasks only in their filters.
    const late = parseTaskBody(extra.body);
    expect((await t.app.inject({ method: 'POST', url: `${TASKS}/${late.id}/cancel` })).statusCode).toBe(202);
  });

  it('filters by repo, in the given, the normalized or any other spelling of it', async () => {
    const odd = created.filter((c) => c.repo.includes('odd')).map((c) => c.id);
    const even = created.filter((c) => c.repo.includes('even')).map((c) => c.id);
    const spellings = [
      { repo: 'https://github.com/acme/odd.git', ids: odd },
      { repo: 'github.com/acme/odd', ids: odd },
      { repo: 'https://GitHub.com/acme/odd/', ids: odd },
      { repo: 'ssh://git@github.com/acme/odd.git', ids: odd },
      { repo: 'git@github.com:acme/odd', ids: odd },
      { repo: '/srv/git/even.git', ids: even },
      { repo: 'file:///srv/git/even.git', ids: even },
      { repo: '/srv/git/nothing.git', ids: [] },
      { repo: 'github.com/acme/nothing', ids: [] },
      // Values no repository is stored under: an empty list, as for any unknown repository.
      { repo: 'ext::sh -c touch% /tmp/x', ids: [] },
      { repo: 'https://user:secret@github.com/acme/odd.git', ids: [] },
    ];
    for (const { repo, ids } of spellings) {
      const listed = await list(`repo=${encodeURIComponent(repo)}`);
      expect(
        listed.tasks.map((x) => x.id),
        repo,
      ).toEqual([...ids].reverse());
    }
  });

  it('filters by risk tier and status', async () => {
    const high = await list('risk_tier=high');
    expect(high.tasks.map((x) => x.id)).toEqual(
      created
        .filter((c) => c.risk_tier === 'high')
        .map((c) => c.id)
        .reverse(),
    );
    const queued = await list('status=queued&limit=200');
    expect(queued.tasks.map((x) => x.id)).toEqual(created.map((c) => c.id).reverse());
    const cancelled = await list('status=cancelled');
    expect(cancelled.tasks.map((x) => x.title)).toEqual(['late']);
    expect((await list('status=merged')).tasks).toEqual([]);
  });
});
