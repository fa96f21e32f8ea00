import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FIXTURE_COUNTS,
  FIXTURE_FAILING_TEST,
  FIXTURE_LINT_RULE,
  writeRustFixture,
  type FixtureVariant,
} from '../../../test/fixtures/languages.js';
import { hostCargoSourceConfig } from '../../network/registries/cargo.js';
import { detectProjects, runBuild, runLint, runSetup, runTests } from '../index.js';
import { createLanguageTestContext, type LanguageTestContext } from '../testing.js';

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

/** A root crate that is also a workspace, its member `util` with a test the bug fails. */
async function rootCrateWorkspace(defaultMembers: boolean) {
  const dir = await ctx.repo('rust-workspace');
  const files: Record<string, string> = {
    'Cargo.toml': [
      '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n',
      '[dependencies]\nutil = { path = "util" }\n',
      `[workspace]\nmembers = ["util"]\n${defaultMembers ? 'default-members = ["."]\n' : ''}`,
    ].join('\n'),
    'src/lib.rs':
      'pub fn quadruple(n: i32) -> i32 {\n    util::double(util::double(n))\n}\n\n#[test]\nfn app_builds() {}\n',
    'util/Cargo.toml': '[package]\nname = "util"\nversion = "0.1.0"\nedition = "2021"\n',
    'util/src/lib.rs':
      'pub fn double(n: i32) -> i32 {\n    n * 3\n}\n\n#[test]\nfn doubles() {\n    assert_eq!(double(2), 4);\n}\n',
    '.gitignore': 'target/\n',
  };
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  return { dir, projects: await detectProjects(dir) };
}

describe('rust, a root crate that is also a workspace', () => {
  it("tests the members too: the member's failing test is in the report", async () => {
    const { dir, projects } = await rootCrateWorkspace(false);
    expect(projects.map((p) => p.root)).toEqual(['.']);
    const [project] = projects;
    if (!project) throw new Error('no project detected');
    // Plain `cargo test` there runs app's tests alone and passes.
    expect(project.commands.test).toEqual(['cargo', 'test', '--workspace', '--no-fail-fast']);
    const report = await runTests(project, ctx.options(dir));
    expect(report).toMatchObject({ ok: false, passed: 1, failed: 1 });
    expect(report.failures.map((f) => f.name)).toEqual(['doubles']);
  });

  it("keeps cargo's default where the maintainers chose default-members", async () => {
    const { projects } = await rootCrateWorkspace(true);
    expect(projects[0]?.commands.test).toEqual(['cargo', 'test', '--no-fail-fast']);
  });
});

describe("rust setup takes crates from the machine's cargo configuration", () => {
  it('a mirror in CARGO_HOME/config.toml ([source] replace-with) is where setup fetches from, tokens left out', async () => {
    const hostCargoHome = await ctx.repo('host-cargo-home');
    // A mirror nobody listens on: what setup tries to reach names it.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await writeFile(
      path.join(hostCargoHome, 'config.toml'),
      [
        '[source.crates-io]',
        'replace-with = "corp-mirror"',
        '[source.corp-mirror]',
        `registry = "sparse+http://127.0.0.1:${port}/index/"`,
        '[registries.corp]',
        `index = "sparse+http://127.0.0.1:${port}/corp/"`,
        'token = "cargo-secret-token-0123456789"',
        '',
      ].join('\n'),
    );
    const cargoSourceConfig = await hostCargoSourceConfig({ CARGO_HOME: hostCargoHome });
    expect(cargoSourceConfig).toContain('corp-mirror');
    expect(cargoSourceConfig).not.toContain('cargo-secret-token');

    const dir = await ctx.repo('rust-mirror');
    await writeFile(
      path.join(dir, 'Cargo.toml'),
      '[package]\nname = "mirrored"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nitoa = "1"\n',
    );
    await mkdir(path.join(dir, 'src'));
    await writeFile(path.join(dir, 'src', 'lib.rs'), 'pub fn f() -> u8 { 1 }\n');
    const [project] = await detectProjects(dir);
    if (!project) throw new Error('no project detected');
    const setup = await runSetup(project, { ...ctx.options(dir), network: true, cargoSourceConfig });
    expect(setup.ok).toBe(false);
    expect(setup.outputTail).toContain(`127.0.0.1:${port}`);
  });
});
