import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { repoCacheDir } from '../../src/languages/caches.js';
import { detectProjects, runLint, runSetup, runTests } from '../../src/languages/index.js';
import { compareTestRuns } from '../../src/languages/test-comparison.js';
import type { TestReport } from '../../src/languages/types.js';
import { createNoneSandbox } from '../../src/sandbox/none.js';
import { git } from '../../test/fixtures/repo.js';
import type { CorpusOrigin } from './origin.js';
import type { CorpusInstance } from './types.js';

const TIMEOUT_MS = 600_000;

export interface ByHandResult {
  totalMs: number;
  commands: string[];
  /** Whether every test passed before and after the fix (pre-existing failures make both false). */
  testsOkBefore: boolean;
  testsOkAfter: boolean;
  /**
   * Whether the run reproduced the bug and its fix, judged as autodev judges a task
   * (compareTestRuns): some test failed before the fix, and after it those pass with nothing new
   * failing. Only such a run is a reference for the task's time.
   */
  reproduced: boolean;
  /** Why not, when it did not: what the comparison found. */
  notReproduced?: string;
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
    const reports: TestReport[] = [];
    for (const project of projects) {
      // A workspace root whose members carry the tests has none of its own: autodev tests only where there are tests.
      if (project.commands.test) {
        const report = await runTests(project, options);
        commands.push(report.command.join(' '));
        reports.push(report);
      }
      // autodev lints before and after the change too (clippy, go vet, eslint, ruff): the same here.
      const lint = await runLint(project, options);
      if (lint.command.length > 0) commands.push(lint.command.map((a) => path.basename(a)).join(' '));
    }
    return reports;
  };
  const before = await test();
  await writeFile(path.join(scratch, 'fix.diff'), built.fixDiff);
  await git(dir, ['apply', path.join(scratch, 'fix.diff')]);
  const after = await test();
  const totalMs = performance.now() - started;
  const comparison = compareTestRuns(before, after);
  // A bug that breaks the tests' build fails the suite before any test is named: the suite going
  // from failing to passing reproduces it as well as a named test would.
  const suiteFlipped = !before.every((r) => r.ok) && after.every((r) => r.ok);
  const notReproduced =
    comparison.targets.length === 0 && !suiteFlipped
      ? 'no test failed before the fix: the bug was not caught'
      : comparison.targets.length === 0
        ? undefined
        : comparison.verdict !== 'pass'
          ? `after the fix: ${comparison.verdict}${comparison.unavailable ? ` (${comparison.unavailable})` : ''}; still failing ${[...comparison.targetsNotPassing, ...comparison.introduced].join(', ') || 'none'}`
          : undefined;
  return {
    totalMs,
    commands,
    testsOkBefore: before.every((r) => r.ok),
    testsOkAfter: after.every((r) => r.ok),
    reproduced: notReproduced === undefined,
    ...(notReproduced ? { notReproduced } : {}),
  };
}
