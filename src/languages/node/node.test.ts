import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURE_COUNTS,
  FIXTURE_FAILING_TEST,
  FIXTURE_LINT_RULE,
  writeNodeFixture,
  type FixtureVariant,
} from '../../../test/fixtures/languages.js';
import { installOwnPackages } from '../../../test/fixtures/own-node-packages.js';
import { detectProjects, runBuild, runLint, runTests } from '../index.js';
import { createLanguageTestContext, type LanguageTestContext } from '../testing.js';

// The sandbox has no network, so a fixture cannot `npm install` ESLint or TypeScript: the
// tests that need them get copies of autodev's own, inside the workspace as an install puts them.

let ctx: LanguageTestContext;
beforeAll(async () => {
  ctx = await createLanguageTestContext(process.env);
});
afterAll(() => ctx.dispose());

async function nodeProject(variant: FixtureVariant, options: { install?: readonly string[] } = {}) {
  const dir = await ctx.repo(`node-${variant}`);
  await writeNodeFixture(dir, variant);
  if (options.install) await installOwnPackages(dir, options.install);
  const [project] = await detectProjects(dir);
  if (!project) throw new Error('no project detected');
  return { dir, project };
}

/** The passing fixture with `scripts` as its package.json's (npm's lifecycle scripts around its test). */
async function scriptedProject(name: string, scripts: Record<string, string>, type?: 'module') {
  const dir = await ctx.repo(name);
  await writeNodeFixture(dir, 'passing');
  const pkg = { name: 'fixture', version: '1.0.0', ...(type ? { type } : {}), private: true, scripts };
  await writeFile(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2));
  const [project] = await detectProjects(dir);
  if (!project) throw new Error('no project detected');
  return { dir, project };
}

