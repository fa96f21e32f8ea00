import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { repoCacheDir } from '../../src/languages/caches.js';
import { detectProjects, runLint, runSetup, runTests } from '../../src/languages/index.js';
import { createNoneSandbox } from '../../src/sandbox/none.js';
import { git } from '../../test/fixtures/repo.js';
import type { CorpusOrigin } from './origin.js';
import type { CorpusInstance } from './types.js';

const TIMEOUT_MS = 600_000;

export interface ByHandResult {
  totalMs: number;
  commands: string[];
  /** Whether the tests passed before and after the fix: the bug must be caught, the fix must pass. */
  testsOkBefore: boolean;
  testsOkAfter: boolean;
}

/**
 * The same commands autodev runs for the repo's own work (setup offline from the same caches, the
 * tests and the linter before and after the fix), with the same flags and environment, but straight on the host:
 * the languages layer over the `none` sandbox (no bubblewrap, no orchestration, no store, no API).
 * The difference to the task's wall time is what the sandbox and autodev itself cost.
 */
export async function runByHand(
  instance: CorpusInstance,
  built: CorpusOrigin,
  dataDir: string,
  scratch: string,
): Promise<ByHandResult> {
  const dir = path.join(scratch, 'repo');
  const homeDir = path.join(scratch, 'home');
  await mkdir(homeDir, { recursive: true });
  const sandbox = createNoneSandbox({ hostEnv: process.env });
  const options = {
    sandbox,
    workspaceDir: dir,
    timeoutMs: TIMEOUT_MS,
    homeDir,
    cacheDir: repoCacheDir(dataDir, built.origin),
  };
  const started = performance.now();
  await git(scratch, ['clone', '-q', built.origin, dir]);
  const projects = await detectProjects(dir);
  if (projects.length === 0) throw new Error(`${instance.name}: no project detected in the by-hand checkout`);
  const commands: string[] = [];
  for (const project of projects) {
    const setup = await runSetup(project, { ...options, network: false });
    commands.push(...setup.commands.map((argv) => argv.map((a) => path.basename(a)).join(' ')));
    if (!setup.ok)
      throw new Error(`${instance.name}: by hand, setup failed: ${setup.outputTail.slice(-600)}`);
  }
  const test = async () => {
    let ok = true;
    for (const project of projects) {
      // A workspace root whose members carry the tests has none of its own: autodev tests only where there are tests.
      if (project.commands.test) {
        const report = await runTests(project, options);
        commands.push(report.command.join(' '));
        ok &&= report.ok;
      }
      // autodev lints before and after the change too (clippy, go vet, eslint, ruff): the same here.
      const lint = await runLint(project, options);
      if (lint.command.length > 0) commands.push(lint.command.map((a) => path.basename(a)).join(' '));
    }
    return ok;
  };
  const testsOkBefore = await test();
  await writeFile(path.join(scratch, 'fix.diff'), built.fixDiff);
  await git(dir, ['apply', path.join(scratch, 'fix.diff')]);
  const testsOkAfter = await test();
  return { totalMs: performance.now() - started, commands, testsOkBefore, testsOkAfter };
}
