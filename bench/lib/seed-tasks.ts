import Database from 'better-sqlite3';
import { submitTask, waitForTerminal } from '../../test/helpers/api-client.js';
import type { E2EHarness } from '../../test/e2e/harness.js';
import { PYTHON_BUGGY_REPO } from '../../test/e2e/fixtures.js';

/**
 * `count` stored tasks in a running autodev without running them: one task through the API (no model
 * reply is scripted, so it fails at its first model call), then copies of its row with fresh ids (the
 * store orders by id). Returns the first task's id.
 */
export async function seedTasks(h: E2EHarness, count: number): Promise<string> {
  const repo = await h.newRepo(PYTHON_BUGGY_REPO);
  const first = await submitTask(h.server.baseUrl, { title: 'seed task', repo: repo.origin });
  await waitForTerminal(h.server.baseUrl, first.id);
  const db = new Database(`${h.dataDir}/autodev.sqlite`);
  try {
    const template = db.prepare('select * from tasks where id = ?').get(first.id) as Record<string, unknown>;
    const columns = Object.keys(template);
    const insert = db.prepare(
      `insert into tasks (${columns.join(', ')}) values (${columns.map((c) => '@' + c).join(', ')})`,
    );
    db.transaction(() => {
      for (let i = 0; i < count - 1; i++) {
        insert.run({
          ...template,
          id: `${first.id.slice(0, 20)}x${String(i).padStart(5, '0')}`,
          title: `task ${i}`,
        });
      }
    })();
  } finally {
    db.close();
  }
  return first.id;
}
