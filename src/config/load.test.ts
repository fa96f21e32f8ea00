import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAutodevError } from '../errors.js';
import { loadConfig } from './load.js';

function writeConfig(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'autodev-config-')), 'config.toml');
  writeFileSync(file, text);
  return file;
}

function configErrorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (isAutodevError(error, 'CONFIG_INVALID')) return error.message;
    throw error;
  }
  throw new Error('expected a CONFIG_INVALID error');
}

const SEED_CONFIG = `
[autodev]
enabled = true
provider = "local"
max_parallel_tasks = 4
max_step_retries = 2
default_risk_tier = "low"
sandbox_image = "rust:1.82"
runner_timeout_secs = 1200
opa_url = "http://localhost:8181"
policy_package = "autodev/merge"
allowlist_repos = ["github.com/yourorg/*"]

[autodev.llm]
provider = "openai"
model = "gpt-4"
api_key_env = "OPENAI_API_KEY"
api_url = "https://api.openai.com/v1/chat/completions"
max_tokens = 4096
temperature = 0.2

[autodev.git]
github_token_env = "GITHUB_TOKEN"
git_author_name = "AutoDev Bot"
git_author_email = "autodev@yourorg.com"
`;

describe('loadConfig', () => {
  it('runs on embedded defaults with no file', () => {
    const config = loadConfig({ env: {}, cwd: '/srv' });
    expect(config.enabled).toBe(true);
    expect(config.provider).toBe('local');
    expect(config.sandbox).toBe('bubblewrap');
    expect(config.dataDir).toBe('/srv/.autodev');
    expect(config.llm.model).toBe('gpt-4');
    expect(config.secrets.llmApiKey).toBeUndefined();
    // Safe default: no repository is acted on until one is listed.
    expect(config.allowlist_repos).toEqual([]);
  });

  it("reads every key of the seed's config.toml", () => {
    const config = loadConfig({
      file: writeConfig(SEED_CONFIG),
      env: { OPENAI_API_KEY: 'sk-test-key-123456' },
    });
    expect(config.max_parallel_tasks).toBe(4);
    expect(config.opa_url).toBe('http://localhost:8181');
    expect(config.allowlist_repos).toEqual(['github.com/yourorg/*']);
    expect(config.llm.temperature).toBe(0.2);
    expect(config.git.git_author_email).toBe('autodev@yourorg.com');
    expect(config.secrets.llmApiKey).toBe('sk-test-key-123456');
  });

  it('applies the environment overrides of the seed', () => {
    const config = loadConfig({
      file: writeConfig(SEED_CONFIG),
      env: {
        AUTODEV_ENABLED: 'false',
        OPA_URL: 'http://opa:8181',
        AUTODEV_ALLOWED_REPOS: 'a/*, b/c',
        AUTODEV_API_TOKENS: 't1,t2',
      },
    });
    expect(config.enabled).toBe(false);
    expect(config.opa_url).toBe('http://opa:8181');
    expect(config.allowlist_repos).toEqual(['a/*', 'b/c']);
    expect(config.secrets.apiTokens).toEqual(['t1', 't2']);
  });

  it('names the key, the value and what is expected for a wrong value', () => {
    const message = configErrorOf(() =>
      loadConfig({ file: writeConfig('[autodev]\nmax_parallel_tasks = "four"\n'), env: {} }),
    );
    expect(message).toContain('autodev.max_parallel_tasks');
    expect(message).toContain('"four"');
    expect(message).toMatch(/expected number/);
  });

  it('reads setup_network_allow and names an entry that is no host or host:port', () => {
    const config = loadConfig({
      file: writeConfig('[autodev]\nsetup_network_allow = ["mirror.example.org", "[2001:db8::1]:8443"]\n'),
      env: {},
    });
    expect(config.setup_network_allow).toEqual(['mirror.example.org', '[2001:db8::1]:8443']);
    for (const bad of ['https://mirror.example.org/simple', 'mirror.example.org:99999', 'a b', '']) {
      const message = configErrorOf(() =>
        loadConfig({ file: writeConfig(`[autodev]\nsetup_network_allow = ["${bad}"]\n`), env: {} }),
      );
      expect(message).toContain('autodev.setup_network_allow');
      expect(message).toContain(`"${bad}"`);
      expect(message).toContain('host:port');
    }
  });

  it('names an unknown key', () => {
    const message = configErrorOf(() =>
      loadConfig({ file: writeConfig('[autodev.llm]\nmodle = "x"\n'), env: {} }),
    );
    expect(message).toContain('autodev.llm');
    expect(message).toContain('modle');
  });

  it('reads [autodev.triggers] and names a bad key and value', () => {
    const config = loadConfig({
      file: writeConfig(
        '[autodev.triggers]\nlabel = "bot"\nallowed_users = ["alice"]\nmin_permission = "admin"\nmax_open_tasks = 2\npoll_secs = 30\npoll_repos = ["https://gitea.example/team/app.git"]\n',
      ),
      env: {},
    });
    expect(config.triggers).toMatchObject({
      enabled: true,
      label: 'bot',
      command: '/autodev',
      allowed_users: ['alice'],
      min_permission: 'admin',
      max_open_tasks: 2,
      poll_secs: 30,
      poll_repos: ['https://gitea.example/team/app.git'],
    });
    // Polling is off unless asked for: webhooks are the default way in.
    expect(loadConfig({ file: writeConfig(''), env: {} }).triggers.poll_secs).toBe(0);
    const bads: [string, string][] = [
      ['min_permission = "owner"', 'autodev.triggers.min_permission'],
      ['max_open_tasks = 0', 'autodev.triggers.max_open_tasks'],
      ['command = "autodev"', 'autodev.triggers.command'],
      ['allowed_users = ["two words"]', 'autodev.triggers.allowed_users'],
      ['poll_secs = -1', 'autodev.triggers.poll_secs'],
    ];
    for (const [line, key] of bads) {
      const message = configErrorOf(() =>
        loadConfig({ file: writeConfig(`[autodev.triggers]\n${line}\n`), env: {} }),
      );
      expect(message).toContain(key);
    }
  });

  it('names a wrong enum value and lists the accepted ones', () => {
    const message = configErrorOf(() =>
      loadConfig({ file: writeConfig('[autodev]\nsandbox = "chroot"\n'), env: {} }),
    );
    expect(message).toContain('autodev.sandbox');
    expect(message).toContain('bubblewrap');
  });

  it('takes the model from AUTODEV_LLM_PROVIDER, AUTODEV_LLM_API_URL and AUTODEV_LLM_MODEL over the file', () => {
    const config = loadConfig({
      file: writeConfig(SEED_CONFIG),
      env: {
        AUTODEV_LLM_PROVIDER: 'anthropic',
        AUTODEV_LLM_API_URL: 'http://127.0.0.1:4000/v1/messages',
        AUTODEV_LLM_MODEL: 'claude-sonnet-4-5',
      },
    });
    expect(config.llm).toMatchObject({
      provider: 'anthropic',
      api_url: 'http://127.0.0.1:4000/v1/messages',
      model: 'claude-sonnet-4-5',
      // The rest of the file's table stays.
      api_key_env: 'OPENAI_API_KEY',
      temperature: 0.2,
    });
    const bare = loadConfig({ env: { AUTODEV_LLM_MODEL: 'qwen2.5-coder' } });
    expect(bare.llm).toMatchObject({ provider: 'openai', model: 'qwen2.5-coder' });
  });

  it.each([
    ['AUTODEV_LLM_PROVIDER', 'replay', 'expected one of openai, anthropic'],
    ['AUTODEV_LLM_PROVIDER', 'gemini', 'expected one of openai, anthropic'],
    ['AUTODEV_LLM_API_URL', 'localhost:4000', 'expected an http(s) URL'],
    ['AUTODEV_LLM_API_URL', 'file:///etc/passwd', 'expected an http(s) URL'],
    ['AUTODEV_LLM_MODEL', '', 'expected a model id'],
    ['AUTODEV_LLM_MODEL', 'gpt 4', 'expected a model id'],
  ])('refuses %s=%j naming the variable', (name, value, expected) => {
    const message = configErrorOf(() => loadConfig({ env: { [name]: value } }));
    expect(message).toContain(`${name}=${JSON.stringify(value)}`);
    expect(message).toContain(expected);
  });

  it('reads [autodev.engine], embedded by default, and AUTODEV_ENGINE / AUTODEV_TEMPORAL_ADDRESS over it', () => {
    expect(loadConfig({ env: {} }).engine).toEqual({
      kind: 'embedded',
      address: '127.0.0.1:7233',
      namespace: 'default',
      task_queue: 'autodev',
    });
    const file = writeConfig(
      '[autodev.engine]\nkind = "temporal"\naddress = "temporal.internal:7233"\nnamespace = "prod"\ntask_queue = "autodev-prod"\n',
    );
    expect(loadConfig({ file, env: {} }).engine).toEqual({
      kind: 'temporal',
      address: 'temporal.internal:7233',
      namespace: 'prod',
      task_queue: 'autodev-prod',
    });
    const overridden = loadConfig({
      file,
      env: { AUTODEV_ENGINE: 'embedded', AUTODEV_TEMPORAL_ADDRESS: '10.0.0.5:7233' },
    });
    expect(overridden.engine).toMatchObject({
      kind: 'embedded',
      address: '10.0.0.5:7233',
      namespace: 'prod',
    });
  });

  it.each([
    ['kind = "celery"', 'autodev.engine.kind', 'expected one of embedded, temporal'],
    ['address = "http://temporal:7233"', 'autodev.engine.address', 'expected host:port'],
    ['task_queue = "a queue"', 'autodev.engine.task_queue', 'expected a name'],
    ['workers = 3', 'workers', 'autodev.engine'],
  ])('refuses [autodev.engine] %s naming the key', (line, key, expected) => {
    const message = configErrorOf(() =>
      loadConfig({ file: writeConfig(`[autodev.engine]\n${line}\n`), env: {} }),
    );
    expect(message).toContain(key);
    expect(message).toContain(expected);
  });

  it.each([
    ['AUTODEV_ENGINE', 'celery', 'expected one of embedded, temporal'],
    ['AUTODEV_TEMPORAL_ADDRESS', 'temporal', 'expected host:port'],
  ])('refuses %s=%j naming the variable', (name, value, expected) => {
    const message = configErrorOf(() => loadConfig({ env: { [name]: value } }));
    expect(message).toContain(`${name}=${JSON.stringify(value)}`);
    expect(message).toContain(expected);
  });

  it('refuses a bad AUTODEV_ENABLED value naming the variable', () => {
    const message = configErrorOf(() => loadConfig({ env: { AUTODEV_ENABLED: 'maybe' } }));
    expect(message).toContain('AUTODEV_ENABLED');
  });

  it('reports TOML syntax errors with the file', () => {
    const file = writeConfig('[autodev\nenabled = true');
    expect(configErrorOf(() => loadConfig({ file, env: {} }))).toContain(file);
  });

  it('reads [[autodev.auth.users]] with their tokens from token_env, never from the file', () => {
    const file = writeConfig(
      '[[autodev.auth.users]]\nname = "alice"\ntoken_env = "ALICE_TOKEN"\nroles = ["approver"]\n' +
        '[[autodev.auth.users]]\nname = "bob"\ntoken_env = "BOB_TOKEN"\nroles = ["reviewer", "admin"]\n',
    );
    const config = loadConfig({ file, env: { ALICE_TOKEN: 'tok-alice' } });
    expect(config.secrets.users).toEqual([
      { name: 'alice', roles: ['approver'], token_env: 'ALICE_TOKEN', token: 'tok-alice' },
      { name: 'bob', roles: ['reviewer', 'admin'], token_env: 'BOB_TOKEN', token: undefined },
    ]);
  });

  it.each([
    ['an unknown role', 'roles = ["owner"]', 'autodev.auth.users.0.roles.0', 'reviewer, approver, admin'],
    ['no role', 'roles = []', 'autodev.auth.users.0.roles', 'at least one role'],
    ['a token in the file', 'roles = ["admin"]\ntoken = "x"', 'autodev.auth.users.0', 'token'],
    ['a name with a space', 'roles = ["admin"]\nname = "a b"', 'autodev.auth.users.0', 'name'],
  ])('names the key of a bad user entry: %s', (_what, extra, key, expected) => {
    const base = extra.includes('name =') ? '' : 'name = "alice"\n';
    const file = writeConfig(`[[autodev.auth.users]]\n${base}token_env = "ALICE_TOKEN"\n${extra}\n`);
    const message = configErrorOf(() => loadConfig({ file, env: {} }));
    expect(message).toContain(key);
    expect(message).toContain(expected);
  });

  it('refuses two users of one name: one identity counts once', () => {
    const user = (env: string) =>
      `[[autodev.auth.users]]\nname = "alice"\ntoken_env = "${env}"\nroles = ["approver"]\n`;
    const message = configErrorOf(() => loadConfig({ file: writeConfig(user('A') + user('B')), env: {} }));
    expect(message).toContain('autodev.auth.users.1.name');
    expect(message).toContain('duplicate user name');
  });
});
