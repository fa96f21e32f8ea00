import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from '../../test/helpers/runtime.js';
import type { LintToolOutput } from './lint-tools.js';
import type { ToolContext } from './types.js';

const run = promisify(execFile);
// The sandbox has no network and sees only the workspace: the TypeScript fixture gets a copy of
// autodev's own compiler in its node_modules.
const OWN_TYPESCRIPT = fileURLToPath(new URL('../../node_modules/typescript', import.meta.url));

// The lint tool on real repos, with the real linters in bubblewrap: a warning that was there before
// the change is pre-existing, one the change brought is introduced, whatever lines moved.
describe('lint tool: only what the change introduced counts', () => {
  let root: string;
  let home: string;
  let runtime: TestRuntime;
  let count = 0;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'autodev-lint-tool-'));
    home = path.join(root, 'home');
    await mkdir(home);
    runtime = await startTestRuntime();
  });
  afterAll(async () => {
    await runtime.close();
    await rm(root, { recursive: true, force: true });
  });

  const context = (dir: string): ToolContext => ({
    workspaceDir: dir,
    homeDir: home,
    signal: new AbortController().signal,
    log: runtime.runtime.log,
    services: runtime.runtime.services,
    onOutput: () => undefined,
    onModelCall: () => undefined,
  });

  async function lint(dir: string, input: Record<string, unknown>): Promise<LintToolOutput> {
    const { output } = await runtime.runtime.tools.get('lint').run(input, context(dir));
    return output as LintToolOutput;
  }

  async function write(dir: string, files: Record<string, string>): Promise<void> {
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), text);
    }
  }

  async function commit(dir: string, message: string): Promise<string> {
    await run('git', ['add', '--all'], { cwd: dir });
    await run('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', message], { cwd: dir });
    return (await run('git', ['rev-parse', 'HEAD'], { cwd: dir })).stdout.trim();
  }

  /** A git repo with `files` committed (under `parent` when given); returns its folder and base commit. */
  async function repo(files: Record<string, string>, parent = root) {
    const dir = path.join(parent, `repo-${count++}`);
    await mkdir(dir, { recursive: true });
    await run('git', ['init', '-q', '-b', 'main'], { cwd: dir });
    await write(dir, files);
    return { dir, base: await commit(dir, 'base') };
  }

  /** Lints the base, applies `change` as a commit, and lints again against that baseline. */
  async function lintChange(
    files: Record<string, string>,
    change: Record<string, string>,
    options: { parent?: string; typescript?: boolean } = {},
  ) {
    const { dir, base } = await repo(files, options.parent);
    if (options.typescript) {
      await cp(OWN_TYPESCRIPT, path.join(dir, 'node_modules', 'typescript'), { recursive: true });
      await mkdir(path.join(dir, 'node_modules', '.bin'));
      await symlink('../typescript/bin/tsc', path.join(dir, 'node_modules', '.bin', 'tsc'));
    }
    const before = await lint(dir, { config_commit: base });
    await write(dir, change);
    await commit(dir, 'change');
    const changed = Object.keys(change);
    const after = await lint(dir, { config_commit: base, files: changed, baseline: before.reports });
    return { dir, base, before, after };
  }

  const rules = (warnings: { rule: string }[]) => warnings.map((w) => w.rule).sort();

  // Pre-existing: two unused imports (out of order for isort), an unused local, an unsorted __all__.
  const CALC_PY = [
    'import sys',
    'import os',
    '',
    '',
    'def add(a, b):',
    '    unused = 1',
    '    return a - b',
    '',
    '',
    '__all__ = ["mul", "add"]',
    '',
    '',
    'def mul(a, b):',
    '    return a * b',
    '',
  ].join('\n');
  const PYPROJECT = '[project]\nname = "calc"\nversion = "0.1.0"\n';

  it('python: a one-line fix in a file with old warnings introduces none; they are listed as pre-existing', async () => {
    const { after } = await lintChange(
      { 'pyproject.toml': PYPROJECT, 'calc.py': CALC_PY },
      { 'calc.py': CALC_PY.replace('return a - b', 'return a + b') },
    );
    expect(after.introduced).toEqual([]);
    expect(rules(after.preexisting)).toEqual(['F401', 'F401', 'F841']);
    expect(after.no_baseline).toEqual([]);
  });

  it('python: an added unused import is the one introduced warning, though every line below it moved', async () => {
    const { after } = await lintChange(
      { 'pyproject.toml': PYPROJECT, 'calc.py': CALC_PY },
      { 'calc.py': `import json\n${CALC_PY.replace('return a - b', 'return a + b')}` },
    );
    expect(after.introduced).toEqual([
      expect.objectContaining({
        file: 'calc.py',
        line: 1,
        rule: 'F401',
        message: expect.stringContaining('json'),
      }),
    ]);
    expect(rules(after.preexisting)).toEqual(['F401', 'F401', 'F841']);
  });

  it('python without ruff configuration: the modest default, never I001 or RUF022, even under a folder whose ruff.toml selects them', async () => {
    // The checkout's host folder configures ruff for itself; that is not the repository's choice.
    const host = path.join(root, 'host-with-ruff-config');
    await mkdir(host);
    await writeFile(path.join(host, 'ruff.toml'), 'lint.select = ["I", "RUF", "F"]\n');
    const { after } = await lintChange(
      { 'pyproject.toml': PYPROJECT, 'calc.py': CALC_PY },
      { 'calc.py': CALC_PY.replace('return a - b', 'return a + b') },
      { parent: host },
    );
    const seen = after.reports.flatMap((r) => r.warnings.map((w) => w.rule));
    expect(seen).not.toContain('I001');
    expect(seen).not.toContain('RUF022');
    expect(after.reports[0]?.command).toEqual(
      expect.arrayContaining(['--isolated', '--select=E9,F63,F7,F82,F401,F841']),
    );
    expect(after.introduced).toEqual([]);
  });

  it("python with the repository's own [tool.ruff]: its rules apply, I001 included", async () => {
    const pyproject = `${PYPROJECT}\n[tool.ruff.lint]\nselect = ["I", "F"]\n`;
    const { after } = await lintChange(
      { 'pyproject.toml': pyproject, 'calc.py': CALC_PY },
      { 'calc.py': CALC_PY.replace('return a - b', 'return a + b') },
    );
    expect(after.reports[0]?.command).not.toContain('--isolated');
    expect(rules(after.preexisting)).toEqual(['F401', 'F401', 'F841', 'I001']);
    expect(after.introduced).toEqual([]);
  });

  it('a change that edits the linter configuration is an introduced finding: it cannot switch off what judges it', async () => {
    const pyproject = `${PYPROJECT}\n[tool.ruff.lint]\nselect = ["F"]\n`;
    const { after } = await lintChange(
      { 'pyproject.toml': pyproject, 'calc.py': CALC_PY },
      {
        'pyproject.toml': `${pyproject}ignore = ["F401"]\n`,
        'calc.py': `import json\n${CALC_PY}`,
      },
    );
    expect(after.introduced).toEqual([
      expect.objectContaining({
        file: 'pyproject.toml',
        rule: 'lint-config-changed',
        message: expect.stringContaining('[tool.ruff]'),
      }),
    ]);
  });

  it('a ruff cache forged in the workspace (a clean result under the file mtime) hides nothing', async () => {
    // The tests run the change's code in the sandbox with the workspace writable, so that code can
    // leave a .ruff_cache that records the file as clean. Made here the way it would be, in the
    // sandbox: ruff with the project's own settings over a clean file, then a warning swapped in
    // under the same mtime.
    const { dir } = await repo({
      'pyproject.toml': `${PYPROJECT}\n[tool.ruff.lint]\nselect = ["F"]\n`,
      'mod.py': 'x = 10000\n',
    });
    const file = path.join(dir, 'mod.py');
    const stamp = new Date('2020-01-01T00:00:00Z');
    await utimes(file, stamp, stamp);
    await runtime.runtime.services.sandbox.run({
      argv: ['ruff', 'check', '--output-format=json', '.'],
      cwd: dir,
      workspace: dir,
      homeDir: home,
      network: false,
      timeoutMs: 60_000,
    });
    await writeFile(file, 'import os\n');
    await utimes(file, stamp, stamp);
    const out = await lint(dir, {});
    expect(rules(out.introduced)).toEqual(['F401']);
  });

  it('typescript without ESLint (tsc): an old type error is pre-existing, a new one introduced', async () => {
    const files = {
      'package.json': '{"name":"ts-lint","version":"1.0.0","private":true}',
      'tsconfig.json': '{"compilerOptions":{"strict":true,"noEmit":true,"types":[]},"include":["src"]}',
      '.gitignore': 'node_modules\n',
      'src/m.ts':
        'export const n: number = "one";\nexport function add(a: number, b: number) {\n  return a - b;\n}\n',
    };
    const fix = files['src/m.ts'].replace('return a - b', 'return a + b');
    const fixed = await lintChange(files, { 'src/m.ts': fix }, { typescript: true });
    expect(fixed.after.reports[0]).toMatchObject({ tool: 'tsc', available: true });
    expect(fixed.after.introduced).toEqual([]);
    expect(rules(fixed.after.preexisting)).toEqual(['TS2322']);
    const broken = await lintChange(
      files,
      { 'src/m.ts': `export const s: string = 2;\n${fix}` },
      { typescript: true },
    );
    expect(rules(broken.after.introduced)).toEqual(['TS2322']);
    expect(broken.after.introduced[0]).toMatchObject({
      line: 1,
      message: expect.stringContaining("'number'"),
    });
    expect(rules(broken.after.preexisting)).toEqual(['TS2322']);
  });

  it('rust (clippy, its default lints): an old needless_return stays pre-existing; an unused import is introduced', async () => {
    const lib = [
      'pub fn sub(a: i32, b: i32) -> i32 {',
      '    return a - b;',
      '}',
      '',
      'pub fn add(a: i32, b: i32) -> i32 {',
      '    a - b',
      '}',
      '',
    ].join('\n');
    const files = {
      'Cargo.toml': '[package]\nname = "lintfix"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n',
      '.gitignore': 'target/\n',
      'src/lib.rs': lib,
    };
    const fix = lib.replace('    a - b\n}', '    a + b\n}');
    const fixed = await lintChange(files, { 'src/lib.rs': fix });
    expect(fixed.after.introduced).toEqual([]);
    expect(rules(fixed.after.preexisting)).toEqual(['clippy::needless_return']);
    const sloppy = await lintChange(files, { 'src/lib.rs': `use std::fmt;\n\n${fix}` });
    expect(rules(sloppy.after.introduced)).toEqual(['unused_imports']);
    expect(rules(sloppy.after.preexisting)).toEqual(['clippy::needless_return']);
  });

  it('go vet: an old printf misuse stays pre-existing; a new one is introduced', async () => {
    const main = [
      'package calc',
      '',
      'import "fmt"',
      '',
      'func Show(n int) string {',
      '\treturn fmt.Sprintf("%s", n)',
      '}',
      '',
      'func Add(a, b int) int {',
      '\treturn a - b',
      '}',
      '',
    ].join('\n');
    const files = { 'go.mod': 'module example.com/calc\n\ngo 1.21\n', 'calc.go': main };
    const fix = main.replace('return a - b', 'return a + b');
    const fixed = await lintChange(files, { 'calc.go': fix });
    expect(fixed.after.introduced).toEqual([]);
    expect(rules(fixed.after.preexisting)).toEqual(['printf']);
    const sloppy = await lintChange(files, {
      'calc.go': `${fix}\nfunc Twice(s string) string {\n\treturn fmt.Sprintf("%d", s)\n}\n`,
    });
    expect(rules(sloppy.after.introduced)).toEqual(['printf']);
    expect(sloppy.after.introduced[0]?.message).toContain('%d');
  });

  it('without a baseline, every warning in the changed files counts, and the linter is named', async () => {
    const { dir, base } = await repo({ 'pyproject.toml': PYPROJECT, 'calc.py': CALC_PY });
    const out = await lint(dir, { config_commit: base, files: ['calc.py'] });
    expect(rules(out.introduced)).toEqual(['F401', 'F401', 'F841']);
    expect(out.no_baseline).toEqual(['ruff (python, .)']);
  });
});
