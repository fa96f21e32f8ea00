import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { linkConsumer, type ConsumerLink } from '../../src/multirepo/link/index.js';
import type { LinkEcosystem } from '../../src/multirepo/link/types.js';
import { createBubblewrapSandbox } from '../../src/sandbox/bubblewrap.js';
import type { SandboxResult } from '../../src/sandbox/types.js';
import { createGitRunner } from '../../src/workspace/run-git.js';
import { git } from '../fixtures/repo.js';

/** One sandboxed command and what it printed, for assertions that show the output when they fail. */
export interface RunResult extends SandboxResult {
  argv: string[];
}

export interface LinkTestContext {
  /** A checkout (work tree with one commit of `files`): what a task's workspace is. */
  checkout(name: string, files: Record<string, string | Buffer>): Promise<string>;
  /** Writes `files` into `dir` without committing: the change a task made in the library. */
  edit(dir: string, files: Record<string, string | Buffer>): Promise<void>;
  /** Runs `argv` in the real bubblewrap sandbox, without network, `workspace` its writable tree. */
  run(
    argv: string[],
    options: { cwd: string; workspace?: string; env?: Record<string, string> },
  ): Promise<RunResult>;
  /** Runs each of `commands` as `run` does until one fails. */
  runAll(
    commands: string[][],
    options: { cwd: string; workspace?: string; env?: Record<string, string> },
  ): Promise<RunResult[]>;
  /** Links `consumer` to `library` in a fresh scratch folder under the context's root. */
  link(consumer: string, library: string, ecosystem?: LinkEcosystem): Promise<ConsumerLink>;
  /** Runs each of `commands` in the linked consumer's copy (env included) until one fails. */
  runLinked(link: ConsumerLink, commands: string[][], env?: Record<string, string>): Promise<RunResult[]>;
  dispose(): Promise<void>;
}

/**
 * For the linking tests: checkouts in a temp root that plays data_dir (hidden from the sandbox as
 * the server hides its data_dir; each run sees its workspace and HOME), real git, the real
 * bubblewrap sandbox without network, and one HOME for the file so build caches carry over.
 */
export async function createLinkTestContext(): Promise<LinkTestContext> {
  const root = await mkdtemp(join(tmpdir(), 'autodev-link-'));
  const homeDir = join(root, 'home');
  await mkdir(homeDir);
  const sandbox = createBubblewrapSandbox({ hostEnv: process.env, bindRoot: root, hide: [root] });
  const runGit = createGitRunner({ env: process.env });
  let count = 0;
  const writeAll = async (dir: string, files: Record<string, string | Buffer>) => {
    for (const [file, content] of Object.entries(files)) {
      await mkdir(dirname(join(dir, file)), { recursive: true });
      await writeFile(join(dir, file), content);
    }
  };
  const run: LinkTestContext['run'] = async (argv, options) => {
    const result = await sandbox.run({
      argv,
      cwd: options.cwd,
      workspace: options.workspace ?? options.cwd,
      env: options.env ?? {},
      homeDir,
      timeoutMs: 300_000,
    });
    return { ...result, argv };
  };
  const runAll: LinkTestContext['runAll'] = async (commands, options) => {
    const results: RunResult[] = [];
    for (const argv of commands) {
      const result = await run(argv, options);
      results.push(result);
      if (result.exitCode !== 0) break;
    }
    return results;
  };
  return {
    async checkout(name, files) {
      const dir = join(root, `${name}-${count++}`);
      await mkdir(dir);
      await writeAll(dir, files);
      await git(dir, ['init', '-q', '-b', 'main']);
      await git(dir, ['add', '-A']);
      await git(dir, ['commit', '-q', '-m', 'Initial commit']);
      return dir;
    },
    edit: writeAll,
    run,
    link: (consumer, library, ecosystem) =>
      linkConsumer(runGit, {
        consumerCheckout: consumer,
        libraryCheckout: library,
        scratchDir: join(root, `scratch-${count++}`),
        ...(ecosystem ? { ecosystem } : {}),
      }),
    runAll,
    runLinked: (link, commands, env = {}) =>
      runAll(commands, {
        cwd: link.build.consumerDir,
        workspace: link.build.scratchDir,
        env: { ...link.build.env, ...env },
      }),
    dispose: () => rm(root, { recursive: true, force: true }),
  };
}

/** A run's argv, exit code and output, as a failed expectation shows it. */
export function describeRun(result: RunResult | undefined): string {
  if (!result) return 'no command ran';
  return `${result.argv.join(' ')} → ${String(result.exitCode)}\n${result.stdout}\n${result.stderr}`;
}
