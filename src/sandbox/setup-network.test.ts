import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBubblewrapSandbox } from './bubblewrap.js';

/**
 * The package clients really install through the setup network's proxy, from the registries the
 * host's clients are configured for (learnt from their own configuration): pip, go and cargo here;
 * `npm ci` runs in test/security/setup-network.test.ts through the API.
 */
describe('setup with network: pip, go and cargo fetch through the filtering proxy', () => {
  const sandbox = createBubblewrapSandbox({ hostEnv: process.env });
  let workspace: string;
  beforeAll(async () => {
    workspace = await mkdtemp(path.join(os.tmpdir(), 'autodev-setup-net-'));
  });
  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true });
  });
  const fetchIn = async (dir: string, script: string, env: Record<string, string> = {}) => {
    const result = await sandbox.run({
      argv: ['sh', '-c', script],
      cwd: dir,
      workspace,
      env,
      timeoutMs: 180_000,
      network: true,
    });
    return { ...result, output: `${result.stdout}\n${result.stderr}` };
  };

  it('pip downloads a wheel from its index', async () => {
    const dir = path.join(workspace, 'py');
    await mkdir(dir);
    const result = await fetchIn(
      dir,
      'python3 -m pip download --no-deps --only-binary=:all: -d wheels six==1.16.0',
    );
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toMatch(/Downloading six-1\.16\.0-py2\.py3-none-any\.whl/);
    expect(result.output).not.toContain('refused');
  }, 200_000);

  it('go mod download fetches a module and checks it against the checksum database', async () => {
    const dir = path.join(workspace, 'go');
    await mkdir(dir);
    await writeFile(
      path.join(dir, 'go.mod'),
      'module example.com/probe\n\ngo 1.21\n\nrequire rsc.io/quote v1.5.2\n',
    );
    const result = await fetchIn(dir, 'go mod download -json rsc.io/quote', {
      GOMODCACHE: path.join(workspace, 'go', 'modcache'),
      GOFLAGS: '-modcacherw',
    });
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain('"Version": "v1.5.2"');
    expect(result.output).not.toContain('refused');
  }, 200_000);

  it('cargo fetch downloads a crate from its default registry', async () => {
    const dir = path.join(workspace, 'rs');
    await mkdir(path.join(dir, 'src'), { recursive: true });
    await writeFile(path.join(dir, 'src', 'lib.rs'), '');
    await writeFile(
      path.join(dir, 'Cargo.toml'),
      '[package]\nname = "probe"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\nitoa = "=1.0.11"\n',
    );
    const result = await fetchIn(dir, 'cargo fetch', { CARGO_HOME: path.join(dir, 'cargo-home') });
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toMatch(/Downloaded itoa v1\.0\.11/);
    expect(result.output).not.toContain('refused');
  }, 200_000);

  it('a repository that points its client at the host (.npmrc registry on 127.0.0.1) is refused', async () => {
    const dir = path.join(workspace, 'js');
    await mkdir(dir);
    await writeFile(path.join(dir, '.npmrc'), 'registry=http://127.0.0.1:9/\n');
    await writeFile(
      path.join(dir, 'package.json'),
      '{"name":"p","version":"1.0.0","dependencies":{"is-number":"7.0.0"}}',
    );
    const result = await fetchIn(dir, 'npm install --no-audit --no-fund --fetch-retries=0');
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toMatch(/GET http:\/\/127\.0\.0\.1:9\/is-number: loopback address/);
  }, 200_000);
});
