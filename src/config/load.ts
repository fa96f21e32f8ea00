import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { z } from 'zod';
import { AutodevError } from '../errors.js';
import { ENGINE_KINDS, engineConfigSchema } from './engine-schema.js';
import { configFileSchema, type AutodevConfig, type AutodevSettings } from './schema.js';
import { redactStoreUrl, storeUrlPassword } from './store-schema.js';

export type Environment = Readonly<Record<string, string | undefined>>;

export interface LoadConfigOptions {
  /** Path of a TOML file; absent means embedded defaults. */
  file?: string;
  env: Environment;
  /** Base for a relative data_dir; the process's working directory by default. */
  cwd?: string;
}

/** Reads the file, applies the seed's environment overrides, validates, and names the key on any error. */
export function loadConfig(options: LoadConfigOptions): AutodevConfig {
  const raw = options.file ? readTomlFile(options.file) : {};
  const withEnv = applyEnvOverrides(raw, options.env);
  const parsed = configFileSchema.safeParse(withEnv);
  if (!parsed.success) throw configError(parsed.error, withEnv, options.file);
  const settings = parsed.data.autodev;
  const env = options.env;
  return {
    ...settings,
    dataDir: resolve(options.cwd ?? process.cwd(), settings.data_dir),
    secrets: {
      llmApiKey: nonEmpty(env[settings.llm.api_key_env]),
      forgeToken: nonEmpty(env[forgeTokenEnv(settings)]),
      webhookSecret: nonEmpty(env[settings.git.webhook_secret_env]),
      apiTokens: splitList(env.AUTODEV_API_TOKENS),
      storePassword: storeUrlPassword(settings.store.url),
      users: settings.auth.users.map((user) => ({
        name: user.name,
        roles: user.roles,
        token_env: user.token_env,
        token: nonEmpty(env[user.token_env]),
      })),
    },
    source: options.file ?? 'defaults',
  };
}

/** Which `*_token_env` holds the configured forge's token; the local forge reads GitHub's, as before. */
export function forgeTokenEnv(settings: AutodevSettings): string {
  const git = settings.git;
  const byProvider: Record<string, string> = {
    gitlab: git.gitlab_token_env,
    gitea: git.gitea_token_env,
  };
  return byProvider[settings.provider] ?? git.github_token_env;
}

/** The one place that reads the process's environment. */
export function loadConfigFromProcess(file?: string): AutodevConfig {
  return loadConfig({ file, env: process.env });
}

function readTomlFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new AutodevError('CONFIG_INVALID', `cannot read config file ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (error) {
    throw new AutodevError(
      'CONFIG_INVALID',
      `config file ${file} is not valid TOML: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * The seed's overrides: AUTODEV_ENABLED, OPA_URL, AUTODEV_ALLOWED_REPOS; plus AUTODEV_DATA_DIR,
 * AUTODEV_PORT, AUTODEV_SANDBOX, AUTODEV_STORE_URL and the model's AUTODEV_LLM_PROVIDER, AUTODEV_LLM_API_URL,
 * AUTODEV_LLM_MODEL; the engine's AUTODEV_ENGINE and AUTODEV_TEMPORAL_ADDRESS.
 */
function applyEnvOverrides(raw: Record<string, unknown>, env: Environment): Record<string, unknown> {
  const section = isRecord(raw.autodev) ? { ...raw.autodev } : raw.autodev === undefined ? {} : raw.autodev;
  if (!isRecord(section)) return raw;
  if (env.AUTODEV_ENABLED !== undefined)
    section.enabled = parseBooleanEnv('AUTODEV_ENABLED', env.AUTODEV_ENABLED);
  if (env.OPA_URL) section.opa_url = env.OPA_URL;
  if (env.AUTODEV_ALLOWED_REPOS !== undefined) section.allowlist_repos = splitList(env.AUTODEV_ALLOWED_REPOS);
  if (env.AUTODEV_DATA_DIR) section.data_dir = env.AUTODEV_DATA_DIR;
  if (env.AUTODEV_PORT) section.port = parseIntegerEnv('AUTODEV_PORT', env.AUTODEV_PORT);
  if (env.AUTODEV_SANDBOX) section.sandbox = env.AUTODEV_SANDBOX;
  if (env.AUTODEV_STORE_URL !== undefined) {
    const store = section.store;
    // A non-table [autodev.store] is left for the schema to name.
    if (store === undefined || isRecord(store)) section.store = { ...store, url: env.AUTODEV_STORE_URL };
  }
  const llm = applyLlmEnvOverrides(section.llm, env);
  if (llm !== undefined) section.llm = llm;
  const engine = applyEngineEnvOverrides(section.engine, env);
  if (engine !== undefined) section.engine = engine;
  return { ...raw, autodev: section };
}

/**
 * AUTODEV_ENGINE and AUTODEV_TEMPORAL_ADDRESS: the same values as `[autodev.engine] kind` and `address`.
 * Checked here, so an error names the variable rather than the key.
 */
function applyEngineEnvOverrides(rawEngine: unknown, env: Environment): unknown {
  const kind = env.AUTODEV_ENGINE;
  const address = env.AUTODEV_TEMPORAL_ADDRESS;
  if (kind === undefined && address === undefined) return undefined;
  if (rawEngine !== undefined && !isRecord(rawEngine)) return rawEngine; // the schema names the bad table
  const engine: Record<string, unknown> = { ...rawEngine };
  if (kind !== undefined) engine.kind = parseChoiceEnv('AUTODEV_ENGINE', kind, ENGINE_KINDS);
  if (address !== undefined) {
    const parsed = engineConfigSchema.shape.address.safeParse(address.trim());
    if (!parsed.success) {
      throw new AutodevError(
        'CONFIG_INVALID',
        `AUTODEV_TEMPORAL_ADDRESS=${JSON.stringify(address)}: expected host:port of the Temporal frontend, such as 127.0.0.1:7233`,
      );
    }
    engine.address = parsed.data;
  }
  return engine;
}

const ENV_LLM_PROVIDERS = ['openai', 'anthropic'] as const;

/**
 * AUTODEV_LLM_PROVIDER, AUTODEV_LLM_API_URL and AUTODEV_LLM_MODEL: any OpenAI- or Anthropic-compatible
 * endpoint without a config file. Checked here, so an error names the variable rather than the key.
 */
function applyLlmEnvOverrides(rawLlm: unknown, env: Environment): unknown {
  const provider = env.AUTODEV_LLM_PROVIDER;
  const apiUrl = env.AUTODEV_LLM_API_URL;
  const model = env.AUTODEV_LLM_MODEL;
  if (provider === undefined && apiUrl === undefined && model === undefined) return undefined;
  if (rawLlm !== undefined && !isRecord(rawLlm)) return rawLlm; // the schema names the bad table
  const llm: Record<string, unknown> = { ...rawLlm };
  if (provider !== undefined)
    llm.provider = parseChoiceEnv('AUTODEV_LLM_PROVIDER', provider, ENV_LLM_PROVIDERS);
  if (apiUrl !== undefined) llm.api_url = parseHttpUrlEnv('AUTODEV_LLM_API_URL', apiUrl);
  if (model !== undefined) {
    const value = model.trim();
    if (value === '' || value.length > 200 || /\s/.test(value)) {
      throw new AutodevError(
        'CONFIG_INVALID',
        `AUTODEV_LLM_MODEL=${JSON.stringify(model)}: expected a model id such as gpt-4o (no spaces, at most 200 characters)`,
      );
    }
    llm.model = value;
  }
  return llm;
}

/** One of `choices`, case and surrounding space ignored; the error names the variable and the choices. */
function parseChoiceEnv(name: string, value: string, choices: readonly string[]): string {
  const choice = value.trim().toLowerCase();
  if (!choices.includes(choice)) {
    throw new AutodevError(
      'CONFIG_INVALID',
      `${name}=${JSON.stringify(value)}: expected one of ${choices.join(', ')}`,
    );
  }
  return choice;
}

function parseHttpUrlEnv(name: string, value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value.trim());
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new AutodevError(
      'CONFIG_INVALID',
      `${name}=${JSON.stringify(value)}: expected an http(s) URL such as https://api.openai.com/v1/chat/completions`,
    );
  }
  return value.trim();
}

function parseBooleanEnv(name: string, value: string): boolean {
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new AutodevError('CONFIG_INVALID', `${name}=${JSON.stringify(value)}: expected true or false`);
}

function parseIntegerEnv(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n))
    throw new AutodevError('CONFIG_INVALID', `${name}=${JSON.stringify(value)}: expected an integer`);
  return n;
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.length > 0 ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function configError(error: z.ZodError, input: unknown, file: string | undefined): AutodevError {
  const problems = error.issues.map((issue) => {
    const key = issue.path.map(String).join('.') || '(root)';
    if (issue.code === 'unrecognized_keys') return `${key}: unknown key(s) ${issue.keys.join(', ')}`;
    const value = shownValue(key, valueAt(input, issue.path));
    const shown = value === undefined ? '' : ` = ${JSON.stringify(value)}`;
    return `${key}${shown}: ${issue.message}`;
  });
  const where = file ? ` in ${file}` : '';
  return new AutodevError('CONFIG_INVALID', `invalid configuration${where}: ${problems.join('; ')}`, {
    details: problems,
  });
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const segment of path) {
    if (!isRecord(current) && !Array.isArray(current)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** A value as an error may show it: a store URL without its password. */
function shownValue(key: string, value: unknown): unknown {
  if (key === 'autodev.store.url' && typeof value === 'string') return redactStoreUrl(value);
  return value;
}
