import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TERMINAL_STATUSES, TASK_STATUSES, type TaskStatus } from '../../src/domain/task.js';
import { parseTaskBody, seedTask, startTestRuntime, TASKS, type TestRuntime } from '../helpers/runtime.js';

// Planted secrets, built from parts so that secret scanners do not flag this file.
const MODEL_KEY = ['sk', 'planted', '0123456789abcdefghij'].join('-'); // under api_key_env = PLANTED_KEY
const FORGE_TOKEN = ['ghp', 'Pl4nt3dT0k3nAbCdEfGhIjKlMnOpQrStUvWx'].join('_'); // GITHUB_TOKEN, 36 after ghp_
// An API token has no known shape: only the redaction of exact configured values catches it.
const API_TOKEN = 'plain-api-token-4711-zzqx';
const SECRETS = { MODEL_KEY, FORGE_TOKEN, API_TOKEN };

const auth = { authorization: `Bearer ${API_TOKEN}` };

function expectNoSecret(where: string, text: string | Buffer): void {
  const buffer = typeof text === 'string' ? Buffer.from(text) : text;
  for (const [name, value] of Object.entries(SECRETS)) {
    expect(buffer.includes(value), `${name} found in ${where}`).toBe(false);
  }
}

/**
 * Every file under `dir`. A folder may go while it is walked (a finished task's step HOMEs are removed
 * just after its status is final): what is gone holds nothing to find.
 */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const files: string[] = [];
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await filesUnder(full)));
    else if (entry.isFile()) files.push(full);
  }
  return files;
}

function isTerminalStatus(status: string): boolean {
  const known = TASK_STATUSES.find((s): s is TaskStatus => s === status);
  return known !== undefined && TERMINAL_STATUSES.has(known);
}

describe('secrets planted in the environment and in a task never leave redacted', () => {
  let t: TestRuntime;
  let taskId: string;
  const answers: { where: string; text: string }[] = [];

  beforeAll(async () => {
    expect(FORGE_TOKEN.length - 'ghp_'.length).toBe(36);
    t = await startTestRuntime({
      configToml: '[autodev.llm]\napi_key_env = "PLANTED_KEY"\n',
      env: { PLANTED_KEY: MODEL_KEY, GITHUB_TOKEN: FORGE_TOKEN, AUTODEV_API_TOKENS: API_TOKEN },
      start: true,
    });
    const created = await t.app.inject({
      method: 'POST',
      url: TASKS,
      headers: auth,
      payload: seedTask({
        title: `Rotate ${FORGE_TOKEN}`,
        description: `The model key is ${MODEL_KEY} and the forge token is ${FORGE_TOKEN}; api ${API_TOKEN}.`,
        repo: '/nonexistent/autodev-redaction/repo.git',
        constraints: [`never print ${MODEL_KEY}`],
        acceptance: [`Authorization: Bearer ${API_TOKEN}`],
      }),
    });
    expect(created.statusCode).toBe(201);
    answers.push({ where: 'POST /tasks', text: created.body });
    taskId = parseTaskBody(created.body).id;

    const deadline = Date.now() + 60_000;
    let status = 'queued';
    while (!isTerminalStatus(status)) {
      if (Date.now() > deadline) throw new Error(`task ${taskId} did not end; last status ${status}`);
      await sleep(100);
      status = parseTaskBody(
        (await t.app.inject({ method: 'GET', url: `${TASKS}/${taskId}`, headers: auth })).body,
      ).status;
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it('the task ran and failed on its unreachable repo (so every layer wrote about it)', async () => {
    const res = await t.app.inject({ method: 'GET', url: `${TASKS}/${taskId}`, headers: auth });
    const task = parseTaskBody(res.body);
    expect(task.status).toBe('failed');
    expect(task.error?.code).toBe('REPO_UNREACHABLE');
    expect(task.description).toBe(
      'The model key is [REDACTED] and the forge token is [REDACTED]; api [REDACTED].',
    );
    expect(task.title).toBe('Rotate [REDACTED]');
  });

  it('no API answer carries a secret: task, list, events, event stream, logs, errors', async () => {
    const reads = [
      `${TASKS}/${taskId}`,
      TASKS,
      `${TASKS}?status=failed`,
      `${TASKS}/${taskId}/events`,
      `${TASKS}/${taskId}/events?stream=true`,
      `${TASKS}/${taskId}/logs`,
      `${TASKS}/${MODEL_KEY}`,
      `${TASKS}/${FORGE_TOKEN}/events`,
      `/${FORGE_TOKEN}`,
      `/api/v1/${MODEL_KEY}`,
      '/api/v1/openapi.json',
      '/metrics',
      '/healthz',
    ];
    for (const url of reads) {
      const res = await t.app.inject({ method: 'GET', url, headers: auth });
      expect(res.statusCode, url).toBeLessThan(500);
      answers.push({ where: `GET ${url}`, text: res.body });
    }
    const events = answers.find((a) => a.where === `GET ${TASKS}/${taskId}/events`);
    expect(events?.text).toContain('task.status_changed');
    for (const repo of [`ext::sh -c echo% ${MODEL_KEY}`, `https://bot:${API_TOKEN}@github.com/acme/app`]) {
      const res = await t.app.inject({
        method: 'POST',
        url: TASKS,
        headers: auth,
        payload: seedTask({ repo }),
      });
      expect(res.statusCode).toBe(400);
      answers.push({ where: `POST repo ${repo.slice(0, 6)}`, text: res.body });
    }
    const badField = await t.app.inject({
      method: 'POST',
      url: TASKS,
      headers: auth,
      payload: { ...seedTask(), [MODEL_KEY]: FORGE_TOKEN, risk_tier: MODEL_KEY },
    });
    expect(badField.statusCode).toBe(400);
    answers.push({ where: 'POST unknown secret field', text: badField.body });
    for (const { where, text } of answers) expectNoSecret(where, text);
  });

  it('the server log carries no secret, and did log the failure', () => {
    const log = t.logs();
    expect(log).toContain(taskId);
    expect(log).toContain('REPO_UNREACHABLE');
    expectNoSecret('server log', log);
  });

  it('no byte of the SQLite files (db, WAL) nor of any file under data_dir holds a secret', async () => {
    const files = await filesUnder(t.dataDir);
    const sqlite = files.filter((f) => /autodev\.sqlite(-wal|-shm)?$/.test(f));
    expect(sqlite.some((f) => f.endsWith('autodev.sqlite'))).toBe(true);
    expect(sqlite.some((f) => f.endsWith('autodev.sqlite-wal'))).toBe(true);
    let sawRedacted = false;
    for (const file of files) {
      const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return Buffer.alloc(0); // removed since the walk: nothing to leak
        throw error;
      });
      expectNoSecret(file, bytes);
      if (bytes.includes('[REDACTED]')) sawRedacted = true;
    }
    expect(sawRedacted).toBe(true);
  });
});
