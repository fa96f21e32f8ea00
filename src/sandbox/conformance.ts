import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isAutodevError } from '../errors.js';
import type { HostEnv } from './env.js';
import type { Sandbox, SandboxCommand } from './types.js';

/** Planted in the host environment; it must never be visible to a sandboxed command. */
export const PLANTED_TOKEN = 'ghp_' + 'A'.repeat(36);

export interface ConformanceOptions {
  /** Describe title; say why when skipped, e.g. "docker sandbox (skipped: no Docker engine on this host)". */
  title: string;
  skip?: boolean;
  create: (hostEnv: HostEnv) => Sandbox;
  /** The host's environment (tests may read process.env; this module may not). */
  hostEnv: HostEnv;
  /** False for a backend that runs its own image's toolchains (docker): no host pyenv to resolve. */
  hostToolchains?: boolean;
  /** Whether the backend promises network and filesystem isolation (not `none`). */
  isolated: boolean;
}

/** Processes whose command line contains `marker`, found through the host's /proc. */
export async function processesWith(marker: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(marker)) found.push(Number(entry));
  }
  return found;
}

/** Polls until no process carries `marker`, or the deadline passes; returns the survivors. */
export async function survivorsAfter(marker: string, withinMs: number): Promise<number[]> {
  const deadline = Date.now() + withinMs;
  let left = await processesWith(marker);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = await processesWith(marker);
  }
  return left;
}

/** A `sleep` argument unique to one test, so its processes can be found in /proc. */
export function uniqueSleep(): string {
  return `100.${Date.now()}${Math.floor(Math.random() * 1e6)}`;
}

