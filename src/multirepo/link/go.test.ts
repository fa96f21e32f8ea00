import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createLinkTestContext,
  describeRun,
  type LinkTestContext,
} from '../../../test/helpers/linked-build.js';
import { isAutodevError } from '../../errors.js';

const MODULE = 'example.test/greet';
const hello = (word: string) =>
  `package greet\n\n// Hello greets n.\nfunc Hello(n string) string {\n\treturn "${word} " + n\n}\n`;

/**
 * The consumer requires greet v1.0.0, vendored (what `go mod vendor` makes: the published module,
 * offline); its test expects the library's new greeting.
 */
const consumerFiles = (require: string): Record<string, string> => ({
  'go.mod': `module example.test/app\n\ngo 1.21\n\n${require}\n`,
  'app.go': `package app\n\nimport "${MODULE}"\n\n// Welcome greets a gopher.\nfunc Welcome() string {\n\treturn greet.Hello("gopher")\n}\n`,
  'app_test.go':
    'package app\n\nimport "testing"\n\nfunc TestWelcome(t *testing.T) {\n\tif got := Welcome(); got != "hi gopher" {\n\t\tt.Fatalf("Welcome() = %q", got)\n\t}\n}\n',
  'vendor/modules.txt': `# ${MODULE} v1.0.0\n## explicit; go 1.21\n${MODULE}\n`,
  [`vendor/${MODULE}/greet.go`]: hello('hello'),
});

describe('go: a consumer built against the changed module through a go.work outside its tree, in bubblewrap', () => {
  let ctx: LinkTestContext;
  beforeAll(async () => {
    ctx = await createLinkTestContext();
  });
  afterAll(() => ctx?.dispose());

  const library = async (word: string) => {
    const dir = await ctx.checkout('greet', {
      'go.mod': `module ${MODULE}\n\ngo 1.22\n`,
      'greet.go': hello('hello'),
    });
    await ctx.edit(dir, { 'greet.go': hello(word) });
    return dir;
  };

  it('sees the change only when linked; go.mod, go.sum and the tree of the checkout stay as they were', async () => {
    const lib = await library('hi');
    const consumer = await ctx.checkout('app', consumerFiles(`require ${MODULE} v1.0.0`));
    const unlinked = await ctx.run(['go', 'test', './...'], { cwd: consumer });
    expect(unlinked.exitCode, describeRun(unlinked)).toBe(1);
    expect(unlinked.stdout).toContain('Welcome() = "hello gopher"');

    const link = await ctx.link(consumer, lib);
    const work = path.join(link.build.scratchDir, 'go.work');
    expect(link.build).toMatchObject({
      ecosystem: 'go',
      library: MODULE,
      env: { GOWORK: work },
      buildArgs: [],
    });
    // Outside the consumer's copy: nothing the consumer's tree holds names the library's copy.
    expect(path.relative(link.build.consumerDir, work).startsWith('..')).toBe(true);
    // The newer of the two modules' go versions.
    expect(await readFile(work, 'utf8')).toMatch(/^go 1\.22\n/);
    const [linked] = await ctx.runLinked(link, [['go', 'test', './...']]);
    expect(linked?.exitCode, describeRun(linked)).toBe(0);
    expect(linked?.stdout).toMatch(/^ok\s+example\.test\/app/m);
    expect((await link.verifyUntouched()).map((p) => p.unchanged)).toEqual([true, true]);
  });

  it('finds the requirement in a require block, and refuses a consumer that does not require the module', async () => {
    const lib = await library('hi');
    const block = await ctx.checkout(
      'app',
      consumerFiles(`require (\n\texample.test/other v1.2.0 // indirect\n\t${MODULE} v1.0.0\n)`),
    );
    expect((await ctx.link(block, lib)).build.library).toBe(MODULE);
    const unrelated = await ctx.checkout('app', consumerFiles('require example.test/other v1.2.0'));
    const error: unknown = await ctx.link(unrelated, lib).catch((e: unknown) => e);
    expect(isAutodevError(error, 'LINK_FAILED'), String(error)).toBe(true);
    expect(String(error)).toContain(`does not require ${MODULE}`);
  });

  it('uses the module the consumer requires from a library repository of several modules', async () => {
    const lib = await ctx.checkout('greet-mono', {
      'README.md': 'several modules, no root go.mod\n',
      'greet/go.mod': `module ${MODULE}\n\ngo 1.22\n`,
      'greet/greet.go': hello('hello'),
      'tools/go.mod': 'module example.test/tools\n\ngo 1.23\n',
      // Not a module of the repository: go leaves testdata out, so does the link.
      'greet/testdata/fixture/go.mod': `module ${MODULE}\n\ngo 1.22\n`,
    });
    await ctx.edit(lib, { 'greet/greet.go': hello('hi') });
    const consumer = await ctx.checkout('app', consumerFiles(`require ${MODULE} v1.0.0`));
    const link = await ctx.link(consumer, lib);
    expect(link.build.library).toBe(MODULE);
    const work = await readFile(path.join(link.build.scratchDir, 'go.work'), 'utf8');
    expect(work).toBe(
      `go 1.22\n\nuse (\n\t${JSON.stringify(link.build.consumerDir)}\n\t${JSON.stringify(path.join(link.build.libraryDir, 'greet'))}\n)\n`,
    );
    const [linked] = await ctx.runLinked(link, [['go', 'test', './...']]);
    expect(linked?.exitCode, describeRun(linked)).toBe(0);
    expect(linked?.stdout).toMatch(/^ok\s+example\.test\/app/m);
    expect((await link.verifyUntouched()).map((p) => p.unchanged)).toEqual([true, true]);

    // With a go.work, the library's modules are the ones it uses; one outside its root is refused.
    const used = await ctx.checkout('greet-mono', {
      'go.work': 'go 1.22\n\nuse (\n\t./tools // not the one\n)\nuse ./greet\n',
      'greet/go.mod': `module ${MODULE}\n\ngo 1.22\n`,
      'tools/go.mod': 'module example.test/tools\n\ngo 1.23\n',
    });
    expect((await ctx.link(consumer, used)).build.library).toBe(MODULE);
    const escaping = await ctx.checkout('greet-mono', { 'go.work': 'go 1.22\n\nuse ../elsewhere\n' });
    const error: unknown = await ctx.link(consumer, escaping).catch((e: unknown) => e);
    expect(isAutodevError(error, 'LINK_FAILED'), String(error)).toBe(true);
    expect(String(error)).toContain('"../elsewhere" is outside the workspace');
  });
});
