import { describe, expect, it } from 'vitest';
import { suiteRandom } from '../../test/helpers/seeded-random.js';
import { STORE_KINDS, useStoreBackend } from '../../test/helpers/store-backends.js';
import type { TaskInput } from '../domain/task.js';
import { createRedactor } from '../secrets/redact.js';
import type { Store } from './index.js';
import { createOverviewRepository } from './overview-repository.js';
import { createPullRequestRepository } from './pull-request-repository.js';
import { createTaskRepository, type TaskRepository } from './task-repository.js';

const SECRET = 'sk-planted-secret-value-0123456789';

const input = (repo: string, title = 'Fix it'): Omit<TaskInput, 'repos'> & { repo_normalized: string } => ({
  title,
  description: `uses key ${SECRET} somewhere`,
  repo,
  repo_normalized: repo,
  base_branch: 'main',
  risk_tier: 'low',
  constraints: ['no new deps'],
  acceptance: ['tests pass'],
});

// The same suite on both stores: SQLite under data_dir and PostgreSQL on a throwaway cluster.
describe.each(STORE_KINDS)('%s store', (kind) => {
  const backend = useStoreBackend(kind);
  const random = suiteRandom();
  async function newStore(location?: Awaited<ReturnType<typeof backend.newLocation>>) {
    const where = location ?? (await backend.newLocation());
    const store = await backend.open(where, createRedactor([SECRET]));
    return { store, where };
  }

  /** The statements `use` sends through a task repository on a second connection to `where`. */
  async function capturedStatements(
    where: Awaited<ReturnType<typeof backend.newLocation>>,
    use: (tasks: TaskRepository) => Promise<unknown>,
  ) {
    const statements: { sql: string; parameters: readonly unknown[] }[] = [];
    const db = backend.recordingDb(where, (query) => statements.push(query));
    try {
      await use(createTaskRepository(db, createRedactor([SECRET]), kind));
    } finally {
      await db.destroy();
    }
    return statements;
  }

  it('keeps tasks, steps and events across a reopen', async () => {
    const { store, where } = await newStore();
    const task = await store.tasks.create(input('/repos/a'));
    await store.steps.start({
      task_id: task.id,
      key: 'plan.plan#1',
      phase: 'plan',
      tool: 'plan',
      input_summary: '{}',
    });
    await store.steps.finish(task.id, 'plan.plan#1', {
      status: 'succeeded',
      attempts: 1,
      output: { ok: 1 },
      duration_ms: 3,
    });
    await store.events.append(task.id, 'task.created', { repo: '/repos/a' });
    const { store: again } = await newStore(where);
    expect((await again.tasks.get(task.id))?.title).toBe('Fix it');
    const [step] = await again.steps.list(task.id);
    expect(step).toMatchObject({ key: 'plan.plan#1', status: 'succeeded', output: { ok: 1 }, seq: 1 });
    expect((await again.events.list(task.id)).map((e) => e.type)).toEqual(['task.created']);
  });

  it('keeps every repository of a multi-repo task across a reopen; a task of one lists it as its library', async () => {
    const { store, where } = await newStore();
    const repos = [
      { repo: '/repos/lib', repo_normalized: '/repos/lib', base_branch: 'main', role: 'library' as const },
      {
        repo: '/repos/app',
        repo_normalized: '/repos/app',
        base_branch: 'release/2',
        role: 'consumer' as const,
      },
      { repo: '/repos/cli', repo_normalized: '/repos/cli', base_branch: 'dev', role: 'consumer' as const },
    ];
    const multi = await store.tasks.create({ ...input('/repos/lib'), repos });
    const single = await store.tasks.create(input('/repos/one'));
    const { store: again } = await newStore(where);
    expect((await again.tasks.get(multi.id))?.repos).toEqual(repos);
    expect((await again.tasks.get(single.id))?.repos).toEqual([
      { repo: '/repos/one', repo_normalized: '/repos/one', base_branch: 'main', role: 'library' },
    ]);
    const listed = await again.tasks.list({ limit: 10 });
    expect(listed.tasks.find((t) => t.id === multi.id)?.repos.map((r) => r.role)).toEqual([
      'library',
      'consumer',
      'consumer',
    ]);
  });

  it('upgrades a store from before migration 010: its tasks read as tasks of one repository', async () => {
    const { store, where } = await newStore();
    const task = await store.tasks.create(input('/repos/old'));
    await store.close();
    // The database as the release before 010 left it: no repos_json, no later index, 010 on not recorded.
    await backend.exec(where, 'ALTER TABLE tasks DROP COLUMN repos_json');
    await backend.exec(where, 'DROP INDEX pull_requests_created');
    await backend.exec(where, 'DROP INDEX pull_requests_status_created');
    await backend.exec(where, 'DROP INDEX events_type_task_id');
    await backend.exec(where, 'DROP TABLE repo_pull_requests');
    await backend.exec(where, 'DROP TABLE policy_denials');
    await backend.exec(where, 'ALTER TABLE pr_reviews DROP COLUMN repo');
    await backend.exec(where, "DELETE FROM kysely_migration WHERE name >= '010'");
    const { store: upgraded } = await newStore(where);
    expect((await upgraded.tasks.get(task.id))?.repos).toEqual([
      { repo: '/repos/old', repo_normalized: '/repos/old', base_branch: 'main', role: 'library' },
    ]);
  });

  it('keeps the head and tail of a huge output, event and command log for display, not all of it', async () => {
    const { store } = await newStore();
    const task = await store.tasks.create(input('/repos/big'));
    const huge = `HEAD${'x'.repeat(20 * 1024 * 1024)}TAIL`;
    await store.steps.start({
      task_id: task.id,
      key: 'verify.test#1',
      phase: 'verify',
      tool: 'test',
      input_summary: '{}',
    });
    await store.steps.finish(task.id, 'verify.test#1', {
      status: 'failed',
      attempts: 1,
      output: { feedback: huge, counts: [1, 2] },
      output_summary: huge,
      duration_ms: 3,
    });
    await store.events.append(task.id, 'task.created', { note: huge });
    await store.logs.append(task.id, 'verify.test#1', 'stdout', huge);
    const [step] = await store.steps.list(task.id);
    const output = step?.output as { feedback: string; counts: number[] };
    expect(output.counts).toEqual([1, 2]);
    for (const text of [
      output.feedback,
      step?.output_summary ?? '',
      JSON.stringify((await store.events.list(task.id))[0]),
    ]) {
      expect(text.length).toBeLessThan(1024 * 1024);
      expect(text).toContain('HEAD');
      expect(text).toContain('TAIL');
      expect(text).toMatch(/characters not stored/);
    }
  });

  it('lists newest first with filters and a stable cursor', async () => {
    const { store } = await newStore();
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1)
      ids.push((await store.tasks.create(input(i % 2 ? '/repos/odd' : '/repos/even', `t${i}`))).id);
    const first = await store.tasks.list({ limit: 2 });
    expect(first.tasks.map((t) => t.id)).toEqual([ids[4], ids[3]]);
    const second = await store.tasks.list({ limit: 2, cursor: first.nextCursor ?? undefined });
    expect(second.tasks.map((t) => t.id)).toEqual([ids[2], ids[1]]);
    const third = await store.tasks.list({ limit: 2, cursor: second.nextCursor ?? undefined });
    expect(third.tasks.map((t) => t.id)).toEqual([ids[0]]);
    expect(third.nextCursor).toBeNull();
    const odd = await store.tasks.list({ limit: 10, repo: '/repos/odd' });
    expect(odd.tasks.map((t) => t.title)).toEqual(['t3', 't1']);
  });

  it('lists summaries as the same pages as full tasks, with the fields of the full task', async () => {
    const { store } = await newStore();
    const repos = ['/repos/a', '/repos/b', '/repos/c'];
    const count = 20 + random.int(10);
    for (let i = 0; i < count; i += 1) {
      const task = await store.tasks.create(input(random.pick(repos), `t${i}`));
      if (random.int(3) === 0)
        await store.tasks.update(task.id, {
          status: 'failed',
          error: { code: 'TESTS_FAILED', message: `m${i}` },
        });
    }
    const filters = [{}, { status: 'failed' as const }, { repo: '/repos/b' }, { risk_tier: 'low' as const }];
    for (const filter of filters) {
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = { ...filter, limit: 1 + random.int(7), ...(cursor ? { cursor } : {}) };
        const full = await store.tasks.list(page);
        const summaries = await store.tasks.listSummaries(page);
        expect(summaries.nextCursor).toBe(full.nextCursor);
        expect(summaries.tasks).toEqual(
          full.tasks.map((t) => ({
            id: t.id,
            title: t.title,
            repo: t.repo,
            base_branch: t.base_branch,
            risk_tier: t.risk_tier,
            status: t.status,
            branch: t.branch,
            error: t.error,
            created_at: t.created_at,
            updated_at: t.updated_at,
            finished_at: t.finished_at,
            reverts_task_id: t.reverts_task_id,
          })),
        );
        cursor = full.nextCursor ?? undefined;
        pages += 1;
      } while (cursor !== undefined);
      expect(pages).toBeGreaterThan(0);
    }
  });

  it('pages pull requests newest first through an index, not a sort of every pull request', async () => {
    const { store, where } = await newStore();
    for (let i = 0; i < 5; i += 1) {
      const task = await store.tasks.create(input('/repos/prs', `t${i}`));
      await store.pullRequests.insertOnce({
        task_id: task.id,
        forge: 'local',
        repo: '/repos/prs',
        branch: `autodev/${task.id}`,
        base_branch: 'main',
        number: i + 1,
        url: null,
        title: `t${i}`,
        head_commit: 'f'.repeat(40),
      });
    }
    expect((await store.pullRequests.list({ limit: 3 })).map((p) => p.title)).toEqual(['t4', 't3', 't2']);
    // The statements pullRequests.list runs, without and with its status filter.
    const order = 'ORDER BY created_at DESC, task_id DESC LIMIT 50';
    const cases = [
      { sql: `SELECT * FROM pull_requests ${order}`, index: 'pull_requests_created' },
      {
        sql: `SELECT * FROM pull_requests WHERE status = 'open' ${order}`,
        index: 'pull_requests_status_created',
      },
    ];
    for (const { sql, index } of cases) {
      // PostgreSQL's planner prefers a scan and a sort on a table this small: it is told to avoid scans.
      const plan = (
        kind === 'sqlite'
          ? await backend.query(where, `EXPLAIN QUERY PLAN ${sql}`)
          : await backend.query(where, `SET enable_seqscan = off; EXPLAIN ${sql}`)
      )
        .map((row) => String(row.detail ?? row['QUERY PLAN']))
        .join('\n');
      expect(plan).toContain(index);
      expect(plan).not.toMatch(/TEMP B-TREE|Sort/);
    }
  });

  it("lists every task's pull requests, a multi-repo task's consumers' and reverts' too, newest first through indexes", async () => {
    const { store, where } = await newStore();
    // Each row a few milliseconds after the last: created_at (ISO, to the millisecond) orders them.
    const tick = () => new Promise((resolve) => setTimeout(resolve, 3));
    const pr = (taskId: string, repo: string, title: string) => ({
      task_id: taskId,
      forge: 'local',
      repo,
      branch: `autodev/${taskId}`,
      base_branch: 'main',
      number: null,
      url: null,
      title,
      head_commit: 'e'.repeat(40),
    });
    const single = await store.tasks.create(input('/repos/one', 'single'));
    const multi = await store.tasks.create(input('/repos/lib', 'multi'));
    const later = await store.tasks.create(input('/repos/two', 'later'));
    await store.pullRequests.insertOnce(pr(single.id, '/repos/one', 'single'));
    await tick();
    await store.pullRequests.insertOnce(pr(multi.id, '/repos/lib', 'library'));
    await tick();
    await store.pullRequests.insertRepoOnce({
      ...pr(multi.id, '/repos/app', 'consumer'),
      role: 'consumer',
      ordinal: 1,
    });
    await tick();
    await store.pullRequests.insertRepoOnce({
      ...pr(multi.id, '/repos/lib', 'revert'),
      branch: `autodev/revert-${multi.id}`,
      role: 'revert',
      ordinal: 0,
    });
    await tick();
    await store.pullRequests.insertOnce(pr(later.id, '/repos/two', 'later'));
    await store.pullRequests.markRepoMerged(
      { taskId: multi.id, repo: '/repos/app', branch: `autodev/${multi.id}` },
      'a'.repeat(40),
    );
    const all = await store.pullRequests.listAll({ limit: 50 });
    expect(all.map((p) => [p.title, p.task_id, p.role ?? 'own'])).toEqual([
      ['later', later.id, 'own'],
      ['revert', multi.id, 'revert'],
      ['consumer', multi.id, 'consumer'],
      ['library', multi.id, 'own'],
      ['single', single.id, 'own'],
    ]);
    expect((await store.pullRequests.listAll({ limit: 2 })).map((p) => p.title)).toEqual(['later', 'revert']);
    expect((await store.pullRequests.listAll({ status: 'merged', limit: 50 })).map((p) => p.title)).toEqual([
      'consumer',
    ]);
    // The tasks' own list is unchanged: the review sync and base updates read only those.
    expect((await store.pullRequests.list({ limit: 50 })).map((p) => p.title)).toEqual([
      'later',
      'library',
      'single',
    ]);
    // The statements listAll sends, without and with its status filter, captured and explained.
    const statements: { sql: string; parameters: readonly unknown[] }[] = [];
    const db = backend.recordingDb(where, (query) => statements.push(query));
    try {
      const prs = createPullRequestRepository(db);
      await prs.listAll({ limit: 50 });
      await prs.listAll({ status: 'open', limit: 50 });
    } finally {
      await db.destroy();
    }
    const expected = [
      { table: /from "pull_requests"/, index: 'pull_requests_created' },
      { table: /from "repo_pull_requests"/, index: 'repo_pull_requests_created' },
      { table: /from "pull_requests" where/, index: 'pull_requests_status_created' },
      { table: /from "repo_pull_requests" where/, index: 'repo_pull_requests_status_created' },
    ];
    for (const { table, index } of expected) {
      const statement = statements.find((q) => table.test(q.sql));
      expect(statement, String(table)).toBeDefined();
      const plan = await backend.explain(where, statement?.sql ?? '', statement?.parameters ?? []);
      expect(plan).toContain(index);
      expect(plan).not.toMatch(/TEMP B-TREE|Sort/);
    }
  });

  it('filters tasks by repository through the tasks_repo_id index, not a scan of every task', async () => {
    const { store, where } = await newStore();
    const repos = ['/repos/many', '/repos/few'];
    for (let i = 0; i < 12; i += 1) await store.tasks.create(input(repos[i % 6 ? 0 : 1] ?? '', `t${i}`));
    const few = await store.tasks.listSummaries({ repo: '/repos/few', limit: 50 });
    expect(few.tasks.map((t) => t.title)).toEqual(['t6', 't0']);
    // The statement the repository runs for the filter, captured as it goes out, then explained.
    const statements = await capturedStatements(where, (tasks) =>
      tasks.listSummaries({ repo: '/repos/few', limit: 50 }),
    );
    const statement = statements.find((q) => /from "tasks"/i.test(q.sql));
    expect(statement).toBeDefined();
    const plan = await backend.explain(where, statement?.sql ?? '', statement?.parameters ?? []);
    expect(plan).toContain('tasks_repo_id');
    expect(plan).not.toMatch(/TEMP B-TREE|Sort|Seq Scan|SCAN tasks\b/);
  });

  it('counts delivered tasks through an index on the event type and denials from their own rows, parsing no event JSON', async () => {
    const { store, where } = await newStore();
    for (let i = 0; i < 4; i += 1) {
      const task = await store.tasks.create(input('/repos/ov', `t${i}`));
      await store.events.append(task.id, 'task.created', {});
      if (i % 2) await store.events.append(task.id, 'task.delivered', {});
      else await store.events.append(task.id, 'policy.decision', { deny: [{ code: 'TESTS_FAILED' }] });
    }
    const overview = await store.overview.compute({ days: 30, steps: 10 });
    expect(overview.denials_by_code).toEqual([{ code: 'TESTS_FAILED', count: 2 }]);
    // The statements the overview sends, captured as they go out, then explained.
    const statements: { sql: string; parameters: readonly unknown[] }[] = [];
    const db = backend.recordingDb(where, (query) => statements.push(query));
    try {
      await createOverviewRepository(db, kind).compute({ days: 30, steps: 10 });
    } finally {
      await db.destroy();
    }
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) expect(statement.sql).not.toMatch(/data_json/);
    const byIndex = [
      { table: /from "events"/, index: 'events_type_task_id' },
      { table: /from "policy_denials"/, index: 'policy_denials_code' },
    ];
    for (const { table, index } of byIndex) {
      const statement = statements.find((q) => table.test(q.sql));
      expect(statement, String(table)).toBeDefined();
      const plan = await backend.explain(where, statement?.sql ?? '', statement?.parameters ?? []);
      expect(plan).toContain(index);
    }
  });

  it('upgrades a store from before migration 014: the denials of decisions stored earlier are counted', async () => {
    const { store, where } = await newStore();
    const task = await store.tasks.create(input('/repos/old'));
    const decisions = [
      { deny: [{ code: 'RISK_TIER', message: 'm' }, { code: 'TESTS_FAILED' }] },
      { deny: [{ code: 'TESTS_FAILED' }, { message: 'no code' }, 'not an object'] },
      { deny: 'not a list' },
      { allow: true },
    ];
    for (const data of decisions) await store.events.append(task.id, 'policy.decision', data);
    await store.events.append(task.id, 'task.failed', { deny: [{ code: 'NOT_A_DECISION' }] });
    const written = (await store.overview.compute({ days: 30, steps: 5 })).denials_by_code;
    // Counted alike, whatever order each dialect gives the two codes counted twice.
    const byCode = [...written].sort((a, b) => (a.code < b.code ? -1 : 1));
    expect(byCode).toEqual([
      { code: 'RISK_TIER', count: 1 },
      { code: 'TESTS_FAILED', count: 2 },
      { code: 'null', count: 2 },
    ]);
    await store.close();
    // The database as the release before 014 left it: the decisions are in the events only.
    await backend.exec(where, 'DROP TABLE policy_denials');
    await backend.exec(where, 'ALTER TABLE pr_reviews DROP COLUMN repo');
    await backend.exec(where, 'DROP INDEX repo_pull_requests_created');
    await backend.exec(where, 'DROP INDEX repo_pull_requests_status_created');
    await backend.exec(where, "DELETE FROM kysely_migration WHERE name >= '014'");
    const { store: upgraded } = await newStore(where);
    expect((await upgraded.overview.compute({ days: 30, steps: 5 })).denials_by_code).toEqual(written);
  });

  it('claims each task once, fairly across repos, and again only after its lease lapses', async () => {
    const { store } = await newStore();
    const a1 = await store.tasks.create(input('/repos/a', 'a1'));
    await store.tasks.create(input('/repos/a', 'a2'));
    const b1 = await store.tasks.create(input('/repos/b', 'b1'));

    const first = await store.tasks.claimNext({ owner: 'w1', leaseMs: 60_000, excludeIds: [] });
    expect(first?.id).toBe(a1.id);
    await store.tasks.update(a1.id, { status: 'executing' });
    // Repo a already runs a task: b goes next although a2 is older.
    const second = await store.tasks.claimNext({ owner: 'w1', leaseMs: 60_000, excludeIds: [a1.id] });
    expect(second?.id).toBe(b1.id);

    await store.tasks.expireLeasesOf('w1');
    const taken = await store.tasks.claimNext({ owner: 'w2', leaseMs: 60_000, excludeIds: [] });
    expect([a1.id, b1.id]).toContain(taken?.id);
    expect(taken?.attempt).toBe(2);
  });

  it('refuses to edit or delete the audit trail, the reviews and the conversation', async () => {
    const { store, where } = await newStore();
    const task = await store.tasks.create(input('/repos/a'));
    await store.events.append(task.id, 'task.created', {});
    await store.events.append(task.id, 'policy.decision', { deny: [{ code: 'TESTS_FAILED' }] });
    await store.pullRequests.insertOnce({
      task_id: task.id,
      forge: 'local',
      repo: '/repos/a',
      branch: 'b',
      base_branch: 'main',
      number: null,
      url: null,
      title: 't',
      head_commit: 'abc1234',
    });
    await store.prReviews.append({ task_id: task.id, kind: 'approval', by: 'ann', comment: null });
    await store.conversations.append(task.id, {
      seq: 1,
      round: 1,
      request_hash: 'h',
      messages: [{ role: 'user', content: 'hi' }],
      reply: {
        text: 'ok',
        toolCalls: [],
        finishReason: 'stop',
        usage: { inputTokens: 1, outputTokens: 1 },
        model: 'm',
      },
      workspace_commit: 'abc1234',
      stop_reason: null,
    });
    await expect(backend.exec(where, "UPDATE events SET type = 'x'")).rejects.toThrow(
      /events are append-only/,
    );
    await expect(backend.exec(where, 'DELETE FROM events')).rejects.toThrow(/events are append-only/);
    if (kind === 'postgres')
      await expect(backend.exec(where, 'TRUNCATE events')).rejects.toThrow(/events are append-only/);
    await expect(backend.exec(where, 'DELETE FROM pr_reviews')).rejects.toThrow(/pr_reviews are append-only/);
    await expect(backend.exec(where, 'DELETE FROM policy_denials')).rejects.toThrow(
      /policy_denials are append-only/,
    );
    await expect(backend.exec(where, 'UPDATE conversation_turns SET round = 2')).rejects.toThrow(
      /conversation_turns are append-only/,
    );
    expect((await store.events.list(task.id)).map((e) => e.type)).toEqual([
      'task.created',
      'policy.decision',
    ]);
    expect((await store.overview.compute({ days: 30, steps: 5 })).denials_by_code).toEqual([
      { code: 'TESTS_FAILED', count: 1 },
    ]);
  });

  it('never writes a configured secret to the database', async () => {
    const { store, where } = await newStore();
    const task = await store.tasks.create(input('/repos/a'));
    await store.events.append(task.id, 'step.failed', { error: { message: `auth failed for ${SECRET}` } });
    await store.logs.append(task.id, 'verify.test#1', 'stdout', `token=${SECRET}\n`);
    await store.tasks.update(task.id, { error: { code: 'X', message: `bad ${SECRET}` } });
    await store.close();
    const bytes = await backend.rawBytes(where);
    expect(bytes.includes(Buffer.from(SECRET))).toBe(false);
    expect(bytes.includes(Buffer.from('[REDACTED]'))).toBe(true);
  });

  it('computes the overview: status counts, success rate, median duration, denials by code, slowest steps', async () => {
    const { store } = await newStore();
    const done = await store.tasks.create(input('/repos/o'));
    const failed = await store.tasks.create(input('/repos/o'));
    await store.tasks.create(input('/repos/o'));
    const start = Date.parse('2026-01-01T00:00:00Z');
    await store.tasks.update(done.id, {
      status: 'merged',
      started_at: new Date(start).toISOString(),
      finished_at: new Date(start + 10_000).toISOString(),
    });
    await store.tasks.update(failed.id, {
      status: 'failed',
      started_at: new Date(start).toISOString(),
      finished_at: new Date(start + 30_000).toISOString(),
    });
    await store.events.append(done.id, 'task.delivered', {});
    const deny = [
      { code: 'RISK_TIER', message: 'm' },
      { code: 'SECRET_FOUND', message: 'm' },
    ];
    await store.events.append(failed.id, 'policy.decision', { allow: false, deny });
    await store.events.append(done.id, 'policy.decision', { allow: false, deny: deny.slice(0, 1) });
    for (const [key, ms] of [
      ['verify.test#1', 900],
      ['plan.plan#1', 100],
    ] as const) {
      await store.steps.start({
        task_id: done.id,
        key,
        phase: 'verify',
        tool: key.split('.')[1]?.split('#')[0] ?? '',
        input_summary: '{}',
      });
      await store.steps.finish(done.id, key, {
        status: 'succeeded',
        attempts: 1,
        output: {},
        duration_ms: ms,
      });
    }
    const overview = await store.overview.compute({ days: 30, steps: 5 });
    expect(overview.tasks_by_status).toEqual([
      { status: 'failed', count: 1 },
      { status: 'merged', count: 1 },
      { status: 'queued', count: 1 },
    ]);
    expect(overview.success_rate).toBe(0.5);
    expect(overview.median_duration_seconds).toBe(20);
    expect(overview.denials_by_code).toEqual([
      { code: 'RISK_TIER', count: 2 },
      { code: 'SECRET_FOUND', count: 1 },
    ]);
    expect(overview.slowest_steps.map((s) => [s.tool, s.avg_ms])).toEqual([
      ['test', 900],
      ['plan', 100],
    ]);
    expect(overview.cost_per_day.reduce((n, d) => n + d.tasks, 0)).toBe(3);
    expect(await store.overview.queueDepth()).toBe(1);
  });

  it('records one pull request per task', async () => {
    const { store } = await newStore();
    const task = await store.tasks.create(input('/repos/a'));
    const pr = {
      task_id: task.id,
      forge: 'local',
      repo: '/repos/a',
      branch: 'b',
      base_branch: 'main',
      number: null,
      url: null,
      title: 't',
      head_commit: 'abc1234',
    };
    await store.pullRequests.insertOnce(pr);
    await store.pullRequests.insertOnce({ ...pr, title: 'second' });
    expect((await store.pullRequests.getByTask(task.id))?.title).toBe('t');
  });

  it("lists a multi-repo task's pull requests, its own first, then each repository's once, then a revert", async () => {
    const { store } = await newStore();
    const task = await store.tasks.create(input('/repos/lib'));
    const pr = (repo: string, branch = 'autodev/x') => ({
      task_id: task.id,
      forge: 'local',
      repo,
      branch,
      base_branch: 'main',
      number: null,
      url: null,
      title: 't',
      head_commit: 'abc1234',
    });
    // Inserted out of order: the list follows the role, then the repository's place in the task.
    await store.pullRequests.insertRepoOnce({
      ...pr('/repos/lib', 'autodev/revert-x'),
      role: 'revert',
      ordinal: 0,
    });
    await store.pullRequests.insertRepoOnce({ ...pr('/repos/c3'), role: 'consumer', ordinal: 2 });
    await store.pullRequests.insertOnce(pr('/repos/lib'));
    await store.pullRequests.insertRepoOnce({ ...pr('/repos/c2'), role: 'consumer', ordinal: 1 });
    await store.pullRequests.insertRepoOnce({
      ...pr('/repos/c2'),
      title: 'again',
      role: 'consumer',
      ordinal: 1,
    });
    const key = { taskId: task.id, repo: '/repos/c2', branch: 'autodev/x' };
    await store.pullRequests.markRepoMerged(key, 'def5678');
    const listed = await store.pullRequests.listOfTask(task.id);
    expect(listed.map((p) => [p.repo, p.role, p.status, p.title])).toEqual([
      ['/repos/lib', undefined, 'open', 't'],
      ['/repos/c2', 'consumer', 'merged', 't'],
      ['/repos/c3', 'consumer', 'open', 't'],
      ['/repos/lib', 'revert', 'open', 't'],
    ]);
    expect((await store.pullRequests.getRepo(key))?.merge_commit).toBe('def5678');
    // A round's new head reaches an open one only: a merged one keeps the head it merged.
    const open = { ...key, repo: '/repos/c3' };
    await store.pullRequests.setRepoHeadCommit(open, 'fed4321');
    await store.pullRequests.setRepoHeadCommit(key, 'fed4321');
    expect((await store.pullRequests.getRepo(open))?.head_commit).toBe('fed4321');
    expect((await store.pullRequests.getRepo(key))?.head_commit).toBe('abc1234');
    // The task's own pull request is untouched by the others: reviews and reverts find it as before.
    expect((await store.pullRequests.getByTask(task.id))?.status).toBe('open');
  });

  it('a cancel request and the commit point of the merge exclude each other: whichever comes first wins', async () => {
    const { store } = await newStore();
    const merging = await store.tasks.create(input('/repos/a'));
    expect(await store.tasks.beginMerge(merging.id)).toBe(true);
    expect(await store.tasks.requestCancel(merging.id)).toBe(false);
    expect((await store.tasks.get(merging.id))?.cancel_requested).toBe(false);
    // A resumed task passes the commit point again.
    expect(await store.tasks.beginMerge(merging.id)).toBe(true);

    const cancelled = await store.tasks.create(input('/repos/a'));
    expect(await store.tasks.requestCancel(cancelled.id)).toBe(true);
    expect(await store.tasks.beginMerge(cancelled.id)).toBe(false);
  });
  it('gives each task to exactly one of many concurrent claimers', async () => {
    const where = await backend.newLocation();
    const { store } = await newStore(where);
    const repos = ['/repos/a', '/repos/b', '/repos/c', '/repos/d'];
    const created = new Set<string>();
    const count = 40 + random.int(20);
    for (let i = 0; i < count; i += 1)
      created.add((await store.tasks.create(input(random.pick(repos), `t${i}`))).id);
    // On PostgreSQL each claimer has its own store (its own pool), as separate processes would; SQLite
    // in one process serialises its one connection, so its claimers share it.
    const claimers: Store[] = [];
    for (let i = 0; i < 8; i += 1) claimers.push(kind === 'postgres' ? (await newStore(where)).store : store);
    const claims = await Promise.all(
      claimers.map(async (claimer, n) => {
        const mine: string[] = [];
        for (;;) {
          const task = await claimer.tasks.claimNext({ owner: `w${n}`, leaseMs: 60_000, excludeIds: mine });
          if (!task) return mine;
          mine.push(task.id);
        }
      }),
    );
    const all = claims.flat();
    expect(all.length).toBe(created.size);
    expect(new Set(all)).toEqual(created);
    for (const id of created) expect((await store.tasks.get(id))?.attempt).toBe(1);
  });

  it('does not hand a queued task its claimer holds to another claimer', async () => {
    const { store } = await newStore();
    const task = await store.tasks.create(input('/repos/a'));
    expect((await store.tasks.claimNext({ owner: 'w1', leaseMs: 60_000, excludeIds: [] }))?.id).toBe(task.id);
    // Still queued (the claimer has not moved it on yet): held all the same.
    expect(await store.tasks.claimNext({ owner: 'w2', leaseMs: 60_000, excludeIds: [] })).toBeUndefined();
    await store.tasks.releaseLease(task.id, 'w1');
    expect((await store.tasks.claimNext({ owner: 'w2', leaseMs: 60_000, excludeIds: [] }))?.id).toBe(task.id);
  });
});
