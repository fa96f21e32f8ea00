import { z } from 'zod';
import { engineConfigSchema } from './engine-schema.js';
import { allowEntryProblem } from '../network/allow-list.js';
import { DEFAULT_SANDBOX_UID, SANDBOX_IDS } from '../sandbox/types.js';
import { storeConfigSchema } from './store-schema.js';
import { scheduledRepoSchema } from '../updates/schedule.js';
import { updateSettingsSchema } from '../updates/settings.js';

export const RISK_TIERS = ['low', 'medium', 'high'] as const;
export type RiskTier = (typeof RISK_TIERS)[number];

/** The forges, the keys of src/forges/index.ts FORGES. */
export const FORGE_IDS = ['local', 'github', 'gitlab', 'gitea'] as const;
export const LLM_PROVIDER_IDS = ['openai', 'anthropic', 'replay'] as const;

const envVarName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name such as OPENAI_API_KEY');

const perMTok = z.number().min(0).max(10_000);

/** A model's price in USD per million tokens; overrides the list price table (llm/prices.ts). */
export const modelPriceSchema = z
  .object({
    input_per_mtok: perMTok,
    /** Input read from the prompt cache; the input price when absent. */
    cached_input_per_mtok: perMTok.optional(),
    output_per_mtok: perMTok,
    context_tokens: z.number().int().min(1024).max(100_000_000).optional(),
  })
  .strict();

export const llmConfigSchema = z
  .object({
    provider: z.enum(LLM_PROVIDER_IDS).default('openai'),
    model: z.string().min(1).default('gpt-4'),
    api_key_env: envVarName.default('OPENAI_API_KEY'),
    api_url: z.url().default('https://api.openai.com/v1/chat/completions'),
    max_tokens: z.number().int().positive().default(4096),
    temperature: z.number().min(0).max(2).default(0.2),
    /** One model call may take this long before it is aborted and retried. */
    timeout_secs: z.number().int().positive().default(300),
    /** Offer the model tools (read, search, edit); without them it answers with a diff in its text. */
    tool_calling: z.boolean().default(true),
    /** Model calls one codegen step may make. */
    max_turns: z.number().int().min(1).max(200).default(20),
    /**
     * Replies in a row that decline the task ("I cannot...") with no edit and no tool call before the
     * task ends with MODEL_DECLINED, rather than asking again until max_turns are spent.
     */
    max_declines: z.number().int().min(1).max(200).default(2),
    /**
     * Replies in a row with no tool call and no edit (prose only) before the task ends with
     * MODEL_NO_PROGRESS quoting the last one, rather than asking again until max_turns are spent.
     */
    max_idle_turns: z.number().int().min(1).max(200).default(3),
    /**
     * Ask the model for a plan (steps with files and checks) before coding. Unset: on when the model's
     * key is configured. Off: the default plan from the phase table.
     */
    planning: z.boolean().optional(),
    /** Largest reply (text and tool arguments) read from one model call; the stream is cut past it. */
    max_reply_bytes: z
      .number()
      .int()
      .min(1024)
      .max(256 * 1024 * 1024)
      .default(4 * 1024 * 1024),
    /**
     * Estimated tokens of the repository map (files and symbols ranked for the task, see
     * src/repomap/) in the coding model's first message; 0 leaves it out.
     */
    repo_map_tokens: z.number().int().min(0).max(65_536).default(1024),
    /** `[autodev.llm.prices."<model id>"]`: prices (and context size) of models, over the list prices. */
    prices: z.record(z.string().min(1), modelPriceSchema).default({}),
    /** Tokens the conversation may fill; the model's context size from the price table when absent. */
    context_tokens: z.number().int().min(1024).max(100_000_000).optional(),
    /** Most tokens (input, cached included, plus output) one task's model calls may use. */
    max_task_tokens: z.number().int().positive().optional(),
    /** Most list-price dollars one task's model calls may cost. */
    max_task_usd: z.number().positive().optional(),
    /** With provider = "replay": the task whose recorded replies are served (`autodev task replay` sets it). */
    replay_task: z.string().min(1).max(64).optional(),
  })
  .strict()
  .refine((llm) => llm.provider !== 'replay' || llm.replay_task !== undefined, {
    message: 'provider = "replay" needs replay_task: the id of the task whose recorded replies are served',
    path: ['replay_task'],
  });

