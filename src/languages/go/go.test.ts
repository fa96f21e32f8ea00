import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURE_COUNTS,
  FIXTURE_FAILING_TEST,
  FIXTURE_LINT_RULE,
  writeGoFixture,
} from '../../../test/fixtures/languages.js';
import { detectProjects, runBuild, runLint, runTests } from '../index.js';
import { createLanguageTestContext } from '../testing.js';

let ctx: Awaited<ReturnType<typeof createLanguageTestContext>>;
beforeAll(async () => {
  ctx = await createLanguageTestContext(process.env);
});
afterAll(() => ctx.dispose());

async function goProject(variant: 'passing' | 'failing' | 'lint') {
  const dir = await ctx.repo(`go-${variant}`);
  await writeGoFixture(dir, variant);
  const [project] = await detectProjects(dir);
  if (!project) throw new Error('no project detected');
  return { dir, project };
}

describe('go, in bubblewrap without network', () => {
  it('detects the module with go build/test -json/vet -json', async () => {
    const { project } = await goProject('passing');
    expect(project).toMatchObject({ language: 'go', root: '.', toolchain: 'go', overridden: false });
    expect(project.commands.test).toEqual(['go', 'test', '-json', './...']);
  });

  it('passing module: builds, and the test report counts passed and skipped', async () => {
    const { dir, project } = await goProject('passing');
    const build = await runBuild(project, ctx.options(dir));
    expect(build).toMatchObject({ ok: true, exitCode: 0 });
    const report = await runTests(project, ctx.options(dir));
    expect(report).toMatchObject({ ok: true, ...FIXTURE_COUNTS.passing, failures: [] });
  });

  it('failing test: not ok, and the report names the test and its message', async () => {
    const { dir, project } = await goProject('failing');
    const report = await runTests(project, ctx.options(dir));
    expect(report).toMatchObject({ ok: false, exitCode: 1, ...FIXTURE_COUNTS.failing });
    expect(report.failures[0]?.name).toBe(FIXTURE_FAILING_TEST.go);
    expect(report.failures[0]?.message).toContain('want 0');
  });

  it('go vet findings become warnings with repo-relative paths', async () => {
    const { dir, project } = await goProject('lint');
    const report = await runLint(project, ctx.options(dir));
    expect(report.available).toBe(true);
    expect(report.warnings).toEqual([
      expect.objectContaining({ file: 'calc.go', rule: FIXTURE_LINT_RULE.go, severity: 'warning' }),
    ]);
    const clean = await goProject('passing');
    expect((await runLint(clean.project, ctx.options(clean.dir))).warnings).toEqual([]);
  });

  it('a compile error fails the build and the tests, naming the package', async () => {
    const { dir, project } = await goProject('passing');
    await writeFile(path.join(dir, 'broken.go'), 'package calc\n\nfunc Broken() int { return "s" }\n');
    expect(await runBuild(project, ctx.options(dir))).toMatchObject({ ok: false, exitCode: 1 });
    const report = await runTests(project, ctx.options(dir));
    expect(report.ok).toBe(false);
    expect(report.failures[0]?.name).toContain('example.com/fixture');
  });
});

/** Two modules joined by go.work: `app` needs `lib`, which no proxy serves, only the workspace. */
async function goWorkRepo(libResult: 'right' | 'wrong') {
  const dir = await ctx.repo('go-work');
  const files: Record<string, string> = {
    'go.work': 'go 1.21\n\nuse (\n\t./app\n\t./lib\n)\n',
    'lib/go.mod': 'module example.com/lib\n\ngo 1.21\n',
    'lib/lib.go': `package lib\n\nfunc Double(n int) int { return n * ${libResult === 'right' ? 2 : 3} }\n`,
    'lib/lib_test.go':
      'package lib\n\nimport "testing"\n\nfunc TestDouble(t *testing.T) {\n\tif Double(2) != 4 {\n\t\tt.Fatal("Double(2) != 4")\n\t}\n}\n',
    'app/go.mod': 'module example.com/app\n\ngo 1.21\n\nrequire example.com/lib v0.0.0\n',
    'app/app.go':
      'package app\n\nimport "example.com/lib"\n\nfunc Quadruple(n int) int { return lib.Double(lib.Double(n)) }\n',
    'app/app_test.go':
      'package app\n\nimport "testing"\n\nfunc TestQuadruple(t *testing.T) {\n\tif Quadruple(1) != 4 {\n\t\tt.Fatal("Quadruple(1) != 4")\n\t}\n}\n',
  };
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  return { dir, projects: await detectProjects(dir) };
}

describe('go, a go.work workspace of two modules', () => {
  it('detects one project per module, and each tests and vets in workspace mode', async () => {
    const { dir, projects } = await goWorkRepo('right');
    expect(projects.map((p) => p.root)).toEqual(['app', 'lib']);
    for (const project of projects) {
      // Go refuses -mod=mod in workspace mode: with it every command failed before running a test.
      expect(await runTests(project, ctx.options(dir))).toMatchObject({ ok: true, passed: 1, failed: 0 });
      expect(await runLint(project, ctx.options(dir))).toMatchObject({ available: true, exitCode: 0 });
    }
    // Alone, this file's first test compiles the standard library into the fresh HOME: minutes on a busy machine.
  }, 300_000);

  it('a bug in one module fails its own test and the dependent module through the workspace', async () => {
    const { dir, projects } = await goWorkRepo('wrong');
    const reports = await Promise.all(projects.map((p) => runTests(p, ctx.options(dir))));
    expect(reports.map((r) => r.failures.map((f) => f.name))).toEqual([['TestQuadruple'], ['TestDouble']]);
  });
});
