import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURE_COUNTS,
  FIXTURE_FAILING_TEST,
  FIXTURE_LINT_RULE,
  writeGoFixture,
} from '../../test/fixtures/languages.js';
import { detectProjects, runBuild, runLint, runTests } from './index.js';
import { createLanguageTestContext } from './testing.js';

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
