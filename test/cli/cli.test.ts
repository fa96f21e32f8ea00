import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writePythonFixture } from '../fixtures/languages.js';
import { createRedactor } from '../../src/secrets/redact.js';
import { openSqliteStore } from '../../src/store/index.js';
import { runCli, type CliResult } from '../helpers/cli-process.js';
import { seedAwaitingReview } from '../helpers/seed-review.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** The CLI over a fresh data_dir of its own unless `env` names one. */
async function autodev(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'autodev-cli-'));
  return runCli(args, { AUTODEV_DATA_DIR: dataDir, ...env });
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

  it('refuses to serve setup_network = true with no tokens, naming the keys', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'autodev-cli-cfg-')), 'config.toml');
    writeFileSync(file, '[autodev]\nsetup_network = true\n');
    const { code, stderr } = await autodev(['serve', '--config', file, '--port', '0']);
    expect(code).toBe(1);
    expect(stderr).toContain('CONFIG_INVALID');
    for (const key of ['setup_network', 'AUTODEV_API_TOKENS', '[[autodev.auth.users]]']) {
      expect(stderr).toContain(key);
    }
  });

  it('refuses to serve a user whose token_env is not set, naming the entry and the variable', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'autodev-cli-cfg-')), 'config.toml');
    writeFileSync(
      file,
      '[[autodev.auth.users]]\nname = "alice"\ntoken_env = "ALICE_TOKEN"\nroles = ["approver"]\n',
    );
    const { code, stderr } = await autodev(['serve', '--config', file, '--port', '0']);
    expect(code).toBe(1);
    expect(stderr).toContain('autodev.auth.users[0].token_env = "ALICE_TOKEN"');
    expect(stderr).toContain('ALICE_TOKEN is not set');
  });

  it('pr approve acts as the user whose token AUTODEV_TOKEN holds, never as --by', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'autodev-cli-pr-'));
    const store = await openSqliteStore({ dataDir, redact: createRedactor([]) });
    const taskId = await seedAwaitingReview(store);
    await store.close();
    const file = join(mkdtempSync(join(tmpdir(), 'autodev-cli-cfg-')), 'config.toml');
    writeFileSync(
      file,
      '[[autodev.auth.users]]\nname = "alice"\ntoken_env = "ALICE_TOKEN"\nroles = ["reviewer"]\n' +
        '[[autodev.auth.users]]\nname = "bob"\ntoken_env = "BOB_TOKEN"\nroles = ["approver"]\n',
    );
    const env = { AUTODEV_DATA_DIR: dataDir, ALICE_TOKEN: 'tok-alice-123', BOB_TOKEN: 'tok-bob-456' };
    const approve = (extra: Record<string, string>) =>
      autodev(['pr', 'approve', taskId, '--by', 'bob', '--config', file], { ...env, ...extra });

    const anonymous = await approve({});
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain('IDENTITY_REQUIRED');
    const wrong = await approve({ AUTODEV_TOKEN: 'tok-nobody' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('UNAUTHORIZED');
    // alice claims to be bob: her token says who she is, and she may only review.
    const claimed = await approve({ AUTODEV_TOKEN: 'tok-alice-123' });
    expect(claimed.code).toBe(1);
    expect(claimed.stderr).toContain('REVIEWER_NOT_ALLOWED');
    expect(claimed.stderr).toContain('alice may not approve');

    const store2 = await openSqliteStore({ dataDir, redact: createRedactor([]) });
    try {
      expect(await store2.prReviews.list(taskId)).toEqual([]);
    } finally {
      await store2.close();
    }
  });

  it("policy check: the seed's policy.rego as written is refused with the two lines to change and --v0-compatible", async () => {
    // The seed's policy verbatim: the fixture with its two changes undone.
    const fixture = readFileSync(join(ROOT, 'test/fixtures/policies/seed/policy.rego'), 'utf8');
    const verbatim = fixture
      .replace('import future.keywords.in\n\n', '')
      .replace('count(deny) == 0', 'not deny[_]');
    expect(verbatim).not.toBe(fixture);
    const file = join(mkdtempSync(join(tmpdir(), 'autodev-cli-rego-')), 'policy.rego');
    writeFileSync(file, verbatim);
    const lineOf = (text: string) => verbatim.split('\n').findIndex((l) => l.includes(text)) + 1;

    const { code, stdout, stderr } = await autodev(['policy', 'check', file]);
    expect(code).toBe(1);
    expect(stderr).toContain('POLICY_INVALID');
    expect(stdout).toContain('does not load in OPA');
    expect(stdout).toContain(`${file}:${lineOf('some f in')}: \`some ... in\``);
    expect(stdout).toContain('add `import future.keywords.in`');
    expect(stdout).toContain(`${file}:${lineOf('not deny[_]')}: \`not deny[_]\``);
    expect(stdout).toContain('write `count(deny) == 0`');
    expect(stdout).toContain('--v0-compatible');
  });

  it("policy check: the seed's policy with the two changes loads in v0 mode and prints each decision", async () => {
    const { code, stdout, stderr } = await autodev([
      'policy',
      'check',
      join(ROOT, 'test/fixtures/policies/seed/policy.rego'),
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain("loads only in OPA's v0-compatible mode");
    expect(stdout).toMatch(/^ {2}clean low-risk change: allow$/m);
    expect(stdout).toMatch(
      /^ {2}a \.sql migration: deny: POLICY_DENY \(DB schema changes require DBA approval\)$/m,
    );
    expect(stdout).toMatch(
      /^ {2}clean medium-risk change: allow; autodev's tier floor adds MEDIUM_RISK_REVIEW$/m,
    );
  });

  it('policy check: the shipped policy loads as Rego v1 and decides every sample', async () => {
    const { code, stdout } = await autodev([
      'policy',
      'check',
      join(ROOT, 'policies/autodev/merge.rego'),
      '--json',
    ]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as {
      mode: string;
      decisions: { name: string; policy: { fallback?: boolean } }[];
    };
    expect(result.mode).toBe('v1');
    expect(result.decisions.length).toBeGreaterThan(5);
    expect(result.decisions.every((d) => d.policy.fallback === undefined)).toBe(true);
  });
});
