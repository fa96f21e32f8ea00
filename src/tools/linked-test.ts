import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { AutodevError } from '../errors.js';
import { AUTODEV_TOML, detectProjects, runSetup } from '../languages/index.js';
import { linkConsumer } from '../multirepo/link/index.js';
import type { LinkedBuild } from '../multirepo/link/types.js';
import { assertUntouched } from '../multirepo/tracked-state.js';
import type { Sandbox } from '../sandbox/types.js';
import { assertNoEscapingLinks } from '../workspace/escaping-links.js';
import { commandOptions } from './project-commands.js';
import { testProjects, type TestToolOutput } from './test.js';
import type { ToolContext } from './types.js';

export interface LinkedTestOutput extends TestToolOutput {
  /** How the consumer was wired to the changed library. */
  linked: { ecosystem: string; library: string };
}

const OUTPUT_TAIL_CHARS = 4_000;

/**
 * A multi-repo task's consumer tested against the changed library (issue #23): both checkouts are
 * copied into a scratch folder (src/multirepo/link), the consumer's copy set up, wired to the
 * library's copy and tested there, the scratch folder the sandbox's only writable tree. The run is
 * judged against the consumer's own baseline, and both checkouts are proven untouched afterwards
 * (LINK_TOUCHED_CHECKOUT otherwise): nothing of the wiring can reach a pushed branch. The test tool
 * runs this for a step the orchestrator marks `linkToLibrary`.
 */
export async function runLinkedTests(
  ctx: ToolContext,
  input: {
    config_commit?: string | undefined;
    baseline?: TestToolOutput['reports'] | undefined;
    acceptance?: string[] | undefined;
  },
): Promise<LinkedTestOutput> {
  const library = ctx.repos?.find((r) => r.role === 'library');
  const runGit = ctx.services.runGit;
  if (!library || library.dir === ctx.workspaceDir || !runGit) {
    throw new AutodevError(
      'VALIDATION_FAILED',
      "a linked test runs in a multi-repo task's consumer repository, with the task's library beside it",
    );
  }
  await assertNoEscapingLinks(ctx.workspaceDir, ctx.signal);
  // A folder of its own per run: the sandbox remembers the folders it gave its user (by path), and a
  // second linked run of the task (a repair or review round) in a folder made anew under the same
  // path found it remembered but not given: EACCES on its first write.
  const scratchDir = path.join(
    ctx.services.config.dataDir,
    'links',
    ctx.taskId ?? 'untracked',
    `${path.basename(ctx.workspaceDir)}-${randomBytes(4).toString('hex')}`,
  );
  await rm(scratchDir, { recursive: true, force: true });
  try {
    const link = await linkConsumer(runGit, {
      consumerCheckout: ctx.workspaceDir,
      libraryCheckout: library.dir,
      scratchDir,
    });
    const { build } = link;
    // The commands the consumer's base commits to, never the change's (as the test tool does).
    // Without one (the model's own test run while it works), the worktree's commands, as the test tool.
    const projects =
      input.config_commit === undefined
        ? await detectProjects(build.consumerDir)
        : await detectProjects(build.consumerDir, {
            autodevToml: {
              text: await ctx.services.git.fileAt(ctx.workspaceDir, input.config_commit, AUTODEV_TOML),
            },
          });
    const options = {
      ...commandOptions(ctx),
      sandbox: linkedSandbox(ctx.services.sandbox, build),
      workspaceDir: build.consumerDir,
    };
    for (const project of projects) {
      const report = await runSetup(project, { ...options, network: ctx.services.config.setup_network });
      if (!report.ok) {
        throw new AutodevError(
          'SETUP_FAILED',
          `setup of the linked copy failed: \`${(report.failedCommand ?? []).join(' ')}\` (in ${report.root}): ${report.outputTail.slice(-OUTPUT_TAIL_CHARS)}`,
        );
      }
    }
    await runLinkCommands(ctx, options.sandbox, build, options.timeoutMs);
    const tested = projects.filter((p) => p.commands.test !== undefined);
    if (tested.length === 0) {
      throw new AutodevError('NO_TEST_COMMAND', 'no test command found in the consumer repository');
    }
    const tests = await testProjects(ctx, tested, options, input);
    for (const proof of await link.verifyUntouched()) assertUntouched(proof);
    return {
      ...tests,
      summary: `linked to ${build.library} (${build.ecosystem}): ${tests.summary}`,
      linked: { ecosystem: build.ecosystem, library: build.library },
    };
  } finally {
    await rm(scratchDir, { recursive: true, force: true });
  }
}

/**
 * The sandbox as the linked build sees it: the scratch folder (both copies) is the writable tree,
 * the link's environment is added, and its build arguments (Cargo's `--config patch...`) go to
 * every cargo command right after the program, where cargo takes its global options.
 */
function linkedSandbox(base: Sandbox, build: LinkedBuild): Sandbox {
  return {
    id: base.id,
    ensureAvailable: () => base.ensureAvailable(),
    run: (command) =>
      base.run({
        ...command,
        workspace: build.scratchDir,
        env: { ...command.env, ...build.env },
        argv: withBuildArgs(command.argv, build.buildArgs),
      }),
  };
}

function withBuildArgs(argv: readonly string[], buildArgs: readonly string[]): string[] {
  if (buildArgs.length === 0) return [...argv];
  const at = argv.findIndex((arg) => path.basename(arg) === 'cargo');
  return at < 0 ? [...argv] : [...argv.slice(0, at + 1), ...buildArgs, ...argv.slice(at + 1)];
}

/** The linker's commands in the consumer's copy, offline; LINK_FAILED naming the one that failed. */
async function runLinkCommands(
  ctx: ToolContext,
  sandbox: Sandbox,
  build: LinkedBuild,
  timeoutMs: number,
): Promise<void> {
  for (const argv of build.commands) {
    const result = await sandbox.run({
      argv,
      cwd: build.consumerDir,
      workspace: build.scratchDir,
      timeoutMs,
      network: false,
      signal: ctx.signal,
      ...(ctx.homeDir ? { homeDir: ctx.homeDir } : {}),
    });
    if (result.cancelled) throw new AutodevError('TASK_CANCELLED', `cancelled: ${argv.join(' ')}`);
    ctx.onOutput('stdout', `$ ${argv.join(' ')}\n${result.stdout}`);
    ctx.onOutput('stderr', result.stderr);
    if (result.exitCode !== 0 || result.timedOut) {
      const tail = `${result.stdout}\n${result.stderr}`.trim().slice(-OUTPUT_TAIL_CHARS);
      throw new AutodevError(
        'LINK_FAILED',
        `linking the consumer to ${build.library}: \`${argv.join(' ')}\` exited ${String(result.exitCode)}${result.timedOut ? ' (timed out)' : ''}: ${tail}`,
      );
    }
  }
}
