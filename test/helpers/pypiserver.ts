import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/**
 * scripts/setup.sh installs pypiserver into a virtualenv of its own (it wants a newer pip than the
 * machine's, which the product's Python steps use); a machine where it is installed for python3 works too.
 */
const OWN_VENV = join(process.cwd(), '.tools', 'pypiserver', 'bin', 'python');
const PYPISERVER_PYTHON = existsSync(OWN_VENV) ? OWN_VENV : 'python3';

/** A real pypiserver on loopback serving a folder of distributions: only what a test publishes. */
export interface LocalPythonIndex {
  /** The simple API: `http://127.0.0.1:PORT/simple/` */
  url: string;
  /** `127.0.0.1:PORT`, for setup_network_allow. */
  hostPort: string;
  /**
   * Publishes `name==version` as a wheel holding a module of `name` (`-` as `_`) with this source,
   * and `description` as its METADATA's body (the long description, markdown).
   */
  publish(name: string, version: string, source: string, description?: string): Promise<void>;
  stop(): Promise<void>;
  /** Starts it again on the same port and folder (after stop). */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A wheel made by hand (a zip with the module and its dist-info), as the wheel format describes
 * it: no build tool needed at test time. RECORD lists the files without hashes, which pip accepts.
 */
const MAKE_WHEEL = `
import sys, zipfile
out, dist, version, module, source, description = sys.argv[1:7]
info = f"{dist}-{version}.dist-info"
with zipfile.ZipFile(f"{out}/{dist}-{version}-py3-none-any.whl", "w") as z:
    z.writestr(f"{module}/__init__.py", source)
    z.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\\nName: {dist}\\nVersion: {version}\\nDescription-Content-Type: text/markdown\\n\\n{description}")
    z.writestr(f"{info}/WHEEL", "Wheel-Version: 1.0\\nGenerator: autodev-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
    z.writestr(f"{info}/RECORD", f"{module}/__init__.py,,\\n{info}/METADATA,,\\n{info}/WHEEL,,\\n{info}/RECORD,,\\n")
`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilServing(url: string, child: ChildProcess, output: () => string): Promise<void> {
  for (let i = 0; i < 300; i += 1) {
    if (child.exitCode !== null) throw new Error(`pypiserver exited ${String(child.exitCode)}: ${output()}`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`pypiserver did not answer at ${url}: ${output()}`);
}

export async function startLocalPythonIndex(): Promise<LocalPythonIndex> {
  const dir = await mkdtemp(join(tmpdir(), 'autodev-pypiserver-'));
  const packages = join(dir, 'packages');
  await mkdir(packages);
  const port = await freePort();
  const hostPort = `127.0.0.1:${String(port)}`;
  const url = `http://${hostPort}/simple/`;
  let child: ChildProcess | undefined;
  let output = '';
  const start = async (): Promise<void> => {
    output = '';
    // simple-dir: the folder is read on every request, so a wheel published later is listed at once.
    child = spawn(
      PYPISERVER_PYTHON,
      ['-m', 'pypiserver', 'run', '-p', String(port), '-i', '127.0.0.1', '--backend', 'simple-dir', packages],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir } },
    );
    child.stdout?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    await waitUntilServing(url, child, () => output);
  };
  const stop = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGTERM');
    });
  };
  await start();
  return {
    url,
    hostPort,
    async publish(name, version, source, description = '') {
      const dist = name.replace(/[-.]+/g, '_');
      await exec('python3', [
        '-c',
        MAKE_WHEEL,
        packages,
        dist,
        version,
        dist.toLowerCase(),
        source,
        description,
      ]);
    },
    stop,
    start,
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
