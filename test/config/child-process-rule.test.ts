import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/** The project's own ESLint config over a source that is not on disk, as if it were at `file`. */
async function restrictedImports(source: string, file: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: ROOT });
  const [result] = await eslint.lintText(source, { filePath: resolve(ROOT, file) });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports')
    .map((m) => `${String(m.severity)} ${m.message}`);
}

describe('lint: processes start only through the process runner', () => {
  for (const specifier of ['node:child_process', 'child_process']) {
    it(`refuses a module under src/ that imports ${specifier}, naming the runner`, async () => {
      const source = `import { execFile } from '${specifier}';\n\nexport const run = execFile;\n`;
      const messages = await restrictedImports(source, 'src/workspace/new-helper.ts');
      expect(messages).toHaveLength(1);
      // Severity 2: an error, so `npm run lint` exits non-zero.
      expect(messages[0]).toMatch(/^2 /);
      expect(messages[0]).toContain('src/sandbox/spawn-capped.ts');
    });
  }

  it('refuses a re-export of it too', async () => {
    const messages = await restrictedImports(
      "export { spawn } from 'node:child_process';\n",
      'src/languages/go/new-helper.ts',
    );
    expect(messages).toHaveLength(1);
  });

  it('lets the runners themselves and the tests import it', async () => {
    for (const file of ['src/sandbox/spawn-capped.ts', 'src/workspace/run-git.ts']) {
      expect(await restrictedImports(await readFile(resolve(ROOT, file), 'utf8'), file)).toEqual([]);
    }
    const testSource = "import { execFile } from 'node:child_process';\n\nexport const run = execFile;\n";
    expect(await restrictedImports(testSource, 'src/workspace/new-helper.test.ts')).toEqual([]);
  });
});
