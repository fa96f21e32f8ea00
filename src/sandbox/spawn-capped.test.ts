import { describe, expect, it } from 'vitest';
import { isAutodevError } from '../errors.js';
import { processesWith, survivorsAfter, uniqueSleep } from './conformance.js';
import { spawnCapped, spawnCappedBytes } from './spawn-capped.js';

const base = { cwd: '/', env: { PATH: '/usr/bin:/bin' }, timeoutMs: 10_000 };

describe('spawnCapped', () => {
  it('reports a missing program as COMMAND_NOT_FOUND naming it', async () => {
    const attempt = spawnCapped({ ...base, argv: ['autodev-missing-binary', '--x'] });
    await expect(attempt).rejects.toSatisfy((error) => isAutodevError(error, 'COMMAND_NOT_FOUND'));
    await expect(attempt).rejects.toThrow(/autodev-missing-binary/);
  });

  it('gives the child exactly the env it is handed, inheriting nothing', async () => {
    const result = await spawnCapped({ ...base, argv: ['env'] });
    expect(result.stdout.trim().split('\n').sort()).toEqual(['PATH=/usr/bin:/bin']);
  });

  it('hands stdout back byte for byte when asked for bytes, and takes bytes as input', async () => {
    // Not UTF-8: a NUL, a lone continuation byte, 0xFF; decoded as text they would come back changed.
    const bytes = Buffer.from([0x00, 0x80, 0xff, 0x41, 0x0a, 0xfe]);
    const result = await spawnCappedBytes({ ...base, argv: ['cat'], input: bytes });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.equals(bytes)).toBe(true);
  });

  it('reports a process killed by a signal with no exit code', async () => {
    const result = await spawnCapped({ ...base, argv: ['sh', '-c', 'kill -9 $$'] });
    expect(result).toMatchObject({ exitCode: null, timedOut: false, cancelled: false });
  });

  it('returns even when an escaped grandchild keeps the pipes open', async () => {
    const sleep = uniqueSleep();
    try {
      const started = Date.now();
      // setsid leaves the process group, so the tree kill cannot reach it; its stdout stays open.
      const result = await spawnCapped({
        ...base,
        argv: ['sh', '-c', `setsid sleep ${sleep} & echo started`],
      });
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toBe('started\n');
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      for (const pid of await processesWith(sleep)) process.kill(pid, 'SIGKILL');
      expect(await survivorsAfter(sleep, 2_000)).toEqual([]);
    }
  });

  it('kills what the command left running in its group once it exits', async () => {
    const sleep = uniqueSleep();
    const result = await spawnCapped({
      ...base,
      argv: ['sh', '-c', `sleep ${sleep} >/dev/null 2>&1 & echo bye`],
    });
    expect(result.stdout).toBe('bye\n');
    expect(await survivorsAfter(sleep, 2_000)).toEqual([]);
  });
});
