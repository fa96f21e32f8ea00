import { z } from 'zod';

/** `postgres://` and `postgresql://`, the two schemes libpq and `pg` accept for one server. */
const POSTGRES_PROTOCOLS = new Set(['postgres:', 'postgresql:']);

/**
 * `[autodev.store] url`: a PostgreSQL connection URL with a host. An error never repeats the value as
 * given (it may hold a password): the config loader shows it through redactStoreUrl.
 */
const storeUrl = z.string().superRefine((value, ctx) => {
  const problem = storeUrlProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

export const storeConfigSchema = z
  .object({
    /** PostgreSQL store (`postgres://user:password@host:port/db`); absent: SQLite under data_dir. */
    url: storeUrl.optional(),
    /** Connections one process keeps open to PostgreSQL. */
    pool_size: z.number().int().min(1).max(200).default(10),
    /**
     * Seconds a store call waits for PostgreSQL to come back (connection refused or dropped) before
     * it fails; tasks wait meanwhile instead of failing on a database restart.
     */
    reconnect_secs: z.number().int().min(0).max(86_400).default(300),
    /** Seconds the first connection at start may take before the process gives up naming the address. */
    connect_timeout_secs: z.number().int().min(1).max(600).default(10),
  })
  .strict();

export type StoreSettings = z.infer<typeof storeConfigSchema>;

export function storeUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'expected a PostgreSQL URL such as postgres://autodev@127.0.0.1:5432/autodev';
  }
  if (!POSTGRES_PROTOCOLS.has(url.protocol))
    return `expected a postgres:// or postgresql:// URL, not ${url.protocol}//`;
  if (url.hostname === '') return 'expected a host, as in postgres://autodev@127.0.0.1:5432/autodev';
  return undefined;
}

/** The URL as it may be shown (logs, doctor, health, errors): the password replaced, the rest kept. */
export function redactStoreUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Not a URL: nothing can be told apart from a password, so nothing of it is shown.
    return '[REDACTED]';
  }
  if (url.password !== '') url.password = 'REDACTED';
  for (const key of [...url.searchParams.keys()])
    if (/pass|secret|key/i.test(key)) url.searchParams.set(key, 'REDACTED');
  return url.toString();
}

/** The address (host:port) PostgreSQL is reached at, for messages that must name it. */
export function storeAddress(value: string): string {
  try {
    const url = new URL(value);
    return `${url.hostname}:${url.port === '' ? '5432' : url.port}`;
  } catch {
    return '[unparsable url]';
  }
}

/** The password of the URL, decoded, so the redactor can remove it wherever it appears. */
export function storeUrlPassword(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const password = decodeURIComponent(new URL(value).password);
    return password === '' ? undefined : password;
  } catch {
    return undefined;
  }
}
