import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURE_COUNTS,
  FIXTURE_FAILING_TEST,
  FIXTURE_LINT_RULE,
  writeRustFixture,
  type FixtureVariant,
} from '../../test/fixtures/languages.js';
import { detectProjects, runBuild, runLint, runTests } from './index.js';
import { createLanguageTestContext, type LanguageTestContext } from './testing.js';

let ctx: LanguageTestContext;
beforeAll(async () => {
  ctx = await createLanguageTestContext(process.env);
});
afterAll(() => ctx.dispose());

async function rustProject(variant: FixtureVariant) {
  const dir = await ctx.repo(`rust-${variant}`);
  await writeRustFixture(dir, variant);
  const [project] = await detectProjects(dir);
  if (!project) throw new Error('no project detected');
  return { dir, project };
}

describe('rust, in bubblewrap without network', () => {
  it('passing crate: detected as cargo, builds, unit tests counted with the ignored one skipped', async () => {
    const { dir, project } = await rustProject('passing');
    expect(project).toMatchObject({ language: 'rust', root: '.', toolchain: 'cargo' });
    expect(await runBuild(project, ctx.options(dir))).toMatchObject({ ok: true, exitCode: 0 });
    expect(await runTests(project, ctx.options(dir))).toMatchObject({
      ok: true,
      ...FIXTURE_COUNTS.passing,
      failures: [],
    });
  });

  it('failing test: the report names it with its panic message', async () => {
    const { dir, project } = await rustProject('failing');
    const report = await runTests(project, ctx.options(dir));
    expect(report).toMatchObject({ ok: false, exitCode: 101, ...FIXTURE_COUNTS.failing });
    expect(report.failures[0]?.name).toBe(FIXTURE_FAILING_TEST.rust);
    expect(report.failures[0]?.message).toContain('assertion `left == right` failed');
  });

  it('clippy warnings become records with rule, file and position', async () => {
    const { dir, project } = await rustProject('lint');
    const report = await runLint(project, ctx.options(dir));
    expect(report).toMatchObject({ available: true, tool: 'clippy' });
    expect(report.warnings).toEqual([
      {
        file: 'src/lib.rs',
        line: 6,
        column: 5,
        rule: FIXTURE_LINT_RULE.rust,
        message: 'unneeded `return` statement',
        severity: 'warning',
      },
    ]);
  });
});
