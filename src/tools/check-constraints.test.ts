import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../../test/helpers/runtime.js';
import type { ConstraintCheck } from '../policy/constraints.js';
import type { ToolContext } from './types.js';

const run = promisify(execFile);

async function git(cwd: string, args: string[]): Promise<string> {
  const { stdout } = await run(
    'git',
    ['-c', 'user.name=t', '-c', 'user.email=t@t', '-c', 'commit.gpgSign=false', ...args],
    { cwd },
  );
  return stdout.trim();
}

async function commitFiles(dir: string, files: Record<string, string>, message: string): Promise<string> {
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), content);
  }
  await git(dir, ['add', '--', ...Object.keys(files)]);
  await git(dir, ['commit', '-qm', message]);
  return git(dir, ['rev-parse', 'HEAD']);
}

const API = 'Do not modify public API signatures';
const DEPS = 'No new external dependencies';
const FREE = 'Keep the code readable';

describe('check_constraints tool (real git, through the registry)', () => {
  let runtime: TestRuntime;
  let dir: string;
  let ctx: ToolContext;
  let base: string;

  const check = async (constraints: string[]): Promise<ConstraintCheck[]> => {
    const result = await runtime.runtime.tools
      .get('check_constraints')
      .run({ base_commit: base, constraints }, ctx);
    return (result.output as { constraints: ConstraintCheck[] }).constraints;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'autodev-constraints-'));
    await git(dir, ['init', '-q', '-b', 'main']);
    base = await commitFiles(
      dir,
      {
        'src/lib.ts': 'export function parse(text: string): number { return Number(text); }\n',
        'src/lib.test.ts': 'export const fixture = 1;\n',
        'mod/x.go': 'package mod\n\nfunc Run(n int) error { return nil }\n',
      },
      'base',
    );
    runtime = await startTestRuntime();
    ctx = {
      workspaceDir: dir,
      signal: new AbortController().signal,
      log: runtime.runtime.log,
      services: runtime.runtime.services,
      onOutput: () => undefined,
      onModelCall: () => undefined,
    };
  });

  afterAll(async () => {
    await runtime.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a change inside bodies and test files holds; unrecognised constraints are listed unchecked', async () => {
    await commitFiles(
      dir,
      {
        'src/lib.ts': 'export function parse(text: string): number {\n  return Number.parseFloat(text);\n}\n',
        'src/lib.test.ts': 'export const fixture = (n: number) => n;\n',
      },
      'body only',
    );
    expect(await check([API, DEPS, FREE])).toEqual([
      { text: API, kind: 'no_public_api_change', violated: false, details: [] },
      { text: DEPS, kind: 'no_new_dependencies' },
      { text: FREE, kind: 'unchecked' },
    ]);
  });

  it('a changed signature violates the constraint, with the item before and after in the details', async () => {
    await commitFiles(
      dir,
      {
        'src/lib.ts':
          'export function parse(text: string, radix: number): number { return parseInt(text, radix); }\n',
        'mod/x.go': 'package mod\n\nfunc Run(n int64) error { return nil }\n',
      },
      'signature',
    );
    const [api] = await check([API]);
    expect(api?.violated).toBe(true);
    expect(api?.details).toEqual([
      'mod/x.go: func Run changed from `func Run (n int) error` to `func Run (n int64) error`',
      'src/lib.ts: function parse changed from `function parse(text: string): number;` to `function parse(text: string, radix: number): number;`',
    ]);
  });

  it('the work tree is not what is judged: an uncommitted revert does not hide the committed change', async () => {
    // The sandbox can write the work tree; only the commits are the change.
    await writeFile(
      path.join(dir, 'src/lib.ts'),
      'export function parse(text: string): number { return Number(text); }\n',
    );
    const [api] = await check([API]);
    expect(api?.violated).toBe(true);
    await git(dir, ['checkout', '--', 'src/lib.ts']);
  });

  it('without the API constraint it reads no file at all, and bad input names the field', async () => {
    expect(await check([FREE])).toEqual([{ text: FREE, kind: 'unchecked' }]);
    await expect(
      runtime.runtime.tools
        .get('check_constraints')
        .run({ base_commit: '--output=/tmp/x', constraints: [] }, ctx),
    ).rejects.toMatchObject({ code: 'TOOL_INPUT_INVALID', message: expect.stringContaining('base_commit') });
  });
});
