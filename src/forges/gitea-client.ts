import type { z } from 'zod';
import { AutodevError } from '../errors.js';
import { sendForgeRequest, type ForgeHttpOptions, type ForgeHttpRequest } from './forge-http.js';

export interface GiteaClient {
  get<T>(path: string, schema: z.ZodType<T>, query?: Record<string, string>): Promise<T>;
  /** Every page of a list (bounded: a PR with more than MAX_PAGES pages of anything is cut there). */
  list<T>(path: string, item: z.ZodType<T>, query?: Record<string, string>): Promise<T[]>;
  send<T>(method: ForgeHttpRequest['method'], path: string, body: unknown, schema: z.ZodType<T>): Promise<T>;
  sendNoContent(method: ForgeHttpRequest['method'], path: string, body: unknown): Promise<void>;
}

const PAGE_SIZE = 50;
const MAX_PAGES = 20;

/**
 * Gitea's and Forgejo's REST API v1 (`<api_url>/api/v1`), with `Authorization: token <tok>`: the token
 * is a header only, never in a URL, and every answer is parsed with a zod schema before use.
 */
export function createGiteaClient(apiUrl: string, http: ForgeHttpOptions): GiteaClient {
  const base = apiBase(apiUrl);
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...(http.token ? { authorization: `token ${http.token}` } : {}),
  };
  const urlOf = (path: string, query: Record<string, string> = {}): URL => {
    const url = new URL(`${base}${path}`);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return url;
  };
  const parse = <T>(schema: z.ZodType<T>, text: string, where: string): T => {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new AutodevError('FORGE_FAILED', `gitea ${where}: answer is not JSON`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new AutodevError(
        'FORGE_FAILED',
        `gitea ${where}: unexpected answer: ${parsed.error.message.slice(0, 300)}`,
      );
    }
    return parsed.data;
  };
  const call = (method: ForgeHttpRequest['method'], url: URL, body?: unknown) =>
    sendForgeRequest(http, {
      method,
      url,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  return {
    async get(path, schema, query) {
      const res = await call('GET', urlOf(path, query));
      return parse(schema, res.text, `GET ${path}`);
    },
    async list(path, item, query = {}) {
      const all = [];
      for (let page = 1; page <= MAX_PAGES; page += 1) {
        const res = await call(
          'GET',
          urlOf(path, { ...query, page: String(page), limit: String(PAGE_SIZE) }),
        );
        const items = parse(item.array(), res.text, `GET ${path}`);
        all.push(...items);
        if (items.length < PAGE_SIZE) break;
      }
      return all;
    },
    async send(method, path, body, schema) {
      const res = await call(method, urlOf(path), body);
      return parse(schema, res.text, `${method} ${path}`);
    },
    async sendNoContent(method, path, body) {
      await call(method, urlOf(path), body);
    },
  };
}

/** `https://gitea.example.com` or `.../api/v1` (with or without a trailing slash) → the v1 base. */
function apiBase(apiUrl: string): string {
  const trimmed = apiUrl.replace(/\/+$/, '');
  return trimmed.endsWith('/api/v1') ? trimmed : `${trimmed}/api/v1`;
}