export const MERGE_METHODS = ['merge', 'squash', 'rebase'] as const;

export const gitConfigSchema = z
  .object({
    github_token_env: envVarName.default('GITHUB_TOKEN'),
    gitlab_token_env: envVarName.default('GITLAB_TOKEN'),
    gitea_token_env: envVarName.default('GITEA_TOKEN'),
    /**
     * The forge's REST API base (GitHub Enterprise `https://ghe.example.com/api/v3`, a self-managed
     * GitLab `https://gitlab.example.com`, a Gitea `https://gitea.example.com`); absent: derived from
     * the repo's host (github.com → https://api.github.com).
     */
    api_url: z.url().optional(),
    /** How a pull request is merged on forges that offer a choice. */
    merge_method: z.enum(MERGE_METHODS).default('merge'),
    /** Environment variable holding the secret webhooks are signed with (or carry, for GitLab). */
    webhook_secret_env: envVarName.default('AUTODEV_WEBHOOK_SECRET'),
    /**
     * Forge logins whose reviews count: their approvals merge, their change requests and line comments
     * start review rounds. Others' acts are recorded and ignored. Empty (the default): nobody on a
     * hosted forge, where anyone able to comment on a public repo would otherwise steer the model and
     * spend its budget; everybody on the local forge, whose reviews come only through autodev's own
     * authenticated API. `"*"` allows everybody.
     */
    reviewers: z
      .array(
        z
          .string()
          .min(1)
          .max(200)
          .regex(/^[^\s]+$/, 'expected a forge login without spaces, or "*"'),
      )
      .max(1000)
      .default([]),
    git_author_name: z.string().min(1).default('AutoDev Bot'),
    git_author_email: z.string().min(3).default('autodev@localhost'),
  })
  .strict();

/** What a named API user may do (README "Identities and roles"); admin may do everything. */
export const AUTH_ROLES = ['reviewer', 'approver', 'admin'] as const;
export type AuthRole = (typeof AUTH_ROLES)[number];

/** `[[autodev.auth.users]]`: a person whose bearer token identifies them; their acts carry their name. */
export const authUserSchema = z
  .object({
    /** The name every approval, override and review comment of this user is recorded under. */
    name: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a user name of letters, digits, ".", "_" or "-"'),
    /** The environment variable holding this user's bearer token (never the token itself). */
    token_env: envVarName,
    roles: z
      .array(z.enum(AUTH_ROLES, { error: `expected one of ${AUTH_ROLES.join(', ')}` }))
      .min(1, `expected at least one role of ${AUTH_ROLES.join(', ')}`),
  })
  .strict();

export const authConfigSchema = z
  .object({
    users: z
      .array(authUserSchema)
      .max(1000)
      .default([])
      .superRefine((users, ctx) => {
        const seen = new Map<string, number>();
        users.forEach((user, index) => {
          const key = user.name.toLowerCase();
          const first = seen.get(key);
          if (first !== undefined) {
            ctx.addIssue({
              code: 'custom',
              path: [index, 'name'],
              message: `duplicate user name: users[${first}] is ${user.name} already (one identity counts once)`,
            });
          }
          seen.set(key, index);
        });
      }),
  })
  .strict();

export const TRIGGER_PERMISSIONS = ['read', 'write', 'admin'] as const;
export type TriggerPermission = (typeof TRIGGER_PERMISSIONS)[number];

const forgeLogin = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\s]+$/, 'expected a forge login without spaces');

