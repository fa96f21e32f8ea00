import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectProjects, runSetup } from '../../src/languages/index.js';
import { createLanguageTestContext, type LanguageTestContext } from '../../src/languages/testing.js';
import { hostCommand } from '../../src/network/registries/index.js';
import { hostRegistryEnv } from '../../src/network/registries/sandbox-env.js';

/** A loopback port nobody listens on: a client sent there names it in its failure. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * The sandbox moves HOME, so the package clients inside it read none of the machine's own settings
 * (~/.npmrc, pip.conf, `go env -w`): a mirror the machine uses went unused in setup, and the
 * sandbox's proxy refused the public default the clients fell back to.
 */
describe("the machine's registry settings reach the sandbox's commands with network", () => {
  let ctx: LanguageTestContext;
  let home: string;
  let port: number;
  let env: Record<string, string>;
  beforeAll(async () => {
    ctx = await createLanguageTestContext(process.env);
    home = await ctx.repo('host-home');
    port = await closedPort();
    await writeFile(path.join(home, '.npmrc'), `registry=http://127.0.0.1:${port}/npm/\n`);
    await mkdir(path.join(home, '.config', 'pip'), { recursive: true });
    await writeFile(
      path.join(home, '.config', 'pip', 'pip.conf'),
      [
        '[global]',
        `index-url = http://127.0.0.1:${port}/simple/`,
        `extra-index-url = https://deploy:s3cr3t-token@127.0.0.1:${port}/private/`,
        '',
      ].join('\n'),
    );
    const hostEnv = {
      PATH: process.env.PATH,
      HOME: home,
      GOPROXY: `http://127.0.0.1:${port}/go`,
      GONOSUMDB: 'corp.example/*',
      UV_DEFAULT_INDEX: `http://127.0.0.1:${port}/uv/simple/`,
      UV_INDEX_URL: `https://deploy:s3cr3t-uv@127.0.0.1:${port}/uv-private/`,
    };
    env = await hostRegistryEnv(hostCommand(hostEnv, home), hostEnv);
  });
  afterAll(() => ctx?.dispose());

  it("reads each client's own answer, and leaves out a value with credentials in it", () => {
    expect(env).toMatchObject({
      PIP_INDEX_URL: `http://127.0.0.1:${port}/simple/`,
      GOPROXY: `http://127.0.0.1:${port}/go`,
      GONOSUMDB: 'corp.example/*',
      // uv prints no configuration: its variables are carried as the machine sets them.
      UV_DEFAULT_INDEX: `http://127.0.0.1:${port}/uv/simple/`,
    });
    expect(env).not.toHaveProperty('PIP_EXTRA_INDEX_URL');
    expect(env).not.toHaveProperty('UV_INDEX_URL');
    // A variable would outrank the repository's own .npmrc, which must keep naming its registry.
    expect(env).not.toHaveProperty('npm_config_registry');
    expect(JSON.stringify(env)).not.toContain('s3cr3t');
  });

  it("a Python project's setup installs from the machine's index, not pip's default", async () => {
    const dir = await ctx.repo('py-mirror');
    await writeFile(path.join(dir, 'requirements.txt'), 'six==1.16.0\n');
    await writeFile(path.join(dir, 'test_x.py'), 'def test_x():\n    assert True\n');
    const [project] = await detectProjects(dir);
    if (!project) throw new Error('no project detected');
    const setup = await runSetup(project, { ...ctx.options(dir), network: true, registryEnv: env });
    expect(setup.ok).toBe(false);
    expect(setup.outputTail).toContain(`127.0.0.1:${port}/simple/`);
  });
});
