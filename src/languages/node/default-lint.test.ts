import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectProjects, runLint } from '../index.js';
import { DEFAULT_JS_LINT_LIMITS, runDefaultJsLint } from './default-lint.js';
import { createLanguageTestContext, type LanguageTestContext } from '../testing.js';

let ctx: LanguageTestContext;
let outside: string;
beforeAll(async () => {
  ctx = await createLanguageTestContext(process.env);
  outside = await mkdtemp(path.join(os.tmpdir(), 'autodev-outside-'));
});
afterAll(async () => {
  await ctx.dispose();
  await rm(outside, { recursive: true, force: true });
});

/** A JS package with no linter configuration of any kind: the files given, plus package.json. */
async function jsRepo(files: Record<string, string>, pkg: Record<string, unknown> = {}): Promise<string> {
  const dir = await ctx.repo('js-default-lint');
  await writeFile(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'fixture', version: '1.0.0', scripts: { test: 'node --test' }, ...pkg }),
  );
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  return dir;
}

async function lint(dir: string) {
  const [project] = await detectProjects(dir);
  if (!project) throw new Error('no project detected');
  return runLint(project, ctx.options(dir));
}

const findings = (report: Awaited<ReturnType<typeof lint>>) =>
  report.warnings.map((w) => `${w.file}:${w.line} ${w.rule}`);

describe('default JavaScript lint (a project that configures no linter)', () => {
  it('is available and finds an undefined name and an unused variable, repo-relative with line and rule', async () => {
    const dir = await jsRepo({
      'lib/index.js':
        "'use strict';\nconst unused = 1;\nmodule.exports = function add(a, b) {\n  return a + bb;\n};\n",
    });
    const report = await lint(dir);
    expect(report).toMatchObject({ tool: 'eslint (autodev defaults)', available: true, exitCode: 1 });
    expect(report.command.join(' ')).toContain('"no-undef":"warn"');
    expect(findings(report)).toEqual(['lib/index.js:2 no-unused-vars', 'lib/index.js:4 no-undef']);
    expect(report.warnings[1]).toMatchObject({ message: "'bb' is not defined.", column: 14 });
  });

  it('a clean package has no findings: node, browser and ES globals, CommonJS, ESM (.mjs and type=module), JSX components', async () => {
    const clean = await jsRepo({
      'index.js':
        "const path = require('path');\nmodule.exports = (x) => { console.log(process.env.X, path.sep, window.location); return new Map([[x, globalThis]]); };\n",
      'esm.mjs': "import fs from 'node:fs';\nexport const read = (f, unusedArg) => fs.readFileSync(f);\n",
      'app.jsx':
        "import React from 'react';\nimport Card from './card.jsx';\nimport * as UI from './ui.jsx';\nexport const App = () => <><Card /><UI.Button /><div /></>;\n",
      'old.cjs': 'exports.x = function (s) { try { return JSON.parse(s); } catch (err) { return 2; } };\n',
    });
    expect(findings(await lint(clean))).toEqual([]);
    const esm = await jsRepo(
      { 'index.js': "import x from './x.js';\nexport default x;\n" },
      { type: 'module' },
    );
    expect(findings(await lint(esm))).toEqual([]);
  });

  it('per file: an ESM .js in a CommonJS package is read as a module, a syntax error is parse-error, inline configuration cannot switch the check off', async () => {
    const dir = await jsRepo({
      'src/esm.js': "import a from './a.js';\nexport const b = a + missing;\n",
      'broken.js': 'function (\n',
      'a.js': '/* eslint-disable */\nmodule.exports = () => missingA;\n',
      'b.js': '// eslint-disable-next-line no-undef\nmodule.exports = () => missingB;\n',
      'c.js': '/* global missingC */\n/* eslint no-undef: "off" */\nmodule.exports = () => missingC;\n',
    });
    expect(findings(await lint(dir))).toEqual([
      'a.js:2 no-undef',
      'b.js:2 no-undef',
      'broken.js:1 parse-error',
      'c.js:3 no-undef',
      'src/esm.js:2 no-undef',
    ]);
  });

  it('skips node_modules, dot-folders, .gitignore-d output, *.min.js, oversized files and symlinks out of the workspace', async () => {
    await writeFile(path.join(outside, 'secret.js'), 'module.exports = () => outsideUndefined;\n');
    const bad = 'module.exports = () => notDefinedHere;\n';
    const dir = await jsRepo({
      'node_modules/dep/index.js': bad,
      '.cache/x.js': bad,
      'dist/bundle.js': bad,
      'sub/.gitignore': 'generated.js\n',
      'sub/generated.js': bad,
      'vendor/lib.min.js': bad,
      'big.js': `module.exports = ${JSON.stringify('x'.repeat(1024 * 1024))};\n`,
      '.gitignore': 'dist/\n',
      'index.js': "module.exports = require('./linked.js');\n",
    });
    await symlink(path.join(outside, 'secret.js'), path.join(dir, 'linked.js'));
    await symlink(outside, path.join(dir, 'linked-dir'));
    const report = await lint(dir);
    expect(findings(report)).toEqual([]);
    expect(report.outputTail).toContain('1 file(s) checked');
    expect(report.outputTail).toMatch(/not checked: big\.js: \d+ bytes, over 1048576/);
  });

  it('a project in a subfolder: warnings are repo-relative, the repo root .gitignore applies', async () => {
    const dir = await jsRepo({});
    await rm(path.join(dir, 'package.json'));
    await writeFile(path.join(dir, '.gitignore'), 'build/\n');
    await mkdir(path.join(dir, 'web', 'build'), { recursive: true });
    await writeFile(path.join(dir, 'web', 'package.json'), JSON.stringify({ name: 'web', version: '1.0.0' }));
    await writeFile(path.join(dir, 'web', 'build', 'out.js'), 'x = y;\n');
    await writeFile(path.join(dir, 'web', 'main.js'), 'module.exports = () => nope;\n');
    expect(findings(await lint(dir))).toEqual(['web/main.js:1 no-undef']);
  });

  it('a file built to overflow the parser ends as a finding naming it, the other files are still checked', async () => {
    const depth = 200_000;
    const dir = await jsRepo({
      'deep.js': `module.exports = ${'['.repeat(depth)}${']'.repeat(depth)};\n`,
      'index.js': 'module.exports = () => stillChecked;\n',
    });
    const report = await lint(dir);
    expect(findings(report)).toEqual(['deep.js:1 parse-error', 'index.js:1 no-undef']);
    expect(report.warnings[0]?.message).toMatch(/stack/);
  });

  it('a lint that does not finish in time is ended and reported as lint-timeout, never as clean', async () => {
    const dir = await jsRepo({ 'index.js': 'module.exports = 1;\n' });
    const [project] = await detectProjects(dir);
    if (!project) throw new Error('no project detected');
    const report = await runDefaultJsLint(project, ctx.options(dir), {
      ...DEFAULT_JS_LINT_LIMITS,
      timeoutMs: 1,
    });
    expect(report).toMatchObject({ available: true, exitCode: null });
    expect(findings(report)).toEqual(['.:0 lint-timeout']);
  });

  it('a configured linter is still used: an .autodev.toml lint command replaces the defaults', async () => {
    const dir = await jsRepo({
      'index.js': 'module.exports = () => missing;\n',
      '.autodev.toml': '[commands]\nlint = ["node", "-e", "process.exit(0)"]\n',
    });
    const report = await lint(dir);
    expect(report.tool).toBe('node -e process.exit(0)');
    expect(report.warnings).toEqual([]);
  });
});
