import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli-process.js';
import { freePort } from '../helpers/opa-server.js';
import { startTestRuntime, type TestRuntime } from '../helpers/runtime.js';

const TOKEN = 'cli-test-token-0123456789abcdef';

interface TaskLine {
  id: string;
  status: string;
  title: string;
  repo: string;
  risk_tier: string;
  constraints?: string[];
  cancel_requested?: boolean;
}

// The scheduler is not started: submitted tasks stay queued, so list, show and cancel see them as
// the CLI left them.
describe('autodev task submit|list|show|cancel over the HTTP API', () => {
  let t: TestRuntime;
  const cli = (args: string[], env: Record<string, string> = {}) =>
    runCli(['task', ...args], { AUTODEV_URL: t.baseUrl, AUTODEV_TOKEN: TOKEN, ...env });

  beforeAll(async () => {
    t = await startTestRuntime({ env: { AUTODEV_API_TOKENS: TOKEN } });
  });
  afterAll(async () => {
    await t?.close();
  });

  // One task through every command, one command a test (each CLI run starts a node process).
  describe('one task', () => {
    let task: TaskLine;
    beforeAll(async () => {
      const submitted = await cli([
        'submit',
        '--json',
        '--title',
        'Fix add',
        '--repo',
        '/srv/git/calc.git',
        '--risk-tier',
        'medium',
        '--constraint',
        'No new external dependencies',
        '--constraint',
        'Do not modify public API signatures',
      ]);
      expect(submitted.stderr).toBe('');
      expect(submitted.code).toBe(0);
      task = JSON.parse(submitted.stdout) as TaskLine;
    });

    it('submit prints the stored task', () => {
      expect(task).toMatchObject({ status: 'queued', title: 'Fix add', risk_tier: 'medium' });
      expect(task.constraints).toEqual([
        'No new external dependencies',
        'Do not modify public API signatures',
      ]);
    });

    it('list prints it, filtered by status, and as JSON', async () => {
      const list = await cli(['list', '--status', 'queued']);
      expect(list.code).toBe(0);
      expect(list.stdout).toMatch(
        new RegExp(`^${task.id}\\s+queued\\s+medium\\s+/srv/git/calc.git\\s+Fix add$`, 'm'),
      );
      const listJson = JSON.parse((await cli(['list', '--json'])).stdout) as { tasks: TaskLine[] };
      expect(listJson.tasks.map((x) => x.id)).toContain(task.id);
    });

    it('show prints its fields', async () => {
      const show = await cli(['show', task.id]);
      expect(show.code).toBe(0);
      expect(show.stdout).toContain(`id:      ${task.id}`);
      expect(show.stdout).toContain('status:  queued');
      expect(show.stdout).toContain('repo:    /srv/git/calc.git (main)');
    });

    it('cancel ends it, and a second cancel is TASK_NOT_CANCELLABLE', async () => {
      const cancel = await cli(['cancel', task.id, '--json']);
      expect(cancel.code).toBe(0);
      expect(JSON.parse(cancel.stdout)).toMatchObject({ id: task.id, status: 'cancelled' });
      const again = await cli(['cancel', task.id]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('TASK_NOT_CANCELLABLE');
    });
  });

  it('submits a library and its consumers (--library, --consumer repo#branch) and show lists them', async () => {
    const submitted = await cli([
      'submit',
      '--json',
      '--title',
      'Rename parse',
      '--library',
      '/srv/git/lib.git#release/2',
      '--consumer',
      '/srv/git/app.git',
      '--consumer',
      '/srv/git/cli.git#dev',
    ]);
    expect(submitted.stderr).toBe('');
    const task = JSON.parse(submitted.stdout) as TaskLine & { repos: unknown[] };
    expect(task.repos).toEqual([
      { repo: '/srv/git/lib.git', base_branch: 'release/2', role: 'library' },
      { repo: '/srv/git/app.git', base_branch: 'main', role: 'consumer' },
      { repo: '/srv/git/cli.git', base_branch: 'dev', role: 'consumer' },
    ]);
    const show = await cli(['show', task.id]);
    expect(show.stdout).toMatch(/^repos:\n {2}library {2}\/srv\/git\/lib\.git \(release\/2\)$/m);
    expect(show.stdout).toContain('  consumer /srv/git/cli.git (dev)');
    // Consumers without a library: the server names what is missing.
    const orphan = await cli(['submit', '--title', 'x', '--consumer', '/srv/git/app.git']);
    expect(orphan.code).toBe(1);
    expect(orphan.stderr).toContain('VALIDATION_FAILED');
    expect(orphan.stderr).toContain('exactly one entry with role "library"');
  });

  it('names the field the server refused', async () => {
    const { code, stderr } = await cli(['submit', '--title', 'x', '--repo', 'relative/path.git']);
    expect(code).toBe(1);
    expect(stderr).toContain('REPO_REFUSED');
    const badTier = await cli([
      'submit',
      '--title',
      'x',
      '--repo',
      '/srv/git/a.git',
      '--risk-tier',
      'urgent',
    ]);
    expect(badTier.code).toBe(1);
    expect(badTier.stderr).toContain('--risk-tier');
  });

  it('says UNAUTHORIZED and which variable to set without the right token', async () => {
    for (const token of ['', 'wrong-token']) {
      const { code, stderr } = await cli(['list'], { AUTODEV_TOKEN: token });
      expect(code).toBe(1);
      expect(stderr).toContain('UNAUTHORIZED');
      expect(stderr).toContain('AUTODEV_TOKEN');
    }
  });

  it('names an unknown task', async () => {
    const { code, stderr } = await cli(['show', 'no-such-task']);
    expect(code).toBe(1);
    expect(stderr).toContain('TASK_NOT_FOUND');
  });

  it('says API_UNREACHABLE naming the address when no server listens there, and --url wins over AUTODEV_URL', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const { code, stderr } = await cli(['list', '--url', url]);
    expect(code).toBe(1);
    expect(stderr).toContain('API_UNREACHABLE');
    expect(stderr).toContain(url);
    expect(stderr).toContain('AUTODEV_URL');
  });

  it('refuses a --url that is not an http(s) address, naming the flag', async () => {
    const { code, stderr } = await cli(['list', '--url', 'ftp://example.test']);
    expect(code).toBe(1);
    expect(stderr).toContain('CONFIG_INVALID');
    expect(stderr).toContain('--url "ftp://example.test"');
  });
});
