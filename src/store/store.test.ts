import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { TaskInput } from '../domain/task.js';
import { createRedactor } from '../secrets/redact.js';
import { openSqliteStore, type Store } from './index.js';

const SECRET = 'sk-planted-secret-value-0123456789';

const input = (repo: string, title = 'Fix it'): TaskInput & { repo_normalized: string } => ({
  title,
  description: `uses key ${SECRET} somewhere`,
  repo,
  repo_normalized: repo,
  base_branch: 'main',
  risk_tier: 'low',
  constraints: ['no new deps'],
  acceptance: ['tests pass'],
});

const open: Store[] = [];
async function newStore(dataDir = mkdtempSync(join(tmpdir(), 'autodev-store-'))) {
  const store = await openSqliteStore({ dataDir, redact: createRedactor([SECRET]) });
  open.push(store);
  return { store, dataDir };
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

describe('sqlite store', () => {
  it('keeps tasks, steps and events across a reopen', async () => {
    const { store, dataDir } = await newStore();
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
    await store.close();
    open.pop();

    const { store: again } = await newStore(dataDir);
    expect((await again.tasks.get(task.id))?.title).toBe('Fix it');
    const [step] = await again.steps.list(task.id);
    expect(step).toMatchObject({ key: 'plan.plan#1', status: 'succeeded', output: { ok: 1 }, seq: 1 });
    expect((await again.events.list(task.id)).map((e) => e.type)).toEqual(['task.created']);
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

  it('refuses to edit or delete the audit trail', async () => {
    const { store, dataDir } = await newStore();
    const task = await store.tasks.create(input('/repos/a'));
    await store.events.append(task.id, 'task.created', {});
    const raw = new SqliteDatabase(join(dataDir, 'autodev.sqlite'));
    expect(() => raw.prepare('UPDATE events SET type = ?').run('x')).toThrow(/append-only/);
    expect(() => raw.prepare('DELETE FROM events').run()).toThrow(/append-only/);
    raw.close();
  });

  it('never writes a configured secret to the database file', async () => {
    const { store, dataDir } = await newStore();
    const task = await store.tasks.create(input('/repos/a'));
    await store.events.append(task.id, 'step.failed', { error: { message: `auth failed for ${SECRET}` } });
    await store.logs.append(task.id, 'verify.test#1', 'stdout', `token=${SECRET}\n`);
    await store.tasks.update(task.id, { error: { code: 'X', message: `bad ${SECRET}` } });
    await store.close();
    open.pop();
    const bytes = Buffer.concat(
      ['autodev.sqlite', 'autodev.sqlite-wal'].map((f) => {
        try {
          return readFileSync(join(dataDir, f));
        } catch {
          return Buffer.alloc(0);
        }
      }),
    );
    expect(bytes.includes(Buffer.from(SECRET))).toBe(false);
    expect(bytes.includes(Buffer.from('[REDACTED]'))).toBe(true);
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
});