/** `[autodev.triggers]`: issues and comments on the forge that become tasks (src/triggers/). */
export const triggersConfigSchema = z
  .object({
    /** Off: issues and comments are never read as triggers. */
    enabled: z.boolean().default(true),
    /** An issue carrying this label becomes a task. */
    label: z
      .string()
      .min(1)
      .max(50)
      .regex(/^[^\s,]+$/, 'expected a label without spaces or commas, such as autodev')
      .default('autodev'),
    /** A comment starting with this word (`/autodev <instruction>`, `/autodev cancel`) is a command. */
    command: z
      .string()
      .min(2)
      .max(50)
      .regex(/^\/[A-Za-z0-9_-]+$/, 'expected a slash command such as /autodev')
      .default('/autodev'),
    /** The forge account autodev acts as: an issue assigned to it becomes a task. */
    bot_account: forgeLogin.optional(),
    /**
     * Forge logins who may trigger. Empty (the default): whoever has min_permission on the repository,
     * as the forge answers it; on the local forge, every author.
     */
    allowed_users: z.array(forgeLogin).max(1000).default([]),
    /** The least permission on the repository (read from the forge) a trigger's author needs. */
    min_permission: z.enum(TRIGGER_PERMISSIONS).default('write'),
    /** Unfinished tasks one repository may have from triggers; one more is answered, not started. */
    max_open_tasks: z.number().int().min(1).max(1000).default(5),
    /**
     * Seconds between polls of the forge for new triggers on `poll_repos` (`/autodev` comments; on
     * GitLab labelled and assigned issues too), for forges whose webhooks cannot reach autodev; 0 (the
     * default) turns polling off (webhooks only).
     */
    poll_secs: z.number().int().min(0).max(86_400).default(0),
    /** The repositories (clone URLs) polled for triggers when poll_secs is set. */
    poll_repos: z.array(z.string().min(1).max(2000)).max(200).default([]),
  })
  .strict();

export const autodevConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** The forge that receives branches and pull requests. */
    provider: z.enum(FORGE_IDS).default('local'),
    max_parallel_tasks: z.number().int().min(1).max(256).default(4),
    max_step_retries: z.number().int().min(0).max(10).default(2),
    default_risk_tier: z.enum(RISK_TIERS).default('low'),
    /** Approvals (by distinct reviewers) a high-risk pull request needs before it may merge; medium needs 1. */
    high_risk_approvals: z.number().int().min(1).max(20).default(2),
    /** Review rounds (answers to change requests) one pull request may get; past it, a human takes over. */
    max_review_rounds: z.number().int().min(0).max(50).default(3),
    /**
     * When a task merges, the other pull requests waiting for review on the same base are brought up
     * to date with it (rebase, tests, checks, policy), so an approval can merge them at once.
     */
    update_waiting_prs: z.boolean().default(true),
    /**
     * Seconds between polls of the forge for reviews of pull requests awaiting review, for hosts the
     * forge's webhooks cannot reach; 0 turns polling off (webhooks only).
     */
    review_poll_secs: z.number().int().min(0).max(86_400).default(60),
    sandbox: z.enum(SANDBOX_IDS).default('bubblewrap'),
    /** Image for the docker sandbox (the docker sandbox's own default when absent); unused by the others. */
    sandbox_image: z.string().min(1).optional(),
    /**
     * When autodev runs as root, the uid (and gid) bubblewrap runs commands as: never root, so process
     * limits bind and root-only files stay unreadable. No account needs to exist for it.
     */
    sandbox_uid: z.number().int().min(1).max(4_294_967_294).default(DEFAULT_SANDBOX_UID),
    runner_timeout_secs: z.number().int().positive().default(1200),
    /**
     * Measured rounds of a repo's `[bench]` command: base and head run alternately (A B A B ...) this
     * many times each after one warm-up pair that is discarded (src/perf/).
     */
    bench_rounds: z.number().int().min(3).max(50).default(5),
    /** A benchmark significantly slower than its base by more than this percentage is PERF_REGRESSION. */
    max_regression_pct: z.number().gt(0).max(1000).default(10),
    /** Whole-task deadline; a task still running then ends failed with TASK_TIMEOUT. */
    task_timeout_secs: z.number().int().positive().default(7200),
    /** Whether the setup phase (dependency install) may use the network. Build and test never do. */
    setup_network: z.boolean().default(false),
    /**
     * Hosts (`host`, or `host:port`) setup with network may reach besides the registries the host's
     * package clients are configured for; loopback, private and link-local addresses stay refused.
     */
    setup_network_allow: z
      .array(
        z.string().superRefine((entry, ctx) => {
          const problem = allowEntryProblem(entry);
          if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
        }),
      )
      .max(256)
      .default([]),
    opa_url: z.url().optional(),
    /** The Rego package OPA is asked about: `autodev/merge` (or `autodev.merge`) for `package autodev.merge`. */
    policy_package: z
      .string()
      .regex(
        /^[A-Za-z_][A-Za-z0-9_]*([./][A-Za-z_][A-Za-z0-9_]*)*$/,
        'expected a Rego package path such as autodev/merge',
      )
      .default('autodev/merge'),
    /** How long one OPA decision may take before the local rules decide instead (marked fallback). */
    opa_timeout_ms: z.number().int().min(10).max(60_000).default(2000),
    /**
     * Globs over normalized repo names (host/owner/name, or an absolute path for local repos). Empty
     * (the default): autodev acts on no repository until one is listed, so a first start cannot merge
     * into a repository nobody chose.
     */
    allowlist_repos: z.array(z.string().min(1)).default([]),
    data_dir: z.string().min(1).default('./.autodev'),
    /** Where tasks, steps, events and logs live: SQLite under data_dir, or PostgreSQL with `url`. */
    store: storeConfigSchema.default(storeConfigSchema.parse({})),
    host: z.string().min(1).default('127.0.0.1'),
    /**
     * Where users reach this autodev (`https://autodev.example.com`): pull requests link back to their
     * task under it. Absent: the link is the API path alone.
     */
    public_url: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
    port: z.number().int().min(0).max(65535).default(8080),
    /** Hours a failed task's workspace is kept for debugging before it is removed. */
    keep_failed_workspaces_hours: z.number().min(0).default(24),
    /** Requests per minute per API token (or client address without auth); 0 turns the limit off. */
    rate_limit_per_minute: z.number().int().min(0).default(1200),
    /**
     * Most event streams (`GET /tasks/:id/events?stream=true`) held open at once; one more is answered
     * 503 EVENT_STREAMS_FULL. Each stream holds a socket and a subscription until its task ends.
     */
    max_event_streams: z.number().int().min(1).max(100_000).default(256),
    /** Most event streams one client address holds at once; one more is answered 429 TOO_MANY_EVENT_STREAMS. */
    max_event_streams_per_client: z.number().int().min(1).max(100_000).default(32),
    /** Largest request body the API reads. */
    max_body_bytes: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024),
    /** Largest change (its unified diff against the base) a task may commit. */
    max_diff_bytes: z
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024 * 1024)
      .default(4 * 1024 * 1024),
    /** Most files one change may touch. */
    max_files_changed: z.number().int().min(1).max(100_000).default(500),
    log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    llm: llmConfigSchema.default(llmConfigSchema.parse({})),
    git: gitConfigSchema.default(gitConfigSchema.parse({})),
    auth: authConfigSchema.default(authConfigSchema.parse({})),
    triggers: triggersConfigSchema.default(triggersConfigSchema.parse({})),
    /** Defaults of dependency updates for every repository; a repository's `[updates]` overrides each key. */
    updates: updateSettingsSchema
      .extend({
        /** `[[autodev.updates.repos]]`: repositories scanned on a cron schedule (UTC), persisted across restarts. */
        repos: z.array(scheduledRepoSchema).max(500).default([]),
      })
      .default({ repos: [] }),
    engine: engineConfigSchema.default(engineConfigSchema.parse({})),
  })
  .strict();

