import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  dieWithParentPrefix,
  LAUNCH_FAILED_EXIT,
  LAUNCH_FAILED_MESSAGE,
  PARENT_GONE_EXIT,
} from './die-with-parent.js';

const exec = promisify(execFile);
const prefix = dieWithParentPrefix(process.env.PATH);

/** Runs argv, resolving to its exit status and output whatever the status. */
async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const [program = '', ...args] = argv;
  try {
    const { stdout, stderr } = await exec(program, args);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe.skipIf(prefix.length === 0)('dieWithParentPrefix (setpriv installed)', () => {
  it('runs the program when this process started it', async () => {
    expect(await run([...prefix, 'echo', 'ran'])).toMatchObject({ code: 0, stdout: 'ran\n' });
  });

  it('runs nothing when its parent is not the process it was made for (the parent died before the request to die with it)', async () => {
    // A shell in between stands for the orphan's new parent: the launcher sees a parent that is not
    // this process, as an orphan whose server was killed before setpriv's prctl would.
    const result = await run(['/bin/sh', '-c', '"$@"', 'between', ...prefix, 'echo', 'ran']);
    expect(result).toMatchObject({ code: PARENT_GONE_EXIT, stdout: '' });
  });

  it('reports a missing program with the status and message callers read as "not found"', async () => {
    const result = await run([...prefix, 'autodev-no-such-program']);
    expect(result.code).toBe(LAUNCH_FAILED_EXIT);
    expect(result.stderr).toMatch(LAUNCH_FAILED_MESSAGE);
  });
});
