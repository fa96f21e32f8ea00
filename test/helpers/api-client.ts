import { TERMINAL_STATUSES, type TaskStatus } from '../../src/domain/task.js';

export interface TaskJson {
  id: string;
  status: TaskStatus;
  risk_tier: string;
  /** Runs of the task so far: 1 for a task that ran through once, one more per resume. */
  attempt: number;
  branch: string | null;
  error: { code: string; message: string } | null;
  plan: { steps: unknown[] } | null;
  cost: { input_tokens: number; output_tokens: number; cached_input_tokens: number; usd: number };
  steps: {
    key: string;
    tool: string;
    phase: string;
    status: string;
    attempts: number;
    output_summary: string | null;
    error: { code: string } | null;
    started_at: string;
    finished_at: string | null;
  }[];
  pr: {
    repo: string;
    branch: string;
    status: string;
    head_commit: string;
    merge_commit: string | null;
  } | null;
  /** Every pull request of the task, its own (the library's) first. */
  pull_requests: {
    role: 'library' | 'consumer' | 'revert';
    repo: string;
    branch: string;
    status: string;
    head_commit: string;
    merge_commit: string | null;
  }[];
}

/**
 * The e2e servers' named users (`[[autodev.auth.users]]`, see e2e/harness.ts): `operator` is an admin
 * and what every request presents unless a test says otherwise; alice, bob and carol review and
 * approve; rita only reviews. A server without tokens ignores the header.
 */
export const E2E_USERS = {
  operator: { token: 'e2e-operator-token-0123456789', roles: ['admin'] },
  alice: { token: 'e2e-alice-token-0123456789', roles: ['reviewer', 'approver'] },
  bob: { token: 'e2e-bob-token-0123456789', roles: ['reviewer', 'approver'] },
  carol: { token: 'e2e-carol-token-0123456789', roles: ['reviewer', 'approver'] },
  rita: { token: 'e2e-rita-token-0123456789', roles: ['reviewer'] },
} as const;
export type E2EUser = keyof typeof E2E_USERS;

/** The Authorization header of an e2e user. */
export const as = (user: E2EUser) => ({ authorization: `Bearer ${E2E_USERS[user].token}` });

/** Servers that want a token: every request to them presents the operator's unless it says otherwise. */
const authenticated = new Set<string>();

/** Makes api() (and what uses it) present the operator's token to the server at `baseUrl`. */
export function useOperatorToken(baseUrl: string): void {
  authenticated.add(baseUrl);
}

export async function api(
  baseUrl: string,
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: unknown; text: string }> {
  const response = await fetch(`${baseUrl}${path}`, {
    ...init,
    headers: {
      ...(authenticated.has(baseUrl) ? as('operator') : {}),
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
  });
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text };
}

export async function submitTask(baseUrl: string, task: Record<string, unknown>): Promise<TaskJson> {
  const { status, body, text } = await api(baseUrl, '/api/v1/autodev/tasks', {
    method: 'POST',
    body: JSON.stringify(task),
  });
  if (status !== 201) throw new Error(`POST /tasks answered ${status}: ${text}`);
  return body as TaskJson;
}

/** Polls GET /tasks/{id} until the task reaches a terminal state. */
export async function waitForTerminal(baseUrl: string, id: string, timeoutMs = 180_000): Promise<TaskJson> {
  const deadline = Date.now() + timeoutMs;
  let last: TaskJson | undefined;
  while (Date.now() < deadline) {
    const { body } = await api(baseUrl, `/api/v1/autodev/tasks/${id}`);
    last = body as TaskJson;
    if (TERMINAL_STATUSES.has(last.status)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`task ${id} did not end in ${timeoutMs} ms; last seen: ${JSON.stringify(last)}`);
}

/** Polls until `predicate` holds for the task. */
export async function waitForTask(
  baseUrl: string,
  id: string,
  predicate: (t: TaskJson) => boolean,
  timeoutMs = 120_000,
): Promise<TaskJson> {
  const deadline = Date.now() + timeoutMs;
  let last: TaskJson | undefined;
  while (Date.now() < deadline) {
    const { body } = await api(baseUrl, `/api/v1/autodev/tasks/${id}`);
    last = body as TaskJson;
    if (predicate(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`task ${id} never matched; last seen: ${JSON.stringify(last)}`);
}
