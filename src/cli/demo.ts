import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_API_URL, readHostEnvironment } from '../config/index.js';
import { AutodevError } from '../errors.js';
import { createGitRunner } from '../workspace/index.js';

/**
 * A throwaway repository with one bug and the test that shows it, for a first run that risks no real
 * repository. Python's own unittest, so nothing is installed: the tests need only python3.
 */
const DEMO_FILES: Record<string, string> = {
  'README.md': '# calc\n\nA demo repository made by `autodev demo`: `add` has a bug that its test shows.\n',
  'calc.py': 'def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n',
  'test_calc.py': [
    'import unittest',
    '',
    'from calc import add, mul',
    '',
    '',
    'class CalcTest(unittest.TestCase):',
    '    def test_add(self):',
    '        self.assertEqual(add(2, 3), 5)',
    '',
    '    def test_mul(self):',
    '        self.assertEqual(mul(2, 3), 6)',
    '',
    '',
    "if __name__ == '__main__':",
    '    unittest.main()',
    '',
  ].join('\n'),
};

export interface DemoSetup {
  /** The bare repository a task names (the local forge merges into its main). */
  repo: string;
  /** The allowlist entry that lets autodev act on it, and on nothing else. */
  allowlist: string;
  /** The body of POST /api/v1/autodev/tasks, also written to task.json beside the repository. */
  task: Record<string, unknown>;
  task_file: string;
  /** The command that submits it. */
  curl: string;
}

/** Makes `<dir>/calc.git` (bare, main holding DEMO_FILES in one commit) and `<dir>/task.json`. */
export async function createDemo(dir: string, apiUrl: string): Promise<DemoSetup> {
  mkdirSync(dir, { recursive: true });
  const root = realpathSync(dir);
  const repo = join(root, 'calc.git');
  const git = createGitRunner({ env: readHostEnvironment() });
  const identity = ['-c', 'user.name=autodev demo', '-c', 'user.email=demo@autodev.invalid'];
  try {
    await git(['init', '--quiet', '--bare', '--initial-branch=main', repo]);
  } catch (error) {
    throw new AutodevError(
      'VALIDATION_FAILED',
      `cannot create ${repo} (it may exist already): ${(error as Error).message}`,
    );
  }
  // The scratch clone only builds main's first commit: it goes once pushed (or when that fails).
  const work = mkdtempSync(join(tmpdir(), 'autodev-demo-work-'));
  try {
    await git(['init', '--quiet', '--initial-branch=main', work]);
    for (const [name, text] of Object.entries(DEMO_FILES)) {
      mkdirSync(dirname(join(work, name)), { recursive: true });
      writeFileSync(join(work, name), text);
    }
    await git(['add', '--all'], { cwd: work });
    await git([...identity, 'commit', '--quiet', '--message', 'calc: add and mul, with their tests'], {
      cwd: work,
    });
    await git(['push', '--quiet', repo, 'HEAD:refs/heads/main'], { cwd: work });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const task = {
    title: 'Fix add() in calc',
    description: 'add(2, 3) returns -1; it must return 5. test_calc.py shows it.',
    repo,
    base_branch: 'main',
    risk_tier: 'low',
    constraints: ['Do not modify public API signatures'],
    acceptance: ['python3 -m unittest passes'],
  };
  const taskFile = join(root, 'task.json');
  writeFileSync(taskFile, `${JSON.stringify(task, null, 2)}\n`);
  const curl = `curl -X POST ${apiUrl}/api/v1/autodev/tasks -H 'Content-Type: application/json' -d @${taskFile}`;
  return { repo, allowlist: repo, task, task_file: taskFile, curl };
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'Create a throwaway repository with a failing test and its task, and print how to run it: a first success that needs no real repository.',
    )
    .option('--dir <dir>', 'where to create it (default: a new folder under the temp dir)')
    .option('--url <url>', 'the server the printed command submits to', DEFAULT_API_URL)
    .option('--json', 'print the repository, allowlist entry, task and command as JSON')
    .action(async (options: { dir?: string; url: string; json?: boolean }) => {
      const dir = options.dir ? resolve(options.dir) : mkdtempSync(join(tmpdir(), 'autodev-demo-'));
      const demo = await createDemo(dir, options.url.replace(/\/+$/, ''));
      if (options.json) return console.log(JSON.stringify(demo, null, 2));
      console.log(
        [
          `Demo repository: ${demo.repo}`,
          '  calc.py has a bug (add subtracts); test_calc.py fails on it.',
          '',
          '1. Let autodev act on it (it acts on no repository that is not listed), give it a model, start it:',
          `   export AUTODEV_ALLOWED_REPOS='${demo.allowlist}'`,
          '   export OPENAI_API_KEY=sk-...      # or AUTODEV_LLM_PROVIDER / AUTODEV_LLM_API_URL / AUTODEV_LLM_MODEL',
          '   npm start',
          '2. Submit the task:',
          `   ${demo.curl}`,
          `   (or: autodev task submit --title 'Fix add() in calc' --repo ${demo.repo})`,
          '3. Follow it: autodev task list; autodev task show ID',
          `   A low-risk fix that passes its tests merges into main: git -C ${demo.repo} log --oneline main`,
        ].join('\n'),
      );
    });
}
