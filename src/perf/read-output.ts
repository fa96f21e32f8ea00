import { open, rm } from 'node:fs/promises';
import path from 'node:path';
import { AutodevError } from '../errors.js';
import { realPathInside } from '../workspace/real-path.js';

/** Largest results file read: a pytest-benchmark JSON with raw data is a few MB at most. */
export const MAX_BENCH_OUTPUT_BYTES = 16 * 1024 * 1024;

/**
 * The results file the sandboxed command wrote (`[bench] output`), read on the host: its real path
 * must lie inside the tree (a link to /etc/shadow is refused) and it is read only up to the cap.
 */
export async function readBenchOutput(tree: string, output: string): Promise<string> {
  const real = await realPathInside(tree, output, {
    what: '[bench] output',
    errorCode: 'BENCH_OUTPUT_INVALID',
  });
  const handle = await open(real, 'r');
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new AutodevError('BENCH_OUTPUT_INVALID', `[bench] output ${output} is not a file`);
    }
    if (info.size > MAX_BENCH_OUTPUT_BYTES) {
      throw new AutodevError(
        'BENCH_OUTPUT_INVALID',
        `[bench] output ${output} is ${info.size} bytes; at most ${MAX_BENCH_OUTPUT_BYTES} are read`,
      );
    }
    const buffer = Buffer.alloc(info.size);
    await handle.read(buffer, 0, info.size, 0);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}

/** Removes the previous run's results file, so a run that writes none is not read as the last one's. */
export async function clearBenchOutput(tree: string, output: string): Promise<void> {
  await rm(path.join(tree, output), { force: true });
}
