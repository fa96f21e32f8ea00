import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Every live descendant of `pid` (from /proc), so none can hide behind an exited parent. */
function descendants(pid: number): number[] {
  let children: number[] = [];
  try {
    for (const task of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)) {
      if (task !== '') children.push(Number(task));
    }
  } catch {
    return [];
  }
  children = children.flatMap((child) => [child, ...descendants(child)]);
  return children;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function listening(port: number): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  it('stops the server (drain included) when the npm process gets SIGTERM', async () => {
    // npm start runs the built CLI: `npm run setup` (and `npm run build`) make it.
    expect(existsSync(join(ROOT, 'dist/cli/main.js')), 'dist/cli/main.js: run npm run build').toBe(true);
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'autodev-npm-start-'));
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        AUTODEV_DATA_DIR: dataDir,
        AUTODEV_PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const exited = new Promise<number | null>((done) => npm.once('exit', (code) => done(code)));
    const pid = npm.pid ?? 0;
    const tree: number[] = [];
    try {
      while (!output.includes('"msg":"autodev listening"')) {
        if (npm.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await listening(port)).toBe(true);
      tree.push(...descendants(pid));
      expect(tree.length).toBeGreaterThan(0);

      npm.kill('SIGTERM');
      await exited;
      // The server itself got the signal: it logged the drain, closed its port and exited.
      for (let i = 0; i < 300 && tree.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
      expect(tree.filter(alive), output).toEqual([]);
      expect(output).toContain('"signal":"SIGTERM"');
      expect(output).toContain('shutting down');
      expect(await listening(port)).toBe(false);
    } finally {
      for (const child of [pid, ...tree]) if (alive(child)) process.kill(child, 'SIGKILL');
    }
  });
});
