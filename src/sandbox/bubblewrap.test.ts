import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAutodevError } from '../errors.js';
import { createBubblewrapSandbox } from './bubblewrap.js';
import {
  connectArgv,
  describeSandboxConformance,
  proxyConnectArgv,
  startLoopbackListener,
} from './conformance.js';

// util-linux's, part of every Debian system: the launcher autodev puts in front of its children.
const SETPRIV = '/usr/bin/setpriv';

describeSandboxConformance({
  title: 'bubblewrap sandbox',
  create: (hostEnv) => createBubblewrapSandbox({ hostEnv }),
  hostEnv: process.env,
  isolated: true,
});

describe('bubblewrap sandbox specifics', () => {
  const sandbox = createBubblewrapSandbox({ hostEnv: process.env });
  let workspace: string;
  beforeAll(async () => {
    workspace = await mkdtemp(path.join(os.tmpdir(), 'autodev-bwrap-'));
  });
  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true });
  });
  const run = (argv: string[], extra: { network?: boolean; homeDir?: string } = {}) =>
    sandbox.run({ argv, cwd: workspace, timeoutMs: 120_000, ...extra });

  it('kills a process that spins past its CPU-time limit', async () => {
    const limited = createBubblewrapSandbox({ hostEnv: process.env, limits: { cpuSeconds: 1 } });
    const started = Date.now();
    const result = await limited.run({
      argv: ['sh', '-c', 'while :; do :; done'],
      cwd: workspace,
      timeoutMs: 60_000,
    });
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  // Issue #25 item 12: with --share-net, setup reached autodev's own API on loopback. Setup with
  // network now has its own namespace whose one way out is the filtering proxy.
  it("with network (the setup phase) still cannot reach the host's loopback, directly or through the proxy", async () => {
    const listener = await startLoopbackListener();
    try {
      const direct = await run(connectArgv(listener.port), { network: true });
      expect(direct.stdout).toContain('ECONNREFUSED');
      const viaProxy = await run(proxyConnectArgv(`127.0.0.1:${String(listener.port)}`), { network: true });
      expect(viaProxy.stdout).toContain('403');
      expect(viaProxy.stderr).toContain(`CONNECT 127.0.0.1:${String(listener.port)}: loopback address`);
      expect(listener.connections()).toBe(0);
    } finally {
      await listener.close();
    }
  });

  it("hides the server's HOME but keeps the toolchains installed in it", async () => {
    const fakeHome = await mkdtemp(path.join('/var/tmp', 'autodev-fakehome-'));
    try {
      await writeFile(path.join(fakeHome, 'secret.txt'), 'top secret');
      await mkdir(path.join(fakeHome, 'tools', 'bin'), { recursive: true });
      await writeFile(
        path.join(fakeHome, 'tools', 'bin', 'hello-tool'),
        '#!/bin/sh\necho hello from tools\n',
        {
          mode: 0o755,
        },
      );
      const hostEnv = {
        ...process.env,
        HOME: fakeHome,
        PATH: `${fakeHome}/tools/bin:${process.env.PATH ?? ''}`,
      };
      const result = await createBubblewrapSandbox({ hostEnv }).run({
        argv: ['sh', '-c', 'hello-tool; cat "$1/secret.txt"', 'sh', fakeHome],
        cwd: workspace,
        timeoutMs: 30_000,
      });
      expect(result.stdout).toBe('hello from tools\n');
      expect(result.exitCode).not.toBe(0);
    } finally {
      await rm(fakeHome, { recursive: true, force: true });
    }
  });

  it('hides the data dir (other tasks, the database) while its own workspace stays writable', async () => {
    const dataDir = await mkdtemp(path.join('/var/tmp', 'autodev-data-'));
    try {
      await mkdir(path.join(dataDir, 'other-task'));
      await writeFile(path.join(dataDir, 'other-task', 'secret.txt'), 'not yours');
      const own = path.join(dataDir, 'own-task');
      await mkdir(own);
      const result = await createBubblewrapSandbox({ hostEnv: process.env, hide: [dataDir] }).run({
        argv: ['sh', '-c', 'echo mine > out.txt; ls "$1"; cat "$1/other-task/secret.txt"', 'sh', dataDir],
        cwd: own,
        timeoutMs: 30_000,
      });
      expect(result.stdout).toBe('own-task\n');
      expect(result.exitCode).not.toBe(0);
      expect(await readFile(path.join(own, 'out.txt'), 'utf8')).toBe('mine\n');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('drops every capability, so root inside cannot remount the read-only host', async () => {
    const result = await run(['sh', '-c', 'grep CapEff /proc/self/status']);
    expect(result.stdout.trim()).toBe('CapEff:\t0000000000000000');
  });

  it('runs the toolchains with network off: cargo, go, pytest, node', async () => {
    const checks: [string[], RegExp][] = [
      [['cargo', '--version'], /^cargo \d/],
      [['go', 'version'], /^go version go\d/],
      [['python3', '-m', 'pytest', '--version'], /pytest \d/],
      [['node', '--version'], /^v\d+\./],
    ];
    for (const [argv, expected] of checks) {
      const result = await run(argv);
      expect({ argv, exitCode: result.exitCode }).toEqual({ argv, exitCode: 0 });
      expect(result.stdout + result.stderr).toMatch(expected);
    }
  });

  it('builds a Go module (GOCACHE writable) and a Rust crate offline', async () => {
    const gomod = path.join(workspace, 'gomod');
    await mkdir(gomod);
    await writeFile(path.join(gomod, 'go.mod'), 'module example.com/probe\n\ngo 1.21\n');
    await writeFile(
      path.join(gomod, 'main.go'),
      'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("go ok") }\n',
    );
    const go = await sandbox.run({
      argv: ['sh', '-c', 'go build -o probe . && ./probe'],
      cwd: gomod,
      timeoutMs: 120_000,
    });
    expect(go.stderr).toBe('');
    expect(go.stdout).toBe('go ok\n');

    const crate = path.join(workspace, 'crate');
    await mkdir(path.join(crate, 'src'), { recursive: true });
    await writeFile(
      path.join(crate, 'Cargo.toml'),
      '[package]\nname = "probe"\nversion = "0.1.0"\nedition = "2021"\n',
    );
    await writeFile(path.join(crate, 'src', 'main.rs'), 'fn main() { println!("rust ok"); }\n');
    const cargo = await sandbox.run({
      argv: ['cargo', 'run', '--quiet', '--offline'],
      cwd: crate,
      timeoutMs: 120_000,
    });
    expect({ exitCode: cargo.exitCode, stderr: cargo.stderr }).toEqual({ exitCode: 0, stderr: '' });
    expect(cargo.stdout).toBe('rust ok\n');
  });

  it('fails ensureAvailable with SANDBOX_UNAVAILABLE and the install hint when bwrap is missing', async () => {
    // A PATH with the probe's `true` but no bwrap.
    const bin = await mkdtemp(path.join(os.tmpdir(), 'autodev-nobwrap-'));
    try {
      await symlink('/bin/true', path.join(bin, 'true'));
      const attempt = createBubblewrapSandbox({ hostEnv: { PATH: bin } }).ensureAvailable();
      await expect(attempt).rejects.toSatisfy((error) => isAutodevError(error, 'SANDBOX_UNAVAILABLE'));
      await expect(attempt).rejects.toThrow(
        /bwrap \(bubblewrap\) is not on PATH: .*apt-get install bubblewrap/,
      );
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
  });

  it('fails ensureAvailable with SANDBOX_UNAVAILABLE and the install hint when bwrap is missing behind the die-with-parent launcher', async () => {
    // setpriv on PATH puts the launcher's shell in front of bwrap: its `exec: bwrap: not found` must
    // still read as a missing sandbox, not as a command that failed.
    const bin = await mkdtemp(path.join(os.tmpdir(), 'autodev-nobwrap-launcher-'));
    try {
      await symlink('/bin/true', path.join(bin, 'true'));
      await symlink(SETPRIV, path.join(bin, 'setpriv'));
      const attempt = createBubblewrapSandbox({ hostEnv: { PATH: bin } }).ensureAvailable();
      await expect(attempt).rejects.toSatisfy((error) => isAutodevError(error, 'SANDBOX_UNAVAILABLE'));
      await expect(attempt).rejects.toThrow(
        /bwrap \(bubblewrap\) is not on PATH: .*apt-get install bubblewrap/,
      );
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
  });
});