/** Counts connections to a listener on the host's loopback. */
export async function startLoopbackListener(): Promise<{
  port: number;
  connections: () => number;
  close: () => Promise<void>;
}> {
  let count = 0;
  const server = net.createServer((socket) => {
    count += 1;
    // The probe exits as soon as it connects; its reset is expected, not a failure.
    socket.on('error', () => undefined);
    socket.end('hello from the host\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('listener has no port');
  return {
    port: address.port,
    connections: () => count,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A node one-liner that prints "connected" or the error code, and exits 0 only on success. */
export function connectArgv(port: number): string[] {
  const script =
    `const s=require('net').connect(${port},'127.0.0.1');` +
    `s.on('connect',()=>{console.log('connected');process.exit(0)});` +
    `s.on('error',(e)=>{console.log(e.code);process.exit(3)});` +
    `setTimeout(()=>{console.log('TIMEOUT');process.exit(4)},3000)`;
  return ['node', '-e', script];
}

/**
 * A node one-liner that asks the setup network's proxy (HTTPS_PROXY inside the sandbox) to CONNECT to
 * `target` (host:port) and prints the status it answered (or the error code).
 */
export function proxyConnectArgv(target: string): string[] {
  const script =
    `const u=new URL(process.env.HTTPS_PROXY||'http://127.0.0.1:1');` +
    `const q=require('http').request({host:u.hostname,port:u.port,method:'CONNECT',path:${JSON.stringify(target)}});` +
    `q.on('connect',(r,s)=>{console.log('status',r.statusCode);s.destroy();process.exit(r.statusCode===200?0:3)});` +
    `q.on('response',(r)=>{console.log('status',r.statusCode);process.exit(3)});` +
    `q.on('error',(e)=>{console.log(e.code);process.exit(3)});q.end();` +
    `setTimeout(()=>{console.log('TIMEOUT');process.exit(4)},10000)`;
  return ['node', '-e', script];
}

/** Behaviour every Sandbox backend shares; each backend's test file calls this once. */
export function describeSandboxConformance(options: ConformanceOptions): void {
  describe.skipIf(options.skip === true)(options.title, () => {
    let workspace: string;
    const hostEnv: HostEnv = {
      ...options.hostEnv,
      GITHUB_TOKEN: PLANTED_TOKEN,
      OPENAI_API_KEY: 'sk-' + 'B'.repeat(40),
      AUTODEV_UNLISTED_PROBE: 'must-not-leak',
    };
    const sandbox = (): Sandbox => options.create(hostEnv);
    const run = (command: Omit<SandboxCommand, 'cwd' | 'timeoutMs'> & Partial<SandboxCommand>) =>
      sandbox().run({ cwd: workspace, timeoutMs: 30_000, ...command });

    beforeEach(async () => {
      workspace = await mkdtemp(path.join(os.tmpdir(), 'autodev-sbx-'));
    });
    afterEach(async () => {
      await rm(workspace, { recursive: true, force: true });
    });

    it('is available', async () => {
      await expect(sandbox().ensureAvailable()).resolves.toBeUndefined();
    });

    it('reports exit codes and keeps stdout and stderr apart', async () => {
      const ok = await run({ argv: ['sh', '-c', 'echo out; echo err >&2'] });
      expect(ok).toMatchObject({ exitCode: 0, stdout: 'out\n', stderr: 'err\n', truncated: false });
      expect(ok.timedOut || ok.cancelled).toBe(false);
      const failed = await run({ argv: ['sh', '-c', 'exit 3'] });
      expect(failed.exitCode).toBe(3);
    });

    it('runs in the workspace, which is writable', async () => {
      const result = await run({ argv: ['sh', '-c', 'echo made > made.txt'] });
      expect(result.exitCode).toBe(0);
      expect(await readFile(path.join(workspace, 'made.txt'), 'utf8')).toBe('made\n');
    });

    it('passes no host secret and nothing off the allowlist, but does pass extras', async () => {
      const result = await run({ argv: ['env'], env: { AUTODEV_EXTRA: 'given' } });
      expect(result.exitCode).toBe(0);
      expect(result.stdout).not.toContain(PLANTED_TOKEN);
      expect(result.stdout).not.toContain('GITHUB_TOKEN');
      expect(result.stdout).not.toContain('OPENAI_API_KEY');
      expect(result.stdout).not.toContain('must-not-leak');
      expect(result.stdout).toContain('AUTODEV_EXTRA=given');
      expect(result.stdout).toContain('CI=true');
    });

    it('refuses an extra variable whose name looks like a credential, naming it', async () => {
      const attempt = run({ argv: ['true'], env: { NPM_TOKEN: 'x' } });
      await expect(attempt).rejects.toSatisfy((error) => isAutodevError(error, 'VALIDATION_FAILED'));
      await expect(attempt).rejects.toThrow(/NPM_TOKEN/);
    });

    it('gives a writable HOME, kept in homeDir when one is given', async () => {
      const home = await mkdtemp(path.join(os.tmpdir(), 'autodev-home-test-'));
      try {
        const result = await run({ argv: ['sh', '-c', 'echo kept > "$HOME/kept.txt"'], homeDir: home });
        expect(result.exitCode).toBe(0);
        expect(await readFile(path.join(home, 'kept.txt'), 'utf8')).toBe('kept\n');
        const fresh = await run({ argv: ['sh', '-c', 'touch "$HOME/x" && ls -A "$HOME"'] });
        expect(fresh.exitCode).toBe(0);
        expect(fresh.stdout).not.toContain('kept.txt');
      } finally {
        await rm(home, { recursive: true, force: true });
      }
    });

    it('caps 50 MB of output at 1 MiB per stream and says so', async () => {
      const result = await run({ argv: ['sh', '-c', 'yes | head -c 52428800'] });
      expect(result.exitCode).toBe(0);
      expect(result.truncated).toBe(true);
      expect(result.stdout.length).toBe(1024 * 1024);
      const small = await run({ argv: ['sh', '-c', 'yes | head -c 5000'], maxOutputBytes: 1000 });
      expect(small).toMatchObject({ truncated: true, exitCode: 0 });
      expect(small.stdout.length).toBe(1000);
    });

    it('kills the whole process tree when the timeout passes', async () => {
      const sleep = uniqueSleep();
      const result = await run({ argv: ['sh', '-c', `sleep ${sleep} & sleep ${sleep}`], timeoutMs: 2_000 });
      expect(result.timedOut).toBe(true);
      expect(result.cancelled).toBe(false);
      expect(result.exitCode).not.toBe(0);
      expect(result.durationMs).toBeLessThan(6_000);
      expect(await survivorsAfter(sleep, 3_000)).toEqual([]);
    });

    it('kills the whole process tree when the signal aborts', async () => {
      const sleep = uniqueSleep();
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 500);
      const started = Date.now();
      const result = await run({
        argv: ['sh', '-c', `sleep ${sleep} & sleep ${sleep}`],
        signal: controller.signal,
      });
      expect(result).toMatchObject({ cancelled: true, timedOut: false });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await survivorsAfter(sleep, 3_000)).toEqual([]);
    });

    it('does not start a command whose signal is already aborted', async () => {
      const result = await run({ argv: ['sh', '-c', 'touch started'], signal: AbortSignal.abort() });
      expect(result.cancelled).toBe(true);
      expect(existsSync(path.join(workspace, 'started'))).toBe(false);
    });

    it('reports a missing program as COMMAND_NOT_FOUND naming it', async () => {
      const attempt = run({ argv: ['autodev-no-such-program'] });
      await expect(attempt).rejects.toSatisfy((error) => isAutodevError(error, 'COMMAND_NOT_FOUND'));
      await expect(attempt).rejects.toThrow(/autodev-no-such-program/);
    });

    it.skipIf(options.hostToolchains === false)(
      options.hostToolchains === false
        ? "starts a pyenv shim's interpreter directly (skipped: the backend runs its image's toolchains, not the host's)"
        : "starts a pyenv shim's interpreter directly (the shim, bash in pyenv, never runs), its bin folder first on PATH",
      async () => {
        // A pyenv root of the test's own (in the workspace, which every backend shows at its path): a
        // shim that marks the workspace when it runs, and the version's "interpreter", which prints the
        // first PATH entry it was given.
        const root = path.join(workspace, 'pyenv');
        const bin = path.join(root, 'versions', '9.9.1', 'bin');
        await mkdir(path.join(root, 'shims'), { recursive: true });
        await mkdir(bin, { recursive: true });
        const shim = path.join(root, 'shims', 'autodev-fake-python');
        await writeFile(shim, '#!/bin/sh\ntouch "$PWD/shim-ran"\necho shim\n');
        await writeFile(path.join(bin, 'autodev-fake-python'), '#!/bin/sh\necho "real ${PATH%%:*} $1"\n');
        await chmod(shim, 0o755);
        await chmod(path.join(bin, 'autodev-fake-python'), 0o755);
        await writeFile(path.join(root, 'version'), '9.9.1\n');
        const withPyenv = options.create({
          ...hostEnv,
          PYENV_ROOT: root,
          PATH: `${path.join(root, 'shims')}:${hostEnv.PATH ?? '/usr/bin:/bin'}`,
        });
        const direct = await withPyenv.run({
          argv: ['autodev-fake-python', 'arg'],
          cwd: workspace,
          timeoutMs: 30_000,
        });
        expect(direct.stdout).toBe(`real ${bin} arg\n`);
        expect(existsSync(path.join(workspace, 'shim-ran'))).toBe(false);
        // A version pyenv has not installed is the shim's to report: it runs.
        await writeFile(path.join(workspace, '.python-version'), '3.0.0\n');
        const viaShim = await withPyenv.run({
          argv: ['autodev-fake-python'],
          cwd: workspace,
          timeoutMs: 30_000,
        });
        expect(viaShim.stdout).toBe('shim\n');
        expect(existsSync(path.join(workspace, 'shim-ran'))).toBe(true);
      },
    );

    it('reports a missing workspace as WORKSPACE_MISSING', async () => {
      const attempt = run({ argv: ['true'], cwd: path.join(workspace, 'gone') });
      await expect(attempt).rejects.toSatisfy((error) => isAutodevError(error, 'WORKSPACE_MISSING'));
    });

    describe.skipIf(!options.isolated)(
      options.isolated
        ? 'isolation'
        : 'isolation (skipped: this backend runs on the host and does not isolate)',
      () => {
        it("cannot reach a listener on the host's 127.0.0.1", async () => {
          const listener = await startLoopbackListener();
          try {
            const result = await run({ argv: connectArgv(listener.port) });
            expect(result.stdout).not.toContain('connected');
            expect(result.exitCode).not.toBe(0);
            expect(listener.connections()).toBe(0);
          } finally {
            await listener.close();
          }
        });

        it("writes nothing outside the workspace: not the system, the host's /tmp, nor beside the workspace", async () => {
          const name = `autodev-probe-${path.basename(workspace)}`;
          const targets = [path.join('/etc', name), path.join(os.tmpdir(), name), `${workspace}-sibling`];
          const script = targets.map((target) => `echo x > '${target}'`).join('; ');
          await run({ argv: ['sh', '-c', `${script}; true`] });
          for (const target of targets) expect(existsSync(target)).toBe(false);
        });

        it('cannot change files the host owns and shows it, even as root', async () => {
          // /var/tmp: visible in the sandbox (read-only), unlike a private /tmp or a hidden HOME.
          const outside = await mkdtemp(path.join('/var/tmp', 'autodev-outside-'));
          const file = path.join(outside, 'keep.txt');
          await writeFile(file, 'original');
          try {
            const result = await run({ argv: ['sh', '-c', 'cat "$1" && echo changed > "$1"', 'sh', file] });
            expect(result.exitCode).not.toBe(0);
            expect(await readFile(file, 'utf8')).toBe('original');
          } finally {
            await rm(outside, { recursive: true, force: true });
          }
        });
      },
    );
  });
}
