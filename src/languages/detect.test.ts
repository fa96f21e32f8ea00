import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAutodevError } from '../errors.js';
import {
  writeGoFixture,
  writeNodeFixture,
  writePythonFixture,
  writeRustFixture,
} from '../../test/fixtures/languages.js';
import { detectProjects } from './index.js';

let repo: string;
beforeEach(async () => {
  repo = await mkdtemp(path.join(os.tmpdir(), 'autodev-detect-'));
});
afterEach(() => rm(repo, { recursive: true, force: true }));

async function write(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.join(repo, file)), { recursive: true });
  await writeFile(path.join(repo, file), text);
}

function summary(projects: Awaited<ReturnType<typeof detectProjects>>) {
  return projects.map((p) => `${p.language}@${p.root}:${p.toolchain}`);
}

describe('detectProjects', () => {
  it('finds projects of every language at the root and one or two levels down, skipping dependency folders', async () => {
    await writeGoFixture(repo, 'passing');
    await writeNodeFixture(path.join(repo, 'web'), 'passing');
    await writeRustFixture(path.join(repo, 'crates', 'core'), 'passing');
    await writePythonFixture(path.join(repo, 'tools', 'py'), 'passing');
    await write('web/node_modules/dep/package.json', '{}');
    await write('crates/core/target/debug/build/x/Cargo.toml', '');
    await write('.venv/lib/pyproject.toml', '');
    await write('a/b/c/go.mod', 'module deep\n');
    expect(summary(await detectProjects(repo))).toEqual([
      'go@.:go',
      'rust@crates/core:cargo',
      'python@tools/py:pytest',
      'node@web:npm',
    ]);
  });

  it('picks the package manager from the lockfile and the commands from package.json', async () => {
    await write('package.json', JSON.stringify({ scripts: { build: 'tsc', test: 'vitest run' } }));
    await write('pnpm-lock.yaml', '');
    await write('eslint.config.js', 'export default [];');
    const [project] = await detectProjects(repo);
    expect(project).toMatchObject({
      toolchain: 'pnpm',
      commands: {
        setup: ['pnpm', 'install', '--frozen-lockfile'],
        build: ['pnpm', 'run', 'build'],
        test: ['pnpm', 'test'],
        lint: ['eslint', '-f', 'json', '.'],
      },
    });
    await rm(path.join(repo, 'pnpm-lock.yaml'));
    await write('yarn.lock', '');
    expect((await detectProjects(repo))[0]?.commands.setup).toEqual(['yarn', 'install', '--frozen-lockfile']);
  });

  it("npm init's placeholder test script is no test command; a workspace's packages belong to its root", async () => {
    await write(
      'package.json',
      JSON.stringify({
        workspaces: ['packages/*'],
        scripts: { test: 'echo "Error: no test specified" && exit 1' },
      }),
    );
    await write('package-lock.json', '{}');
    await write('packages/a/package.json', '{}');
    const projects = await detectProjects(repo);
    expect(summary(projects)).toEqual(['node@.:npm']);
    expect(projects[0]?.commands).toEqual({ setup: ['npm', 'ci'] });
  });

  it('a workspace root without a test script: each listed member with one is a project, installed by the root', async () => {
    await write('package.json', JSON.stringify({ workspaces: ['packages/*', '!packages/skipped'] }));
    await write('package-lock.json', '{}');
    await write('eslint.config.js', 'export default [];');
    await write(
      'packages/a/package.json',
      JSON.stringify({ scripts: { test: 'tape test/*.js', build: 'tsc' } }),
    );
    await write('packages/b/package.json', '{}');
    await write('packages/skipped/package.json', JSON.stringify({ scripts: { test: 'tape' } }));
    await write('examples/demo/package.json', JSON.stringify({ scripts: { test: 'node --test' } }));
    const projects = await detectProjects(repo);
    expect(projects.map((p) => [p.root, p.commands])).toEqual([
      ['.', { setup: ['npm', 'ci'], lint: ['eslint', '-f', 'json', '.'] }],
      // ESLint at the root already covers the member: linted once, not twice.
      ['packages/a', { test: ['npm', 'test'], build: ['npm', 'run', 'build'] }],
    ]);
  });

  it('pnpm-workspace.yaml lists the members; a root test script keeps the members to itself', async () => {
    await write('package.json', '{}');
    await write('pnpm-workspace.yaml', "packages:\n  - 'libs/*'\n");
    await write('pnpm-lock.yaml', '');
    await write('libs/x/package.json', JSON.stringify({ scripts: { test: 'vitest run' } }));
    expect(summary(await detectProjects(repo))).toEqual(['node@.:pnpm', 'node@libs/x:pnpm']);
    await write('package.json', JSON.stringify({ scripts: { test: 'pnpm -r test' } }));
    expect(summary(await detectProjects(repo))).toEqual(['node@.:pnpm']);
  });

  it('a Rust workspace member is built from the workspace root; a nested Go module is its own project', async () => {
    await write('Cargo.toml', '[workspace]\nmembers = ["member"]\n');
    await write('member/Cargo.toml', '[package]\nname = "member"\n');
    await write('go.mod', 'module a\n');
    await write('tools/go.mod', 'module b\n');
    expect(summary(await detectProjects(repo))).toEqual(['go@.:go', 'rust@.:cargo', 'go@tools:go']);
  });

  it('python: requirements and an installable package both go to pip; loose test files at the root make a project', async () => {
    await write('requirements.txt', 'pytest\n');
    await write('setup.py', '');
    const [project] = await detectProjects(repo);
    expect(project?.commands.setup).toEqual([
      'python3',
      '-m',
      'pip',
      'install',
      // A setup.py project is built without isolation (offline), so its build backend comes first.
      'setuptools',
      'wheel',
      '-r',
      'requirements.txt',
      '-e',
      '.',
    ]);
    const other = await mkdtemp(path.join(os.tmpdir(), 'autodev-detect-'));
    await writeFile(path.join(other, 'test_x.py'), 'import unittest\n');
    expect(summary(await detectProjects(other))).toEqual(['python@.:unittest']);
    await rm(other, { recursive: true });
  });

  it('a repo with nothing recognisable has no projects', async () => {
    await write('README.md', '# hi');
    expect(await detectProjects(repo)).toEqual([]);
  });
});

