import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildRepoMap } from './build-repo-map.js';
import { estimateTokens } from './render.js';
import { createTagParser } from './tag-parser.js';

const parser = createTagParser({ parseTimeoutMs: 5_000 });
let root: string;
let workspace: string;

async function put(relative: string, content: string): Promise<void> {
  const file = path.join(workspace, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}

/** A small project: a parser used by a cli, and unrelated helpers that everyone calls. */
async function smallProject(): Promise<void> {
  await put(
    'src/config/parse-config.ts',
    'export function parseConfig(text: string): Config {\n  return {};\n}\nexport interface Config {}\n',
  );
  await put(
    'src/cli.ts',
    "import { parseConfig } from './config/parse-config.js';\nexport function main() {\n  log(parseConfig(''));\n}\n",
  );
  await put(
    'src/log.ts',
    'export function log(value: unknown): void {\n  format(value);\n}\nexport function format(v: unknown) {}\n',
  );
  for (let i = 0; i < 5; i += 1)
    await put(`src/feature-${i}.ts`, `export function feature${i}() {\n  log(${i});\n  format(${i});\n}\n`);
}

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'repomap-'));
  workspace = path.join(root, 'ws');
  await mkdir(workspace);
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('buildRepoMap', () => {
  it('ranks first a file the task describes only in words, through its comments (the lexical half)', async () => {
    await smallProject();
    // No identifier of it in the task, no path words: only its comment says what it does.
    await put(
      'src/wire.ts',
      '// Decodes chunked transfer encoding from the socket; trailers follow the last chunk.\nexport function step(b: Buffer) {\n  log(b);\n}\n',
    );
    const map = await buildRepoMap(
      {
        workspaceDir: workspace,
        taskText: 'Trailers after the last chunk are lost when decoding',
        tokenBudget: 1024,
      },
      { parser },
    );
    expect(map.ranked[0]?.path).toBe('src/wire.ts');
  });

  it('ranks first the file defining an identifier the task names', async () => {
    await smallProject();
    const map = await buildRepoMap(
      { workspaceDir: workspace, taskText: 'parseConfig crashes on an empty string', tokenBudget: 1024 },
      { parser },
    );
    expect(map.ranked[0]?.path).toBe('src/config/parse-config.ts');
    expect(map.text.split('\n')[0]).toBe('src/config/parse-config.ts');
    expect(map.text).toContain('  1: export function parseConfig(text: string): Config');
  });

  it('ranks first the file a failing stack trace of the baseline run points at', async () => {
    await smallProject();
    const baselineOutput = 'FAIL test/x.test.ts\nError: boom\n    at feature3 (src/feature-3.ts:2:3)\n';
    const map = await buildRepoMap(
      { workspaceDir: workspace, taskText: 'Fix the failing test', baselineOutput, tokenBudget: 1024 },
      { parser },
    );
    expect(map.ranked[0]?.path).toBe('src/feature-3.ts');
  });

  it('keeps the rendered map within the token budget, and renders nothing at 0', async () => {
    await smallProject();
    for (const budget of [20, 60, 200]) {
      const map = await buildRepoMap(
        { workspaceDir: workspace, taskText: 'log output', tokenBudget: budget },
        { parser },
      );
      expect(map.tokens).toBeLessThanOrEqual(budget);
      expect(estimateTokens(map.text)).toBe(map.tokens);
      expect(map.text).not.toBe('');
    }
    const small = await buildRepoMap(
      { workspaceDir: workspace, taskText: 'log', tokenBudget: 20 },
      { parser },
    );
    const large = await buildRepoMap(
      { workspaceDir: workspace, taskText: 'log', tokenBudget: 200 },
      { parser },
    );
    expect(large.text.length).toBeGreaterThan(small.text.length);
    const off = await buildRepoMap({ workspaceDir: workspace, taskText: 'log', tokenBudget: 0 }, { parser });
    expect(off).toEqual({ text: '', tokens: 0, ranked: [], skipped: [] });
  });

  it('does not follow a symlink out of the workspace, listed or given by name', async () => {
    await put('src/app.py', 'def inside():\n    pass\n');
    const outside = path.join(root, 'secret.py');
    await writeFile(outside, 'def leaked_secret_function():\n    pass\n');
    await symlink(outside, path.join(workspace, 'src', 'link.py'));
    await mkdir(path.join(root, 'outdir'));
    await writeFile(path.join(root, 'outdir', 'other.py'), 'def other_outside():\n    pass\n');
    await symlink(path.join(root, 'outdir'), path.join(workspace, 'linked-dir'));

    const listed = await buildRepoMap(
      { workspaceDir: workspace, taskText: 'leaked_secret_function', tokenBudget: 1024 },
      { parser },
    );
    expect(listed.text).not.toContain('leaked_secret_function');
    expect(listed.text).not.toContain('other_outside');
    expect(listed.skipped).toContainEqual({ path: 'src/link.py', reason: 'outside_workspace' });

    const named = await buildRepoMap(
      {
        workspaceDir: workspace,
        files: ['src/link.py', '../secret.py', 'src/app.py'],
        taskText: 'x',
        tokenBudget: 1024,
      },
      { parser },
    );
    expect(named.ranked.map((file) => file.path)).toEqual(['src/app.py']);
    expect(named.skipped.map((file) => file.reason)).toEqual(['outside_workspace', 'outside_workspace']);
  });

  it('skips a file over the size limit and a binary file', async () => {
    await put('small.go', 'package x\n\nfunc Small() {}\n');
    await put('huge.go', `package x\n\nfunc Huge() {}\n${'// padding\n'.repeat(5_000)}`);
    await put('blob.py', Buffer.from([0x64, 0x65, 0x66, 0x00, 0x01]).toString('latin1'));
    const map = await buildRepoMap(
      { workspaceDir: workspace, taskText: 'Huge Small', tokenBudget: 1024 },
      { parser, limits: { maxFileBytes: 10_000 } },
    );
    expect(map.text).toContain('func Small()');
    expect(map.text).not.toContain('Huge');
    expect(map.skipped).toEqual(
      expect.arrayContaining([
        { path: 'huge.go', reason: 'too_large' },
        { path: 'blob.py', reason: 'binary' },
      ]),
    );
  });
});
