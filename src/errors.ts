/**
 * Every error autodev raises on purpose carries one of these codes. The API maps
 * a code to an HTTP status, the orchestrator maps it to retry / fail, and tests
 * assert on it: nothing matches on message text.
 */
export const ERROR_CODES = {
  VALIDATION_FAILED: { httpStatus: 400, retryable: false },
  REPO_REFUSED: { httpStatus: 400, retryable: false },
  UNAUTHORIZED: { httpStatus: 401, retryable: false },
  REPO_NOT_ALLOWED: { httpStatus: 403, retryable: false },
  TASK_NOT_FOUND: { httpStatus: 404, retryable: false },
  ROUTE_NOT_FOUND: { httpStatus: 404, retryable: false },
  /** No local forge issue with that id. */
  ISSUE_NOT_FOUND: { httpStatus: 404, retryable: false },
  /** The issues API is the local forge's: with a hosted forge, issues live on the forge. */
  ISSUES_NOT_LOCAL: { httpStatus: 409, retryable: false },
  TASK_NOT_CANCELLABLE: { httpStatus: 409, retryable: false },
  /** Only a merged task has a merge to revert. */
  TASK_NOT_REVERTIBLE: { httpStatus: 409, retryable: false },
  /** Reverting the merge conflicts with what the base branch gained since. */
  REVERT_CONFLICT: { httpStatus: 409, retryable: false },
  /** The task has no pull request (it never reached delivery). */
  PR_NOT_FOUND: { httpStatus: 404, retryable: false },
  /** A review action on a pull request that is merged or closed, or a merge the tier does not allow yet. */
  PR_NOT_MERGEABLE: { httpStatus: 409, retryable: false },
  /** A review act (approve, override) by a user without the role for it, or not in `[autodev.git] reviewers`. */
  REVIEWER_NOT_ALLOWED: { httpStatus: 403, retryable: false },
  /** Approve or override without a named user's token (`[[autodev.auth.users]]`): nobody to count. */
  IDENTITY_REQUIRED: { httpStatus: 403, retryable: false },
  /** A webhook whose signature is missing or wrong, or that arrives while no secret is configured. */
  WEBHOOK_UNVERIFIED: { httpStatus: 401, retryable: false },
  /** A webhook arrived but no secret is configured to verify it with (`[autodev.git] webhook_secret_env`). */
  WEBHOOK_SECRET_MISSING: { httpStatus: 503, retryable: false },
  /** A webhook for a provider other than the configured one. */
  WEBHOOK_PROVIDER_UNKNOWN: { httpStatus: 404, retryable: false },
  /** A review round that could not answer the review (the model, the tests); the PR waits for a human. */
  REVIEW_ROUND_FAILED: { httpStatus: 422, retryable: false },
  /** `[autodev] max_review_rounds` rounds were spent: new comments wait for a human. */
  REVIEW_ROUNDS_EXHAUSTED: { httpStatus: 409, retryable: false },
  /** A pull request waiting for review could not be brought up to date with its moved base (a conflict, tests). */
  PR_UPDATE_FAILED: { httpStatus: 409, retryable: false },
  /** A dependency registry could not be read (down, an error answer, not a package document). */
  UPDATE_REGISTRY_UNREACHABLE: { httpStatus: 502, retryable: true },
  /** A repository names a registry that is not one the machine's package clients are configured for. */
  UPDATE_REGISTRY_REFUSED: { httpStatus: 422, retryable: false },
  /** The manifest's version text could not be changed alone (not found, or more would change). */
  UPDATE_EDIT_FAILED: { httpStatus: 422, retryable: false },
  /** The ecosystem's tool could not regenerate the lockfile, or it resolved other versions than intended. */
  UPDATE_LOCK_FAILED: { httpStatus: 422, retryable: false },
  /** The repository locks this ecosystem with a tool the updater does not drive (poetry.lock, pdm.lock). */
  UPDATE_UNSUPPORTED: { httpStatus: 422, retryable: false },
  /**
   * A multi-repo task's pull request could not merge after the library's (and maybe other consumers')
   * had: the message names the repository and says the merged ones were reverted (their revert pull
   * requests opened and merged), or which could not be.
   */
  MULTI_REPO_MERGE_FAILED: { httpStatus: 422, retryable: false },
  /**
   * A consumer could not be wired to the changed library (multirepo/link): no linker for its
   * ecosystem, the library is not among its dependencies, or a manifest could not be read.
   */
  LINK_FAILED: { httpStatus: 422, retryable: false },
  /** Linking changed a tracked file of a checkout (it must only ever change copies): nothing is pushed. */
  LINK_TOUCHED_CHECKOUT: { httpStatus: 500, retryable: false },
  PAYLOAD_TOO_LARGE: { httpStatus: 413, retryable: false },
  RATE_LIMITED: { httpStatus: 429, retryable: true },
  /** `[autodev] max_event_streams` event streams are open: the server takes no more until one closes. */
  EVENT_STREAMS_FULL: { httpStatus: 503, retryable: true },
  /** This client address holds `[autodev] max_event_streams_per_client` event streams already. */
  TOO_MANY_EVENT_STREAMS: { httpStatus: 429, retryable: true },
  AUTODEV_DISABLED: { httpStatus: 503, retryable: false },
  SHUTTING_DOWN: { httpStatus: 503, retryable: true },
  /** The PostgreSQL store (`[autodev.store] url`) cannot be reached; the message names its address, never the password. */
  STORE_UNAVAILABLE: { httpStatus: 503, retryable: true },

  CONFIG_INVALID: { httpStatus: 500, retryable: false },
  /** The configured engine's server (Temporal) does not answer at its address. */
  ENGINE_UNREACHABLE: { httpStatus: 503, retryable: true },
  TOOL_NOT_FOUND: { httpStatus: 400, retryable: false },
  TOOL_INPUT_INVALID: { httpStatus: 400, retryable: false },
  /** A task ran a step the phase table does not list there: the plan shown and the work done differ. */
  PLAN_DRIFT: { httpStatus: 500, retryable: false },

  REPO_UNREACHABLE: { httpStatus: 502, retryable: true },
  GIT_FAILED: { httpStatus: 500, retryable: false },
  PATCH_FAILED: { httpStatus: 422, retryable: false },
  /** Every edit given is already in the files: nothing to change, and no failure of the edit. */
  EDIT_ALREADY_APPLIED: { httpStatus: 422, retryable: false },
  NO_EDIT_FOUND: { httpStatus: 422, retryable: false },
  /** A changed source file could not be parsed, so its public API could not be compared. */
  SOURCE_UNPARSABLE: { httpStatus: 422, retryable: false },
  /**
   * A package archive (a registry's tarball, .crate, wheel, module zip) past a reader's bounds, or
   * with an entry naming a path outside its folder: it is not read at all.
   */
  ARCHIVE_REFUSED: { httpStatus: 422, retryable: false },
  WORKSPACE_MISSING: { httpStatus: 500, retryable: false },
  /** A path from the repository or the model resolves outside the workspace (symlink, `..`). */
  WORKSPACE_ESCAPE: { httpStatus: 422, retryable: false },

  COMMAND_FAILED: { httpStatus: 500, retryable: false },
  COMMAND_NOT_FOUND: { httpStatus: 500, retryable: false },
  COMMAND_TIMEOUT: { httpStatus: 504, retryable: false },
  SANDBOX_UNAVAILABLE: { httpStatus: 500, retryable: false },
  /**
   * A sandboxed setup, build, test or lint run died of a sandbox limit (processes: pids.max or
   * RLIMIT_NPROC); the message names it. Not the project's failure, and never recorded as a result.
   */
  RESOURCE_LIMIT: { httpStatus: 422, retryable: false },
  NO_TEST_COMMAND: { httpStatus: 422, retryable: false },
  /** The dependency install failed: the task ends here, the model never sees it as its own fault. */
  SETUP_FAILED: { httpStatus: 422, retryable: false },
  TESTS_FAILED: { httpStatus: 422, retryable: false },
  /** The suite could not run at all before the change (build, vet or collection error, no runner). */
  TESTS_UNAVAILABLE: { httpStatus: 422, retryable: false },
  /** After the last repair round, tests the task is about still fail, or tests that passed now fail. */
  TESTS_STILL_FAILING: { httpStatus: 422, retryable: false },
  /** The `[bench]` command's output is not what its `format` says (a parser names the field). */
  BENCH_OUTPUT_INVALID: { httpStatus: 422, retryable: false },
  /** The `[bench]` command failed (or timed out) on the base or the change: nothing was compared. */
  BENCH_FAILED: { httpStatus: 422, retryable: false },

  MODEL_API_KEY_MISSING: { httpStatus: 500, retryable: false },
  MODEL_CALL_FAILED: { httpStatus: 502, retryable: true },
  MODEL_REQUEST_REJECTED: { httpStatus: 502, retryable: false },
  MODEL_RESPONSE_INVALID: { httpStatus: 502, retryable: false },
  MODEL_TIMEOUT: { httpStatus: 504, retryable: true },
  /** The model's reply grew past [autodev.llm] max_reply_bytes; the stream is cut there. */
  MODEL_REPLY_TOO_LARGE: { httpStatus: 502, retryable: false },
  /** The model declined the task ([autodev.llm] max_declines replies in a row without an edit). */
  MODEL_DECLINED: { httpStatus: 422, retryable: false },
  /** [autodev.llm] max_idle_turns replies in a row held no tool call and no edit: the model is not working. */
  MODEL_NO_PROGRESS: { httpStatus: 422, retryable: false },
  /** The task spent [autodev.llm] max_task_tokens or max_task_usd; the message says what it spent. */
  BUDGET_EXCEEDED: { httpStatus: 422, retryable: false },
  /** A replayed task sent a request that differs from the recorded one (or more than were recorded). */
  REPLAY_DIVERGED: { httpStatus: 422, retryable: false },
  /** The change exceeds [autodev] max_diff_bytes or max_files_changed. */
  CHANGE_TOO_LARGE: { httpStatus: 422, retryable: false },
  /** A dependency manifest or lockfile the change left unreadable: its dependencies cannot be checked. */
  DEPENDENCY_FILE_INVALID: { httpStatus: 422, retryable: false },

  POLICY_DENIED: { httpStatus: 403, retryable: false },
  POLICY_UNAVAILABLE: { httpStatus: 502, retryable: true },
  /** `autodev policy check`: the policy does not load in OPA, or answers nothing autodev can use. */
  POLICY_INVALID: { httpStatus: 422, retryable: false },
  /** The forge answered 5xx or could not be reached. */
  FORGE_FAILED: { httpStatus: 502, retryable: true },
  /** The forge refused the token (401) or its permissions (403). */
  FORGE_AUTH: { httpStatus: 502, retryable: false },
  /** The forge does not know the repo or pull request (404). */
  FORGE_NOT_FOUND: { httpStatus: 502, retryable: false },
  /** The forge refused the request's content (422): a branch it does not have, a duplicate. */
  FORGE_REJECTED: { httpStatus: 502, retryable: false },
  /** The forge's rate limit: retried after its Retry-After or reset time. */
  FORGE_RATE_LIMITED: { httpStatus: 503, retryable: true },
  /** The task's repo is not on the configured forge ([autodev] provider). */
  REPO_NOT_ON_FORGE: { httpStatus: 400, retryable: false },

  TASK_CANCELLED: { httpStatus: 409, retryable: false },
  TASK_TIMEOUT: { httpStatus: 504, retryable: false },
  STEP_TIMEOUT: { httpStatus: 504, retryable: false },
  /** The CLI could not reach the autodev server at --url / AUTODEV_URL. */
  API_UNREACHABLE: { httpStatus: 502, retryable: true },
  INTERNAL: { httpStatus: 500, retryable: false },
} as const satisfies Record<string, { httpStatus: number; retryable: boolean }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface AutodevErrorOptions {
  details?: unknown;
  cause?: unknown;
  /** Overrides the code's default, e.g. a 5xx answer from a model is retryable, a 4xx is not. */
  retryable?: boolean;
}

export class AutodevError extends Error {
  readonly code: ErrorCode;
  readonly httpStatus: number;
  readonly retryable: boolean;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, options: AutodevErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AutodevError';
    this.code = code;
    this.httpStatus = ERROR_CODES[code].httpStatus;
    this.retryable = options.retryable ?? ERROR_CODES[code].retryable;
    this.details = options.details;
  }
}

export function isAutodevError(value: unknown, code?: ErrorCode): value is AutodevError {
  return value instanceof AutodevError && (code === undefined || value.code === code);
}

/** Wraps a foreign error at a boundary, keeping an AutodevError as it is. */
export function toAutodevError(value: unknown, fallback: ErrorCode = 'INTERNAL'): AutodevError {
  if (value instanceof AutodevError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new AutodevError(fallback, message, { cause: value });
}
