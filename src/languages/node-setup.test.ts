import { access, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectProjects, runSetup } from './index.js';
import { createLanguageTestContext, type LanguageTestContext } from './testing.js';

let ctx: LanguageTestContext;
beforeAll(async () => {
  ctx = await createLanguageTestContext(process.env);
});
afterAll(() => ctx.dispose());

async function onPath(program: string): Promise<boolean> {
  for (const dir of (process.env['PATH'] ?? '').split(':').filter(Boolean)) {
    const found = await access(path.join(dir, program)).then(
      () => true,
      () => false,
    );
    if (found) return true;
  }
  return false;
}
const [hasPnpm, hasYarn] = await Promise.all([onPath('pnpm'), onPath('yarn')]);

const PACKAGE_JSON = '{"name":"p","version":"1.0.0","scripts":{"test":"node --test"}}\n';

describe('node setup with a package manager the machine lacks', () => {
  it.skipIf(hasPnpm)(
    'a pnpm lockfile without pnpm: setup fails naming pnpm and how to install it, not "command not found" [skipped where pnpm is installed]',
    async () => {
      const dir = await ctx.repo('node-pnpm');
      await writeFile(path.join(dir, 'package.json'), PACKAGE_JSON);
      await writeFile(path.join(dir, 'pnpm-lock.yaml'), "lockfileVersion: '9.0'\n");
      const [project] = await detectProjects(dir);
      if (!project) throw new Error('no project detected');
      const setup = await runSetup(project, { ...ctx.options(dir), network: false });
      expect(setup).toMatchObject({ ok: false, failedCommand: ['pnpm', 'install', '--frozen-lockfile'] });
      expect(setup.outputTail).toMatch(
        /^pnpm is not installed: the repo has a pnpm lockfile.*corepack enable pnpm/,
      );
    },
  );

  it.skipIf(hasYarn)(
    'a yarn.lock without yarn: setup fails naming yarn and how to install it [skipped where yarn is installed]',
    async () => {
      const dir = await ctx.repo('node-yarn');
      await writeFile(path.join(dir, 'package.json'), PACKAGE_JSON);
      await writeFile(path.join(dir, 'yarn.lock'), '# yarn lockfile v1\n');
      const [project] = await detectProjects(dir);
      if (!project) throw new Error('no project detected');
      const setup = await runSetup(project, { ...ctx.options(dir), network: false });
      expect(setup.ok).toBe(false);
      expect(setup.failedCommand?.[0]).toBe('yarn');
      expect(setup.outputTail).toMatch(/^yarn is not installed: the repo has a yarn\.lock/);
    },
  );
});
