import { describe, expect, it } from 'vitest';
import { isAutodevError } from '../errors.js';
import { buildSandboxEnv, withoutNodeModulesBins } from './env.js';

const hostEnv = {
  PATH: '/root/.cargo/bin:/usr/bin',
  HOME: '/root',
  LANG: 'C.UTF-8',
  GITHUB_TOKEN: 'ghp_' + 'A'.repeat(36),
  AWS_SECRET_ACCESS_KEY: 'x',
  NODE_OPTIONS: '--require /srv/hook.js',
  DATABASE_URL: 'postgres://u:p@db/x',
  GOFLAGS: '-mod=mod',
};

describe('buildSandboxEnv', () => {
  it('keeps only the allowlist, with HOME and caches moved to the private home', () => {
    const env = buildSandboxEnv({ hostEnv, home: '/h', inheritToolchains: true, network: false });
    expect(env).toMatchObject({
      PATH: hostEnv.PATH,
      LANG: 'C.UTF-8',
      HOME: '/h',
      GOCACHE: '/h/.cache/go-build',
      GOFLAGS: '-mod=mod',
      CI: 'true',
    });
    for (const name of ['GITHUB_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'NODE_OPTIONS', 'DATABASE_URL']) {
      expect(env).not.toHaveProperty(name);
    }
  });

  it("pins rustup, cargo and pyenv to the host HOME's toolchains when not set", () => {
    const env = buildSandboxEnv({ hostEnv, home: '/h', inheritToolchains: true, network: false });
    expect(env).toMatchObject({
      RUSTUP_HOME: '/root/.rustup',
      CARGO_HOME: '/root/.cargo',
      PYENV_ROOT: '/root/.pyenv',
    });
    const explicit = buildSandboxEnv({
      hostEnv: { ...hostEnv, CARGO_HOME: '/opt/cargo' },
      home: '/h',
      inheritToolchains: true,
      network: false,
    });
    expect(explicit.CARGO_HOME).toBe('/opt/cargo');
  });

  it('passes no host PATH or toolchain homes into a container image, whose own apply', () => {
    const env = buildSandboxEnv({ hostEnv, home: '/h', inheritToolchains: false, network: false });
    expect(env).not.toHaveProperty('PATH');
    expect(env).not.toHaveProperty('CARGO_HOME');
    expect(env).toMatchObject({ HOME: '/h', LANG: 'C.UTF-8', CI: 'true' });
  });

  it('passes CA bundle locations only to a command with network', () => {
    const withCa = { ...hostEnv, NODE_EXTRA_CA_CERTS: '/etc/ssl/ca.pem' };
    const offline = buildSandboxEnv({ hostEnv: withCa, home: '/h', inheritToolchains: true, network: false });
    expect(offline).not.toHaveProperty('NODE_EXTRA_CA_CERTS');
    const online = buildSandboxEnv({ hostEnv: withCa, home: '/h', inheritToolchains: true, network: true });
    expect(online.NODE_EXTRA_CA_CERTS).toBe('/etc/ssl/ca.pem');
  });

  it('merges extras and refuses one whose name looks like a credential, naming it', () => {
    expect(
      buildSandboxEnv({
        hostEnv,
        home: '/h',
        extras: { RUST_LOG: 'debug' },
        inheritToolchains: true,
        network: false,
      }).RUST_LOG,
    ).toBe('debug');
    for (const name of ['NPM_TOKEN', 'MY_API_KEY', 'DB_PASSWORD', 'client_secret']) {
      let caught: unknown;
      try {
        buildSandboxEnv({
          hostEnv,
          home: '/h',
          extras: { [name]: 'v' },
          inheritToolchains: true,
          network: false,
        });
      } catch (error) {
        caught = error;
      }
      expect(isAutodevError(caught, 'VALIDATION_FAILED')).toBe(true);
      expect(String(caught)).toContain(name);
    }
  });
});

describe('withoutNodeModulesBins', () => {
  it("drops the server's node_modules/.bin entries npm put on PATH", () => {
    expect(withoutNodeModulesBins('/srv/autodev/node_modules/.bin:/node_modules/.bin:/usr/bin:/bin')).toBe(
      '/usr/bin:/bin',
    );
  });
});
