import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURE_COUNTS,
  FIXTURE_FAILING_TEST,
  FIXTURE_LINT_RULE,
  writePythonFixture,
  writeUnittestFixture,
  type FixtureVariant,
} from '../../../test/fixtures/languages.js';
import { detectProjects, runBuild, runLint, runSetup, runTests } from '../index.js';
import { createLanguageTestContext, type LanguageTestContext } from '../testing.js';

let ctx: LanguageTestContext;
beforeAll(async () => {
  ctx = await createLanguageTestContext(process.env);
});
afterAll(() => ctx.dispose());

async function pythonProject(variant: FixtureVariant, write = writePythonFixture) {
  const dir = await ctx.repo(`python-${variant}`);
  await write(dir, variant);
  const [project] = await detectProjects(dir);
  if (!project) throw new Error('no project detected');
  return { dir, project };
}

describe('python, in bubblewrap without network', () => {
  it('pytest package: compiles, tests counted from the JUnit report, which is removed afterwards', async () => {
    const { dir, project } = await pythonProject('passing');
    expect(project).toMatchObject({ language: 'python', toolchain: 'pytest' });
    // A flat package with static metadata and no dependencies has nothing to install: no pip call.
    expect(project.commands.setup).toBeUndefined();
    expect(await runBuild(project, ctx.options(dir))).toMatchObject({ ok: true, exitCode: 0 });
    expect(await runTests(project, ctx.options(dir))).toMatchObject({
      ok: true,
      ...FIXTURE_COUNTS.passing,
      failures: [],
    });
    expect((await readdir(dir)).filter((f) => f.includes('junit') || f === '.pytest_cache')).toEqual([]);
  });

  it('failing pytest test: named by node id with the assertion', async () => {
    const { dir, project } = await pythonProject('failing');
    const report = await runTests(project, ctx.options(dir));
    expect(report).toMatchObject({ ok: false, exitCode: 1, ...FIXTURE_COUNTS.failing });
    expect(report.failures[0]?.name).toBe(FIXTURE_FAILING_TEST.python);
    expect(report.failures[0]?.message).toContain('assert 1 == 0');
  });

  it('a syntax error fails the compileall build', async () => {
    const { dir, project } = await pythonProject('passing');
    await writeFile(path.join(dir, 'broken.py'), 'def broken(:\n');
    expect(await runBuild(project, ctx.options(dir))).toMatchObject({ ok: false, exitCode: 1 });
  });

  it('unittest-only package: detected as unittest, summary and FAIL lines parsed', async () => {
    const passing = await pythonProject('passing', writeUnittestFixture);
    expect(passing.project.toolchain).toBe('unittest');
    expect(await runTests(passing.project, ctx.options(passing.dir))).toMatchObject({
      ok: true,
      ...FIXTURE_COUNTS.passing,
    });
    const failing = await pythonProject('failing', writeUnittestFixture);
    const report = await runTests(failing.project, ctx.options(failing.dir));
    expect(report).toMatchObject({ ok: false, ...FIXTURE_COUNTS.failing });
    expect(report.failures).toEqual([{ name: 'tests.test_calc.CalcTest.test_subtracts' }]);
  });

  it('a top-level pytest.py (or _pytest/, pluggy.py) of the change is never the runner: the failing test still fails', async () => {
    const { dir, project } = await pythonProject('failing');
    // What the attack committed: a fake pytest that prints a pass and writes an all-pass JUnit report.
    const fake = [
      'import sys',
      'for a in sys.argv:',
      "    if a.startswith('--junitxml='):",
      '        open(a.split(\'=\', 1)[1], \'w\').write(\'<testsuite tests="9" failures="0" errors="0" skipped="0"><testcase classname="t" name="ok"/></testsuite>\')',
      "print('9 passed in 0.01s')",
      'sys.exit(0)',
      '',
    ].join('\n');
    await writeFile(path.join(dir, 'pytest.py'), fake);
    await writeFile(path.join(dir, 'pluggy.py'), 'raise SystemExit(0)\n');
    const report = await runTests(project, ctx.options(dir));
    expect(report).toMatchObject({ ok: false, exitCode: 1, ...FIXTURE_COUNTS.failing });
    expect(report.command.slice(0, 3)).toEqual(['python3', '-m', 'pytest']);
  });

  it('a pytest.py in a folder an editable install puts on sys.path (src/) is never the runner either', async () => {
    const { dir, project: detected } = await pythonProject('failing');
    await mkdir(path.join(dir, 'src'), { recursive: true });
    await writeFile(path.join(dir, 'src', 'pytest.py'), "print('9 passed in 0.01s')\nraise SystemExit(0)\n");
    // What `pip install -e .` of a src-layout project leaves in the virtualenv: a .pth naming src/.
    const pth = [
      'site=$("$VIRTUAL_ENV/bin/python" -c "import sysconfig; print(sysconfig.get_paths()[\'purelib\'])")',
      'echo "$PWD/src" > "$site/__editable__.project.pth"',
    ].join(' && ');
    const project = { ...detected, commands: { ...detected.commands, setup: ['sh', '-c', pth] } };
    expect(await runSetup(project, { ...ctx.options(dir), network: false })).toMatchObject({ ok: true });
    expect(await runTests(project, ctx.options(dir))).toMatchObject({ ok: false, ...FIXTURE_COUNTS.failing });
  });

  it('tests in tests/ and their conftest.py still import the project from the working directory', async () => {
    const { dir, project } = await pythonProject('passing');
    await writeFile(path.join(dir, 'helper_mod.py'), 'VALUE = 42\n');
    await writeFile(
      path.join(dir, 'tests', 'conftest.py'),
      'import helper_mod\n\nassert helper_mod.VALUE == 42\n',
    );
    expect(await runTests(project, ctx.options(dir))).toMatchObject({ ok: true, ...FIXTURE_COUNTS.passing });
  });

  it('a top-level unittest.py of the change is never the runner', async () => {
    const { dir, project } = await pythonProject('failing', writeUnittestFixture);
    await writeFile(path.join(dir, 'unittest.py'), "print('Ran 9 tests in 0.001s')\nprint('OK')\n");
    const report = await runTests(project, ctx.options(dir));
    expect(report).toMatchObject({ ok: false, ...FIXTURE_COUNTS.failing });
  });

  describe('pytest plugins: autoloading is off, the ones the repo declares are loaded', () => {
    /** A plugin distribution installed into the project's virtualenv by setup (no index needed). */
    const INSTALL_PLUGIN = [
      'site=$("$VIRTUAL_ENV/bin/python" -c "import sysconfig; print(sysconfig.get_paths()[\'purelib\'])")',
      'printf "import pytest\\n@pytest.fixture\\ndef fakeplug_answer():\\n    return 42\\n" > "$site/fakeplug.py"',
      'mkdir -p "$site/pytest_fakeplug-1.0.dist-info"',
      'printf "Metadata-Version: 2.1\\nName: pytest-fakeplug\\nVersion: 1.0\\n" > "$site/pytest_fakeplug-1.0.dist-info/METADATA"',
      'printf "[pytest11]\\nfakeplug = fakeplug\\n" > "$site/pytest_fakeplug-1.0.dist-info/entry_points.txt"',
    ].join(' && ');

    async function withPlugin(declared: boolean) {
      const dir = await ctx.repo(`python-plugin-${String(declared)}`);
      await writeFile(path.join(dir, 'pytest.ini'), '[pytest]\n');
      await writeFile(path.join(dir, 'requirements-dev.txt'), declared ? 'pytest-fakeplug==1.0\n' : '\n');
      await writeFile(
        path.join(dir, 'test_uses_plugin.py'),
        'def test_answer(fakeplug_answer):\n    assert fakeplug_answer == 42\n',
      );
      const [detected] = await detectProjects(dir);
      if (!detected) throw new Error('no project detected');
      const project = {
        ...detected,
        commands: { ...detected.commands, setup: ['sh', '-c', INSTALL_PLUGIN] },
      };
      const setup = await runSetup(project, { ...ctx.options(dir), network: false });
      expect(setup, setup.outputTail).toMatchObject({ ok: true });
      return runTests(project, ctx.options(dir));
    }

    it('a plugin the repo names in its manifests is loaded', async () => {
      expect(await withPlugin(true)).toMatchObject({ ok: true, passed: 1, failed: 0 });
    });

    it('a plugin installed but not named anywhere in the repo is not', async () => {
      const report = await withPlugin(false);
      expect(report).toMatchObject({ ok: false });
      expect(report.outputTail).toContain("fixture 'fakeplug_answer' not found");
    });
  });

  it('ruff findings become warnings with repo-relative paths', async () => {
    const { dir, project } = await pythonProject('lint');
    const report = await runLint(project, ctx.options(dir));
    expect(report).toMatchObject({ available: true, tool: 'ruff', exitCode: 1 });
    expect(report.warnings).toEqual([
      expect.objectContaining({ file: 'calc.py', line: 1, column: 8, rule: FIXTURE_LINT_RULE.python }),
    ]);
  });

  it('a linter that is not installed is reported unavailable, never a pass', async () => {
    for (const lint of ['["no-such-linter", "check"]', '"no-such-linter check"']) {
      const dir = await ctx.repo('python-missing-linter');
      await writePythonFixture(dir, 'lint');
      await writeFile(path.join(dir, '.autodev.toml'), `[commands]\nlint = ${lint}\n`);
      const [project] = await detectProjects(dir);
      if (!project) throw new Error('no project detected');
      const report = await runLint(project, ctx.options(dir));
      expect(report, lint).toMatchObject({ available: false, warnings: [] });
    }
  });
});
