import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { writePythonFixture } from '../fixtures/languages.js';
import { createRedactor } from '../../src/secrets/redact.js';
import { openSqliteStore } from '../../src/store/index.js';
import { seedAwaitingReview } from '../helpers/seed-review.js';

const exec = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function autodev(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'autodev-cli-'));
  try {
    const { stdout, stderr } = await exec(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: process.env.HOME ?? '/tmp',
          AUTODEV_DATA_DIR: dataDir,
          ...env,
        },
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('autodev CLI', () => {
  it('lists every tool of the seed', async () => {
    const { code, stdout } = await autodev(['tools', 'list']);
    expect(code).toBe(0);
    for (const name of [
      'git_clone',
      'git_apply',
      'git_pr',
      'runner',
      'build',
      'test',
      'codegen',
      'policy',
      'policy_local',
      'clippy',
      'repo_search',
      'file_list',
    ]) {
      expect(stdout).toMatch(new RegExp(`^${name}\\s`, 'm'));
    }
  });

  it('runs the runner tool in the sandbox and prints its structured result', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'autodev-cli-ws-'));
    const { code, stdout } = await autodev(
      [
        'tools',
        'run',
        'runner',
        '--workspace',
        workspace,
        '--input',
        JSON.stringify({ command: ['sh', '-c', 'echo hi; env | grep -c PLANTED_TOKEN; exit 3'] }),
      ],
      { PLANTED_TOKEN: 'ghp_0123456789abcdefghijklmnopqrstuvwxyz' },
    );
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as Record<string, unknown>;
    expect(result).toMatchObject({ exit_code: 3, stdout: 'hi\n0\n', truncated: false, timed_out: false });
    expect(typeof result.duration_ms).toBe('number');
  });

  it('runs the test tool on a failing Python fixture and names the failing test', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'autodev-cli-py-'));
    await writePythonFixture(workspace, 'failing');
    const { code, stdout } = await autodev(['tools', 'run', 'test', '--workspace', workspace]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as {
      ok: boolean;
      reports: { failed: number; failures: { name: string }[] }[];
    };
    expect(result.ok).toBe(false);
    expect(result.reports[0]?.failed).toBeGreaterThan(0);
    expect(result.reports[0]?.failures[0]?.name).toMatch(/test_/);
  });

  it("decodes a JUnit report's character references once: pytest's multi-line message reads as printed", async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'autodev-cli-py-'));
    await writePythonFixture(workspace, 'passing');
    // pytest writes the message attribute with `&#10;` for newlines and `&amp;` for `&`; the literal
    // `&#10;` in the text must come back as those five characters, not as a newline.
    writeFileSync(
      join(workspace, 'tests/test_message.py'),
      'def test_explains():\n    assert False, "first line\\nsecond line & a literal &#10; <end>"\n',
    );
    const { code, stdout } = await autodev(['tools', 'run', 'test', '--workspace', workspace]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as {
      reports: { failures: { name: string; message?: string }[] }[];
    };
    const failure = result.reports[0]?.failures.find((f) => f.name.endsWith('test_explains'));
    // pytest indents the message's continuation lines.
    expect(failure?.message).toMatch(/first line\n\s*second line & a literal &#10; <end>/);
    expect(failure?.message).not.toContain('&amp;');
    expect(failure?.message?.split('&#10;')).toHaveLength(2);
  });

  it('refuses bad tool input naming the field', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'autodev-cli-ws-'));
    const { code, stderr } = await autodev([
      'tools',
      'run',
      'repo_search',
      '--workspace',
      workspace,
      '--input',
      '{"pattern": 5}',
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain('TOOL_INPUT_INVALID');
    expect(stderr).toContain('pattern');
  });

  it('answers git_pr for a task it does not know with TASK_NOT_FOUND naming task_id, not a SQLite error', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'autodev-cli-ws-'));
    const input = {
      task_id: 'no-such-task',
      repo: workspace,
      branch: 'autodev/x',
      base_branch: 'main',
      title: 'x',
      body: '',
      head_commit: '0123456789abcdef',
    };
    const { code, stderr } = await autodev([
      'tools',
      'run',
      'git_pr',
      '--workspace',
      workspace,
      '--input',
      JSON.stringify(input),
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain('TASK_NOT_FOUND');
    expect(stderr).toContain('task_id');
    expect(stderr).not.toContain('FOREIGN KEY');
  });

  it('lists the pull requests of the store beside the server, filtered by status', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'autodev-cli-pr-'));
    const store = await openSqliteStore({ dataDir, redact: createRedactor([]) });
    const taskId = await seedAwaitingReview(store);
    await store.close();

    const open = await autodev(['pr', 'list', '--status', 'open'], { AUTODEV_DATA_DIR: dataDir });
    expect(open.stderr).toBe('');
    expect(open.code).toBe(0);
    expect(open.stdout).toMatch(
      new RegExp(`^${taskId}\\s+open\\s+autodev/${taskId}-fix-add -> main\\s+Fix add$`, 'm'),
    );
    const merged = await autodev(['pr', 'list', '--status', 'merged'], { AUTODEV_DATA_DIR: dataDir });
    expect(merged.code).toBe(0);
    expect(merged.stdout).toBe('');
    const bad = await autodev(['pr', 'list', '--status', 'bogus'], { AUTODEV_DATA_DIR: dataDir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--status "bogus": expected one of open, merged, closed');
  });

  it('names an unknown tool', async () => {
    const { code, stderr } = await autodev(['tools', 'run', 'nope', '--workspace', '/tmp']);
    expect(code).toBe(1);
    expect(stderr).toContain('TOOL_NOT_FOUND');
  });

  it('stops serve at start-up on a bad config, naming the key and the value', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'autodev-cli-cfg-')), 'config.toml');
    writeFileSync(file, '[autodev]\nmax_parallel_tasks = 0\n');
    const { code, stderr } = await autodev(['serve', '--config', file, '--port', '0']);
    expect(code).toBe(1);
    expect(stderr).toContain('CONFIG_INVALID');
    expect(stderr).toContain('autodev.max_parallel_tasks = 0');
  });

  it('stops serve at start-up when the chosen sandbox is missing', async () => {
    const { code, stderr } = await autodev(['serve', '--port', '0'], {
      AUTODEV_SANDBOX: 'docker',
      PATH: '/nonexistent',
    });
    expect(code).toBe(1);
    expect(stderr).toContain('SANDBOX_UNAVAILABLE');
  });
});
