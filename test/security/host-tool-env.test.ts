import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostNpmRegistry } from '../../src/network/registries/index.js';
import { runCli } from '../helpers/cli-process.js';
import { suiteRandom } from '../helpers/seeded-random.js';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * The host tools autodev runs for itself see an allow-list of the server's environment: never a
 * credential-looking variable, and not an unrelated one either.
 */
describe('host tools started through the process runner see no secret of the server', () => {
  const random = suiteRandom();
  const secretValue = `ghp_${random.from(ALPHANUMERIC, 36)}`;
  const planted = {
    PLANTED_TOKEN: secretValue,
    ANTHROPIC_API_KEY: `sk-ant-${random.from(ALPHANUMERIC, 40)}`,
    AUTODEV_FORGE_PASSWORD: random.from(ALPHANUMERIC, 20),
    // Not credential-looking, yet nothing an OPA or a package client reads: the allow-list keeps it out.
    AUTODEV_UNRELATED_SETTING: random.from(ALPHANUMERIC, 12),
  };
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'autodev-host-tool-env-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('policy check: the OPA it starts cannot read them (opa.runtime().env)', async () => {
    // The policy denies every input with the names of the variables its OPA process was given.
    const policy = join(dir, 'env-probe.rego');
    await writeFile(
      policy,
      'package autodev.envprobe\n\ndefault allow := false\n\n' +
        'deny contains concat(",", {name | some name, _ in opa.runtime().env})\n',
    );
    const { code, stdout, stderr } = await runCli(['policy', 'check', policy, '--json'], {
      AUTODEV_DATA_DIR: dir,
      ...planted,
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { decisions: { policy: { deny: { message: string }[] } }[] };
    const names = (result.decisions[0]?.policy.deny[0]?.message ?? '').split(',');
    // The probe works: OPA reports the variables it does get.
    expect(names).toEqual(expect.arrayContaining(['PATH', 'HOME']));
    for (const name of Object.keys(planted)) expect(names).not.toContain(name);
    expect(stdout).not.toContain(secretValue);
  });

  it("registry discovery: a package client sees its own configuration, not the server's secrets", async () => {
    // A stand-in npm on PATH that answers `npm config get registry` with the names it was given.
    const bin = join(dir, 'bin');
    await mkdir(bin);
    const npm = join(bin, 'npm');
    await writeFile(npm, '#!/bin/sh\nenv | cut -d= -f1 | sort | tr "\\n" ","\n');
    await chmod(npm, 0o755);
    const answer = await hostNpmRegistry({
      PATH: `${bin}:/usr/bin:/bin`,
      HOME: dir,
      npm_config_registry: 'http://127.0.0.1:1/',
      'npm_config_//127.0.0.1:1/:_authToken': secretValue,
      ...planted,
    });
    const names = (answer ?? '').split(',');
    expect(names).toEqual(
      expect.arrayContaining(['PATH', 'HOME', 'npm_config_registry', 'COREPACK_ENABLE_NETWORK']),
    );
    for (const name of [...Object.keys(planted), 'npm_config_//127.0.0.1:1/:_authToken']) {
      expect(names).not.toContain(name);
    }
  });
});
