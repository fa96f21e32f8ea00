import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectProjects, runLint, runSetup, runTests } from '../index.js';
import { createLanguageTestContext, type LanguageTestContext } from '../testing.js';

let ctx: LanguageTestContext;
beforeAll(async () => {
  ctx = await createLanguageTestContext(process.env);
});
afterAll(() => ctx.dispose());

/**
 * Shaped like the module of issue #28: a go.mod with no `go` line (Go reads it as go 1.16), and a
 * test that prints with a non-constant format string, which today's vet (run inside `go test`)
 * rejects for a module at go 1.24 or later, and not for one at 1.16.
 */
const NO_GO_LINE_MODULE = 'module example.com/greet\n';
const GREET = 'package greet\n\nfunc Greet(name string) string { return "hello " + name }\n';
const GREET_TEST = [
  'package greet',
  '',
  'import (',
  '\t"fmt"',
  '\t"os"',
  '\t"testing"',
  ')',
  '',
  'func TestGreet(t *testing.T) {',
  '\tmsg := Greet("bob")',
  '\tfmt.Fprintf(os.Stderr, msg)',
  '\tif msg != "hello bob" {',
  '\t\tt.Fatal(msg)',
  '\t}',
  '}',
  '',
].join('\n');

async function greetModule(goMod: string) {
  const dir = await ctx.repo('go-greet');
  await writeFile(path.join(dir, 'go.mod'), goMod);
  await writeFile(path.join(dir, 'greet.go'), GREET);
  await writeFile(path.join(dir, 'greet_test.go'), GREET_TEST);
  const [project] = await detectProjects(dir);
  if (!project) throw new Error('no project detected');
  return { dir, project };
}

describe('go: autodev never rewrites the module manifests', () => {
  it('a module without a go line keeps go.mod as committed through setup and tests, and its test passes', async () => {
    const { dir, project } = await greetModule(NO_GO_LINE_MODULE);
    const setup = await runSetup(project, { ...ctx.options(dir), network: false });
    expect(setup, setup.outputTail).toMatchObject({ ok: true });
    const report = await runTests(project, ctx.options(dir));
    // With -mod=mod the run wrote `go 1.26.x` into go.mod, and the stricter vet failed the build.
    expect(await readFile(path.join(dir, 'go.mod'), 'utf8')).toBe(NO_GO_LINE_MODULE);
    expect(report, report.outputTail).toMatchObject({ ok: true, passed: 1, failed: 0 });
    expect(report.notes).toBeUndefined();
  }, 300_000);

  it('a test that writes go.mod and go.sum: both are put back, and the report says so', async () => {
    const { dir, project } = await greetModule('module example.com/greet\n\ngo 1.21\n');
    await writeFile(
      path.join(dir, 'rewrite_test.go'),
      'package greet\n\nimport (\n\t"os"\n\t"testing"\n)\n\nfunc TestRewrite(t *testing.T) {\n\t_ = os.WriteFile("go.mod", []byte("module example.com/other\\n"), 0o644)\n\t_ = os.WriteFile("go.sum", []byte("planted\\n"), 0o644)\n}\n',
    );
    const report = await runTests(project, ctx.options(dir));
    expect(await readFile(path.join(dir, 'go.mod'), 'utf8')).toBe('module example.com/greet\n\ngo 1.21\n');
    await expect(readFile(path.join(dir, 'go.sum'))).rejects.toThrow(/ENOENT/);
    expect(report.notes?.join('\n')).toMatch(/the test run changed go\.mod, go\.sum: autodev put them back/);
  }, 300_000);
});

describe("go: the base's own vet failing inside go test", () => {
  it('runs the tests with -vet=off and says so, while go vet reports the finding as lint', async () => {
    // At go 1.24+ today's vet rejects the test file: `go test` could not build it before any change.
    const { dir, project } = await greetModule('module example.com/greet\n\ngo 1.24\n');
    const report = await runTests(project, ctx.options(dir));
    expect(report, report.outputTail).toMatchObject({ ok: true, passed: 1, failed: 0 });
    expect(report.command).toEqual(['go', 'test', '-vet=off', '-json', './...']);
    expect(report.notes).toEqual([
      "go test's built-in vet check failed in example.com/greet, so no test could run: the tests ran with -vet=off, and go vet runs as the linter, compared with the base",
    ]);
    const lint = await runLint(project, ctx.options(dir));
    expect(lint.warnings).toEqual([
      expect.objectContaining({ file: 'greet_test.go', rule: 'printf', line: 11 }),
    ]);
  }, 300_000);

  it('a compile error is not taken for vet: the tests fail as before, with vet on', async () => {
    const { dir, project } = await greetModule('module example.com/greet\n\ngo 1.24\n');
    await writeFile(
      path.join(dir, 'greet_test.go'),
      GREET_TEST.replace('fmt.Fprintf(os.Stderr, msg)', 'fmt.Fprint(os.Stderr, msg)'),
    );
    await writeFile(path.join(dir, 'broken.go'), 'package greet\n\nfunc Broken() int { return "s" }\n');
    const report = await runTests(project, ctx.options(dir));
    expect(report.ok).toBe(false);
    expect(report.command).toEqual(['go', 'test', '-json', './...']);
    expect(report.notes).toBeUndefined();
  }, 300_000);
});
