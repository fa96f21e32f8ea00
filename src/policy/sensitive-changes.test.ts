import { describe, expect, it } from 'vitest';
import { classifyChanges, describeChecksTouched, isAutodevConfig, isTestPath } from './sensitive-changes.js';

/** The two sides of a change as a map: `base` before it, `head` after it; a missing key is an absent file. */
function sides(base: Record<string, string>, head: Record<string, string>) {
  return (side: 'base' | 'head', file: string) => Promise.resolve(side === 'base' ? base[file] : head[file]);
}

describe('sensitive changes: what a change did to the checks that judge it', () => {
  it.each(['.autodev.toml', 'services/api/.autodev.toml', 'a/b/c/.autodev.toml'])(
    '%s is autodev configuration, at any depth',
    (file) => {
      expect(isAutodevConfig(file)).toBe(true);
    },
  );

  it.each([
    'tests/test_calc.py',
    'test/helpers.js',
    'pkg/tests/data.json',
    'test_calc.py',
    'calc_test.py',
    'src/conftest.py',
    'pytest.ini',
    'tox.ini',
    'noxfile.py',
    'server/handler_test.go',
    'pkg/testdata/golden.txt',
    'src/greet.test.ts',
    'src/greet.spec.js',
    'web/src/app.test.tsx',
    'lib/util.test.mjs',
    'src/__tests__/x.js',
    'spec/models/user_spec.rb',
    'jest.config.js',
    'vitest.config.ts',
    'vitest.workspace.ts',
    '.mocharc.yml',
    '.mocharc',
    '.cargo/config.toml',
    'sitecustomize.py',
    '.npmrc',
    '.pytest.ini',
    // Files that would replace the test runner, its plugins or its start-up (issue #27).
    'pytest.py',
    'sub/pytest.py',
    '_pytest/main.py',
    'pluggy/__init__.py',
    'pytest_asyncio/plugin.py',
    'pytest_fake.py',
    'unittest.py',
    'py.py',
    'usercustomize.py',
    'evil.pth',
    'venv/lib/python3.11/site-packages/x.pth',
    'build.rs',
    'crates/core/build.rs',
    'rust-toolchain.toml',
    'go.work',
    'node_modules/jest/bin/jest.js',
    'web/node_modules/.bin/vitest',
    '.pnpmfile.cjs',
    '.yarnrc.yml',
  ])('%s is a test or test configuration', (file) => {
    expect(isTestPath(file)).toBe(true);
  });

  it.each([
    'calc.py',
    'src/greet.ts',
    'src/testing.ts',
    'src/contest.py',
    'latest/notes.md',
    'server/handler.go',
    'README.md',
    '.autodev.toml.bak',
    'src/pytester_notes.md',
    'py/lib.rs',
    'src/builder.rs',
    'docs/node_modules.md',
  ])('%s is neither', (file) => {
    expect(isTestPath(file)).toBe(false);
    expect(isAutodevConfig(file)).toBe(false);
  });

  it('sorts a change into autodev configuration, tests, and the rest', async () => {
    const result = await classifyChanges(
      ['calc.py', '.autodev.toml', 'tests/test_calc.py', 'sub/.autodev.toml'],
      sides({}, {}),
    );
    expect(result).toEqual({
      autodevConfig: ['.autodev.toml', 'sub/.autodev.toml'],
      tests: ['tests/test_calc.py'],
    });
    expect(describeChecksTouched(result)).toEqual([
      '.autodev.toml (autodev configuration)',
      'sub/.autodev.toml (autodev configuration)',
      'tests/test_calc.py',
    ]);
  });

  it('flags package.json when its scripts or test runner config change, not its version', async () => {
    const before = JSON.stringify({ name: 'x', version: '1.0.0', scripts: { test: 'vitest run' } });
    const bumped = JSON.stringify({ name: 'x', version: '1.0.1', scripts: { test: 'vitest run' } });
    const silenced = JSON.stringify({ name: 'x', version: '1.0.0', scripts: { test: 'true' } });
    const jest = JSON.stringify({ name: 'x', version: '1.0.0', scripts: { test: 'vitest run' }, jest: {} });
    const read = (after: string) => sides({ 'package.json': before }, { 'package.json': after });
    expect((await classifyChanges(['package.json'], read(bumped))).tests).toEqual([]);
    expect((await classifyChanges(['package.json'], read(silenced))).tests).toEqual([
      'package.json (scripts or test runner config)',
    ]);
    expect((await classifyChanges(['package.json'], read(jest))).tests).toHaveLength(1);
    // A new project with a test script brings a new test command.
    const added = await classifyChanges(['web/package.json'], sides({}, { 'web/package.json': silenced }));
    expect(added.tests).toEqual(['web/package.json (scripts or test runner config)']);
    // One without scripts does not.
    const plain = await classifyChanges(
      ['web/package.json'],
      sides({}, { 'web/package.json': '{"name":"w"}' }),
    );
    expect(plain.tests).toEqual([]);
  });

  it('flags a manifest that no longer parses, since its test settings cannot be compared', async () => {
    const result = await classifyChanges(
      ['package.json'],
      sides({ 'package.json': '{"scripts":{}}' }, { 'package.json': '{"scripts":' }),
    );
    expect(result.tests).toEqual(['package.json (unreadable, so its test settings cannot be compared)']);
  });

  it('flags pyproject.toml test sections, not its linter or metadata', async () => {
    const base =
      '[project]\nname = "x"\n\n[tool.pytest.ini_options]\naddopts = "-q"\n\n[tool.ruff]\nline-length = 88\n';
    const ruff = base.replace('line-length = 88', 'line-length = 100');
    const pytest = base.replace('addopts = "-q"', 'addopts = "-q -k not test_add"');
    const read = (after: string) => sides({ 'pyproject.toml': base }, { 'pyproject.toml': after });
    expect((await classifyChanges(['pyproject.toml'], read(ruff))).tests).toEqual([]);
    expect((await classifyChanges(['pyproject.toml'], read(pytest))).tests).toEqual([
      'pyproject.toml (test sections)',
    ]);
  });

  it('flags setup.cfg [tool:pytest] changes, not [metadata]', async () => {
    const base = '[metadata]\nname = x\n\n[tool:pytest]\naddopts = -q\n';
    const read = (after: string) => sides({ 'setup.cfg': base }, { 'setup.cfg': after });
    expect((await classifyChanges(['setup.cfg'], read(base.replace('name = x', 'name = y')))).tests).toEqual(
      [],
    );
    expect(
      (await classifyChanges(['setup.cfg'], read(base.replace('-q', '-q --deselect tests/test_calc.py'))))
        .tests,
    ).toEqual(['setup.cfg (test sections)']);
  });

  it('flags Cargo.toml [[test]] and [lib] test settings, not a version bump', async () => {
    const base = '[package]\nname = "x"\nversion = "0.1.0"\n';
    const read = (after: string) => sides({ 'Cargo.toml': base }, { 'Cargo.toml': after });
    expect((await classifyChanges(['Cargo.toml'], read(base.replace('0.1.0', '0.2.0')))).tests).toEqual([]);
    expect(
      (await classifyChanges(['Cargo.toml'], read(`${base}\n[[test]]\nname = "it"\nharness = false\n`)))
        .tests,
    ).toHaveLength(1);
    expect(
      (await classifyChanges(['Cargo.toml'], read(`${base}\n[lib]\ntest = false\n`))).tests,
    ).toHaveLength(1);
  });

  it('flags a Cargo.toml build script or build-dependencies change', async () => {
    const base = '[package]\nname = "x"\nversion = "0.1.0"\n';
    const read = (after: string) => sides({ 'Cargo.toml': base }, { 'Cargo.toml': after });
    expect(
      (await classifyChanges(['Cargo.toml'], read(base.replace('version', 'build = "gen.rs"\nversion'))))
        .tests,
    ).toEqual(['Cargo.toml ([[test]], [lib] or [[bin]] test settings, or its build script)']);
    expect(
      (await classifyChanges(['Cargo.toml'], read(`${base}\n[build-dependencies]\ncc = "1"\n`))).tests,
    ).toHaveLength(1);
  });

  it('flags go.mod replace and toolchain directives, not a new requirement', async () => {
    const base = 'module example.com/x\n\ngo 1.22\n\nrequire github.com/a/b v1.0.0\n';
    const read = (after: string) => sides({ 'go.mod': base }, { 'go.mod': after });
    expect((await classifyChanges(['go.mod'], read(`${base}require github.com/c/d v1.2.0\n`))).tests).toEqual(
      [],
    );
    for (const added of [
      'replace github.com/stretchr/testify => ./fake-testify\n',
      'replace (\n\tgithub.com/stretchr/testify => ./fake\n)\n',
      'toolchain go1.23.0\n',
    ]) {
      expect((await classifyChanges(['go.mod'], read(`${base}${added}`))).tests, added).toEqual([
        'go.mod (replace or toolchain directives)',
      ]);
    }
  });

  it('flags a Rust source file whose #[cfg(test)] module or test attributes changed, not its other code', async () => {
    const base =
      'pub fn add(a: i32, b: i32) -> i32 { a - b }\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn adds() { assert_eq!(super::add(2, 3), 5); }\n}\n';
    const read = (after: string) => sides({ 'src/lib.rs': base }, { 'src/lib.rs': after });
    expect((await classifyChanges(['src/lib.rs'], read(base.replace('a - b', 'a + b')))).tests).toEqual([]);
    expect((await classifyChanges(['src/lib.rs'], read(base.replace('5)', '-1)')))).tests).toEqual([
      'src/lib.rs (#[cfg(test)] code or test attributes)',
    ]);
    expect(
      (await classifyChanges(['src/lib.rs'], read(base.replace('#[test]', '#[test]\n    #[ignore]')))).tests,
    ).toHaveLength(1);
  });
});