describe('node, in bubblewrap without network', () => {
  it('passing package: npm test runs node --test, counted from its TAP summary; no build step is skipped, not failed', async () => {
    const { dir, project } = await nodeProject('passing');
    expect(project).toMatchObject({ language: 'node', toolchain: 'npm' });
    expect(project.commands).toMatchObject({ setup: ['npm', 'install'], test: ['npm', 'test'] });
    expect(await runBuild(project, ctx.options(dir))).toMatchObject({ ok: true, skipped: true, command: [] });
    expect(await runTests(project, ctx.options(dir))).toMatchObject({
      ok: true,
      ...FIXTURE_COUNTS.passing,
      failures: [],
    });
  });

  it('a posttest that needs the network (an audit) is reported as such, the verdict is from the test runner', async () => {
    const offline =
      "require('dns').lookup('audit.example.org', (e) => { if (e) { console.error('getaddrinfo ' + e.code + ' audit.example.org'); process.exit(1); } })";
    const { dir, project } = await scriptedProject(
      'node-posttest',
      { pretest: 'node -e "console.log(1)"', test: 'node --test', posttest: `node -e "${offline}"` },
      'module',
    );
    const report = await runTests(project, ctx.options(dir));
    expect(report).toMatchObject({ ok: true, passed: FIXTURE_COUNTS.passing.passed, failed: 0 });
    expect(report.notes).toEqual([
      'pretest ran',
      expect.stringMatching(/^posttest failed because it needs the network, which tests never have/),
    ]);
  });

  it("an `npx` posttest (object-inspect's `npx aud --production`) fails at once offline, not after a minute of name lookups", async () => {
    const { dir, project } = await scriptedProject(
      'node-npx-posttest',
      { test: 'node --test', posttest: 'npx aud --production' },
      'module',
    );
    const report = await runTests(project, ctx.options(dir));
    expect(report).toMatchObject({ ok: true, passed: FIXTURE_COUNTS.passing.passed, failed: 0 });
    // npm knew it was offline: it answered from its cache (nothing there) instead of retrying DNS.
    expect(report.notes).toEqual([
      expect.stringMatching(
        /^posttest failed because it needs the network, which tests never have.*ENOTCACHED/s,
      ),
    ]);
  });

  it('a pretest that fails for its own reasons fails the run, as npm test would', async () => {
    const { dir, project } = await scriptedProject('node-pretest', {
      pretest: 'exit 3',
      test: 'node --test',
    });
    const report = await runTests(project, ctx.options(dir));
    expect(report.ok).toBe(false);
    expect(report.notes?.[0]).toMatch(/^pretest failed \(exit 3\)/);
  });

  it('failing test: not ok and named', async () => {
    const { dir, project } = await nodeProject('failing');
    const report = await runTests(project, ctx.options(dir));
    expect(report).toMatchObject({ ok: false, exitCode: 1, ...FIXTURE_COUNTS.failing });
    expect(report.failures).toEqual([{ name: FIXTURE_FAILING_TEST.node }]);
  });

  it('eslint configured but not installed (no network to install it): unavailable, never a pass', async () => {
    const { dir, project } = await nodeProject('lint');
    expect(project.commands.lint).toEqual(['eslint', '-f', 'json', '.']);
    const report = await runLint(project, ctx.options(dir));
    expect(report).toMatchObject({ available: false, tool: 'eslint', warnings: [] });
  });

  it('eslint from the project node_modules: JSON findings with repo-relative paths', async () => {
    const { dir, project } = await nodeProject('lint', { install: ['eslint'] });
    const report = await runLint(project, ctx.options(dir));
    expect(report).toMatchObject({ available: true, tool: 'eslint' });
    expect(report.command[0]).toBe(path.join(dir, 'node_modules', '.bin', 'eslint'));
    expect(report.warnings).toEqual([
      {
        file: 'src/extra.js',
        line: 2,
        column: 9,
        rule: FIXTURE_LINT_RULE.node,
        message: "'leftover' is assigned a value but never used.",
        severity: 'warning',
      },
    ]);
  });

  it('a TypeScript package without eslint: tsc --noEmit is the build and the lint, its errors parsed', async () => {
    const { dir } = await nodeProject('passing', { install: ['typescript'] });
    await writeFile(
      path.join(dir, 'tsconfig.json'),
      '{"compilerOptions":{"strict":true,"noEmit":true,"types":[]},"include":["src"]}',
    );
    await writeFile(path.join(dir, 'src', 'typed.ts'), 'export const n: number = "one";\n');
    const [project] = await detectProjects(dir);
    if (!project) throw new Error('no project detected');
    expect(project.commands.lint).toEqual(['tsc', '--noEmit', '--pretty', 'false']);
    expect(await runBuild(project, ctx.options(dir))).toMatchObject({ ok: false, exitCode: 2 });
    const report = await runLint(project, ctx.options(dir));
    expect(report).toMatchObject({ available: true, tool: 'tsc' });
    expect(report.warnings).toEqual([
      expect.objectContaining({
        file: 'src/typed.ts',
        line: 1,
        column: 14,
        rule: 'TS2322',
        severity: 'error',
      }),
    ]);
  });
});

describe('node, an npm workspaces root without a test script of its own', () => {
  it("runs each member's suite as its own project, the failure under its member's root", async () => {
    const dir = await ctx.repo('node-workspaces');
    await writeFile(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'monorepo', private: true, workspaces: ['packages/*'] }),
    );
    await writeFile(path.join(dir, 'package-lock.json'), '{}');
    // The same fixture twice (npm wants two names): the same test names in both members stay two tests.
    for (const [member, variant] of [
      ['ok', 'passing'],
      ['broken', 'failing'],
    ] as const) {
      const memberDir = path.join(dir, 'packages', member);
      await writeNodeFixture(memberDir, variant);
      const pkg = JSON.parse(await readFile(path.join(memberDir, 'package.json'), 'utf8')) as object;
      await writeFile(path.join(memberDir, 'package.json'), JSON.stringify({ ...pkg, name: member }));
    }
    const projects = await detectProjects(dir);
    expect(projects.map((p) => [p.root, p.commands.setup, p.commands.test])).toEqual([
      ['.', ['npm', 'ci'], undefined],
      ['packages/broken', undefined, ['npm', 'test']],
      ['packages/ok', undefined, ['npm', 'test']],
    ]);
    const [broken, ok] = await Promise.all(projects.slice(1).map((p) => runTests(p, ctx.options(dir))));
    expect(broken).toMatchObject({ root: 'packages/broken', ok: false, ...FIXTURE_COUNTS.failing });
    expect(broken?.failures.map((f) => f.name)).toEqual([FIXTURE_FAILING_TEST.node]);
    expect(ok).toMatchObject({ root: 'packages/ok', ok: true, ...FIXTURE_COUNTS.passing });
  });
});
