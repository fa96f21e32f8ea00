import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProject } from '../../src/languages/run.js';
import { bareProject } from '../helpers/bare-project.js';
import { createBubblewrapSandbox } from '../../src/sandbox/bubblewrap.js';
import { cgroupProcessBudget } from '../../src/sandbox/process-budget.js';
import type { SandboxLimits } from '../../src/sandbox/types.js';
import { failure } from '../helpers/failure.js';

/**
 * Issue #28 item 3: a setup or test killed by a sandbox limit must say so (RESOURCE_LIMIT naming the
 * limit), not read as the project's failure. CPU time and file size are rlimits whose kernel signals
 * (SIGXCPU, SIGXFSZ) name them, whether they kill the run's own process or one of its children.
 */
describe('a run killed by a CPU-time or file-size limit fails with RESOURCE_LIMIT naming it', () => {
  let workspace: string;
  const project = bareProject('node', 'npm');
  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'autodev-rlimits-'));
  });
  afterAll(() => rm(workspace, { recursive: true, force: true }));

  const runWith = (limits: Partial<SandboxLimits>, argv: string[]) =>
    runInProject(project, argv, {
      sandbox: createBubblewrapSandbox({ hostEnv: process.env, limits }),
      workspaceDir: workspace,
      timeoutMs: 120_000,
    });

  it('a process spinning past its CPU time is RESOURCE_LIMIT naming RLIMIT_CPU and its seconds', async () => {
    const error = await failure(runWith({ cpuSeconds: 1 }, ['sh', '-c', 'while :; do :; done']));
    expect(error.code).toBe('RESOURCE_LIMIT');
    expect(error.message).toMatch(/cpu time: a process used up its 1 s of CPU time \(RLIMIT_CPU/);
  });

  it("a test runner's child that spins is named too: the runner fails, the limit is the reason", async () => {
    const argv = [
      'node',
      '-e',
      "require('child_process').execFileSync('sh', ['-c', 'while :; do :; done'], { stdio: 'inherit' })",
    ];
    const error = await failure(runWith({ cpuSeconds: 1 }, argv));
    expect(error.code).toBe('RESOURCE_LIMIT');
    expect(error.message).toMatch(/RLIMIT_CPU, killed by SIGXCPU/);
  });

  it("a Python runner's child killed by the CPU limit is named from subprocess's report", async () => {
    const argv = [
      'python3',
      '-c',
      "import subprocess; subprocess.run(['sh', '-c', 'while :; do :; done'], check=True)",
    ];
    const error = await failure(runWith({ cpuSeconds: 1 }, argv));
    expect(error.code).toBe('RESOURCE_LIMIT');
    expect(error.message).toMatch(/cpu time: .*RLIMIT_CPU/);
  });

  it('a file written past the file-size limit (by a child of the runner) is RESOURCE_LIMIT naming the size', async () => {
    const argv = [
      'node',
      '-e',
      "require('child_process').execSync('head -c 200000 /dev/zero > big.bin', { stdio: 'inherit' })",
    ];
    const error = await failure(runWith({ fileSizeBytes: 64 * 1024 }, argv));
    expect(error.code).toBe('RESOURCE_LIMIT');
    expect(error.message).toMatch(
      /file size: a process wrote a file past the limit of 64 KiB \(RLIMIT_FSIZE/,
    );
  });

  it("a project's own failure, or a limit its code caught and survived, is no RESOURCE_LIMIT", async () => {
    const own = await runWith({ cpuSeconds: 1 }, ['sh', '-c', 'echo "1 test failed" >&2; exit 1']);
    expect(own.exitCode).toBe(1);
    expect(own.resourceLimit).toBeUndefined();
    // A failing test that only names the signals (a list of them in an assertion) is its own failure.
    const named = await runWith({ cpuSeconds: 1 }, [
      'sh',
      '-c',
      'echo "expected [SIGXCPU, SIGXFSZ] to deeply equal []" >&2; exit 1',
    ]);
    expect(named.exitCode).toBe(1);
    expect(named.resourceLimit).toBeUndefined();
    // The write past the limit fails inside a child; the run goes on and ends well.
    const survived = await runWith({ fileSizeBytes: 64 * 1024 }, [
      'sh',
      '-c',
      'sh -c "head -c 200000 /dev/zero > big.bin" 2>/dev/null; echo "survived $?"',
    ]);
    expect(survived.exitCode).toBe(0);
    expect(survived.stdout).toBe('survived 153\n');
    expect(survived.resourceLimit).toBeUndefined();
  });
});

const memoryCgroups = cgroupProcessBudget()?.limitsMemory === true;

describe.runIf(memoryCgroups)('a run killed by its memory limit fails with RESOURCE_LIMIT naming it', () => {
  let workspace: string;
  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'autodev-memory-'));
    // `allocate.py MiB [depth]`: fills MiB (written to, so the pages are really used) and, with a
    // depth, runs itself again while holding them: the allocations of a chain add up, no sleeps.
    await writeFile(
      join(workspace, 'allocate.py'),
      [
        'import subprocess, sys',
        "held = bytearray(b'\\x01') * (int(sys.argv[1]) << 20)",
        'depth = int(sys.argv[2]) if len(sys.argv) > 2 else 1',
        'code = subprocess.run([sys.executable, __file__, sys.argv[1], str(depth - 1)]).returncode if depth > 1 else 0',
        "print('allocated', flush=True)",
        'sys.exit(0 if code == 0 else 1)',
        '',
      ].join('\n'),
    );
  });
  afterAll(() => rm(workspace, { recursive: true, force: true }));

  const sandbox = () =>
    createBubblewrapSandbox({ hostEnv: process.env, limits: { memoryBytes: 128 * 1024 * 1024 } });

  it('a test process growing past the memory limit is killed by the kernel and named: memory, the limit', async () => {
    const project = bareProject('python', 'pytest');
    const error = await failure(
      runInProject(project, ['sh', '-c', 'python3 allocate.py 400; echo "runner saw $?"; exit 1'], {
        sandbox: sandbox(),
        workspaceDir: workspace,
        timeoutMs: 120_000,
      }),
    );
    expect(error.code).toBe('RESOURCE_LIMIT');
    expect(error.message).toMatch(/memory: the run reached its limit of 128 MiB \(memory cgroup\)/);
  });

  it('a run that stays under the limit is untouched, and the limit is the whole run, not one process', async () => {
    const under = await sandbox().run({
      argv: ['python3', 'allocate.py', '40'],
      cwd: workspace,
      timeoutMs: 120_000,
    });
    expect({ exitCode: under.exitCode, stdout: under.stdout, limit: under.resourceLimit }).toEqual({
      exitCode: 0,
      stdout: 'allocated\n',
      limit: undefined,
    });
    // Three processes of 60 MiB each, alive together: each fits alone, together they pass 128 MiB.
    const together = await sandbox().run({
      argv: ['python3', 'allocate.py', '60', '3'],
      cwd: workspace,
      timeoutMs: 120_000,
    });
    expect(together.resourceLimit).toMatch(/^memory: the run reached its limit of 128 MiB/);
  });
});