describe('.autodev.toml', () => {
  it('[commands] overrides the only project: a string becomes sh -c, an array is the argv', async () => {
    await writeGoFixture(path.join(repo, 'svc'), 'passing');
    await write('.autodev.toml', '[commands]\ntest = "make test"\nlint = ["golangci-lint", "run"]\n');
    const [project] = await detectProjects(repo);
    expect(project).toMatchObject({
      root: 'svc',
      overridden: true,
      commands: {
        test: ['sh', '-c', 'make test'],
        lint: ['golangci-lint', 'run'],
        build: ['go', 'build', './...'],
      },
    });
  });

  it('[projects."<folder>".commands] targets one project of several; language declares an undetected one', async () => {
    await writeGoFixture(path.join(repo, 'api'), 'passing');
    await writeNodeFixture(path.join(repo, 'web'), 'passing');
    await write(
      '.autodev.toml',
      '[projects."web".commands]\ntest = ["npm", "run", "test:ci"]\n\n[projects."scripts"]\nlanguage = "python"\ncommands = { test = "./run-tests" }\n',
    );
    const projects = await detectProjects(repo);
    expect(summary(projects)).toEqual(['go@api:go', 'python@scripts:python', 'node@web:npm']);
    expect(projects.find((p) => p.root === 'web')).toMatchObject({
      overridden: true,
      commands: { test: ['npm', 'run', 'test:ci'] },
    });
    expect(projects.find((p) => p.root === 'api')?.overridden).toBe(false);
  });

  it('rejects bad files with VALIDATION_FAILED naming the file and the key', async () => {
    const cases: [string, string][] = [
      ['[commands]\ntest = 3\n', 'commands.test'],
      ['[commands]\ntset = "x"\n', 'commands.tset'],
      ['[commands\n', '.autodev.toml'],
      ['[projects."../up".commands]\ntest = "x"\n', 'projects."../up"'],
    ];
    await writeGoFixture(repo, 'passing');
    for (const [text, key] of cases) {
      await write('.autodev.toml', text);
      const error: unknown = await detectProjects(repo).catch((e: unknown) => e);
      expect(isAutodevError(error, 'VALIDATION_FAILED'), text).toBe(true);
      expect(error instanceof Error ? error.message : '', text).toContain(key);
    }
  });

  it('[commands] is refused when several projects and none at the root make it ambiguous', async () => {
    await writeGoFixture(path.join(repo, 'a'), 'passing');
    await writeGoFixture(path.join(repo, 'b'), 'passing');
    await write('.autodev.toml', '[commands]\ntest = "make test"\n');
    const error: unknown = await detectProjects(repo).catch((e: unknown) => e);
    expect(isAutodevError(error, 'VALIDATION_FAILED')).toBe(true);
    expect(isAutodevError(error) ? error.details : undefined).toEqual({
      file: '.autodev.toml',
      key: 'commands',
    });
  });
});