export const configFileSchema = z
  .object({
    autodev: autodevConfigSchema.default(autodevConfigSchema.parse({})),
  })
  .strict();

export type AutodevSettings = z.infer<typeof autodevConfigSchema>;
export type LlmSettings = z.infer<typeof llmConfigSchema>;
export type GitSettings = z.infer<typeof gitConfigSchema>;
export type TriggerSettings = z.infer<typeof triggersConfigSchema>;

/** Values read from the environment that must never be logged, stored or sent anywhere but their service. */
export interface Secrets {
  llmApiKey?: string;
  /** The token of the configured forge (`[autodev.git] <provider>_token_env`). */
  forgeToken?: string;
  webhookSecret?: string;
  /** AUTODEV_API_TOKENS: service tokens, with no identity of their own (see api/identity.ts). */
  apiTokens: string[];
  /** The password in `[autodev.store] url`, so the redactor removes it from every log and record. */
  storePassword?: string;
  /** `[[autodev.auth.users]]` with their tokens read from `token_env` (absent when the variable is unset). */
  users: { name: string; roles: AuthRole[]; token_env: string; token?: string }[];
}

export interface AutodevConfig extends AutodevSettings {
  /** Absolute form of data_dir. */
  dataDir: string;
  secrets: Secrets;
  /** Where each value came from, for the start-up log: file path or "defaults". */
  source: string;
}
