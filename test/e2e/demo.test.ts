import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, submitTask, waitForTerminal } from '../helpers/api-client.js';
import { runCli } from '../helpers/cli-process.js';
import { PYTHON_FIX_REPLY } from './fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';
import { leftIn } from './replay-cli.js';

interface Demo {
  repo: string;
  allowlist: string;
  task: Record<string, unknown>;
  task_file: string;
  curl: string;
}

const gitShow = (repo: string, spec: string) =>
  execFileSync('git', ['--git-dir', repo, 'show', spec], { encoding: 'utf8' });

/** The README's first run: `autodev demo`, the allowlist it prints, the task it wrote, a merge. */
describe('autodev demo', () => {
  let dir: string;
  let demo: Demo;
  let h: E2EHarness;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'autodev-demo-test-'));
    // Its own temp dir: what the command leaves there is checked below.
    mkdirSync(join(dir, 'tmp'));
    const made = await runCli(['demo', '--dir', join(dir, 'first'), '--json'], { TMPDIR: join(dir, 'tmp') });
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    demo = JSON.parse(made.stdout) as Demo;
    // The allowlist is the demo repo alone: the printed entry, nothing wider.
    h = await startE2E({ allowlist_repos: JSON.stringify([demo.allowlist]), max_step_retries: 1 });
  });
  afterAll(async () => {
    await h?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('leaves nothing in the temp dir (the clone that built main is gone)', () => {
    expect(leftIn(join(dir, 'tmp'))).toEqual([]);
  });

  it('makes a bare repo whose test fails, and the task for it', async () => {
    expect(gitShow(demo.repo, 'main:calc.py')).toContain('return a - b');
    expect(JSON.parse(readFileSync(demo.task_file, 'utf8'))).toEqual(demo.task);
    expect(demo.task).toMatchObject({ repo: demo.repo, base_branch: 'main', risk_tier: 'low' });
    expect(demo.curl).toContain(`-d @${demo.task_file}`);
    const work = join(dir, 'clone');
    execFileSync('git', ['clone', '--quiet', demo.repo, work]);
    const tests = await runCli(['tools', 'run', 'test', '--workspace', work], {
      AUTODEV_DATA_DIR: join(dir, 'data'),
    });
    const result = JSON.parse(tests.stdout) as { ok: boolean; reports: { failures: { name: string }[] }[] };
    expect(result.ok).toBe(false);
    expect(result.reports[0]?.failures.map((f) => f.name).join(' ')).toContain('test_add');
  });

  it('prints the allowlist to set and the command that submits the task', async () => {
    const { code, stdout } = await runCli(['demo', '--dir', join(dir, 'second')]);
    expect(code).toBe(0);
    expect(stdout).toContain(`export AUTODEV_ALLOWED_REPOS='${realpathSync(join(dir, 'second'))}/calc.git'`);
    expect(stdout).toContain(
      "curl -X POST http://127.0.0.1:8080/api/v1/autodev/tasks -H 'Content-Type: application/json'",
    );
    expect(stdout).toContain('npm start');
  });

  it('with only that allowlist, its task merges the fix into its main, and another repo is refused', async () => {
    h.model.push({ text: PYTHON_FIX_REPLY });
    const created = await submitTask(h.server.baseUrl, demo.task);
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.error).toBeNull();
    expect(task.status).toBe('merged');
    expect(gitShow(demo.repo, 'main:calc.py')).toContain('return a + b');

    const other = await api(h.server.baseUrl, '/api/v1/autodev/tasks', {
      method: 'POST',
      body: JSON.stringify({ ...demo.task, repo: join(dir, 'second', 'calc.git') }),
    });
    expect(other.status).toBe(403);
    expect(other.text).toContain('REPO_NOT_ALLOWED');
  });
});
