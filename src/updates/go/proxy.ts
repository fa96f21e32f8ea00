import semver from 'semver';
import { z } from 'zod';
import { AutodevError } from '../../errors.js';
import { readBoundedText, registryUnreachable } from '../read-bounded.js';
import type { ReleasedVersion } from '../types.js';
import { goRetractions, isGoRelease, isRetracted, pathMajors, type Retraction } from './declared.js';

const LOOKUP_TIMEOUT_MS = 30_000;
/** A version list or a go.mod past this is no answer a module proxy gives. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;
/** Newer releases whose date is asked for, newest first: a module far behind needs only its newest few. */
const MAX_DATED_VERSIONS = 32;
const INFO_CONCURRENCY = 4;

/**
 * One entry of GOPROXY as go reads it: a proxy URL, `direct` (the module's own VCS) or `off`.
 * After a `,` go tries the next entry only when the module is not found (404, 410); after a `|`
 * on any error.
 */
export type GoProxyEntry =
  { kind: 'proxy'; url: string; onAnyError: boolean } | { kind: 'direct' } | { kind: 'off' };

export function parseGoProxy(value: string): GoProxyEntry[] {
  const out: GoProxyEntry[] = [];
  for (const match of value.matchAll(/([^,|]+)([,|]?)/g)) {
    const item = (match[1] ?? '').trim();
    if (item === 'direct') out.push({ kind: 'direct' });
    else if (item === 'off') out.push({ kind: 'off' });
    else if (item !== '')
      out.push({ kind: 'proxy', url: item.replace(/\/+$/, ''), onAnyError: match[2] === '|' });
  }
  return out;
}

/**
 * GONOPROXY / GOPRIVATE: comma-separated globs matched against a path's leading elements
 * (`*.corp.example`, `example.com/team`), as go's module.MatchPrefixPatterns does.
 */
export function matchesPrefixPatterns(patterns: string, modulePath: string): boolean {
  const elements = modulePath.split('/');
  return patterns
    .split(',')
    .map((p) => p.trim().replace(/\/+$/, ''))
    .filter((p) => p !== '')
    .some((pattern) => {
      const count = pattern.split('/').length;
      if (elements.length < count) return false;
      const glob = pattern
        .split('')
        .map((c) => (c === '*' ? '[^/]*' : c === '?' ? '[^/]' : escapeChar(c)))
        .join('');
      return new RegExp(`^${glob}$`).test(elements.slice(0, count).join('/'));
    });
}

function escapeChar(c: string): string {
  return /[.+^${}()|[\]\\]/.test(c) ? `\\${c}` : c;
}

/** The proxy protocol's case encoding: an upper-case letter is `!` and its lower case (`!azure`). */
export function escapeModulePath(text: string): string {
  return text.replace(/[A-Z]/g, (c) => `!${c.toLowerCase()}`);
}

const Info = z.object({ Version: z.string(), Time: z.string().optional() }).loose();

class NotFound extends Error {}

export interface GoModuleSettings {
  proxies: GoProxyEntry[];
  /** GONOPROXY (go reports GOPRIVATE's value there when GONOPROXY is unset). */
  noProxy: string;
}

/**
 * The releases of `modulePath` newer than `current`, dated from each version's `.info`, a retracted
 * one marked deprecated (the newest release's go.mod says which), from the first proxy of GOPROXY
 * that knows the module. A module GONOPROXY names, or one only `direct` could fetch, is not looked
 * up: autodev reads no VCS. UPDATE_REGISTRY_UNREACHABLE names the proxy and the module otherwise.
 */
export async function fetchGoVersions(
  settings: GoModuleSettings,
  modulePath: string,
  current: string | undefined,
  fetchImpl: typeof fetch,
): Promise<ReleasedVersion[]> {
  if (matchesPrefixPatterns(settings.noProxy, modulePath)) return [];
  for (const entry of settings.proxies) {
    if (entry.kind !== 'proxy') return [];
    try {
      return await fromProxy(entry.url, modulePath, current, fetchImpl);
    } catch (error) {
      if (error instanceof NotFound) continue;
      if (entry.onAnyError) continue;
      throw error;
    }
  }
  return [];
}

async function fromProxy(
  proxy: string,
  modulePath: string,
  current: string | undefined,
  fetchImpl: typeof fetch,
): Promise<ReleasedVersion[]> {
  const base = `${proxy}/${escapeModulePath(modulePath)}/@v/`;
  const majors = pathMajors(modulePath);
  const newer = (await get(fetchImpl, proxy, modulePath, `${base}list`))
    .split('\n')
    .map((line) => line.trim())
    .filter((v) => isGoRelease(v) && majors.includes(semver.major(v)))
    .filter((v) => current === undefined || semver.gt(v, current))
    .sort(semver.rcompare)
    .slice(0, MAX_DATED_VERSIONS);
  const newest = newer[0];
  if (newest === undefined) return [];
  let retractions: Retraction[] = [];
  try {
    retractions = goRetractions(
      await get(fetchImpl, proxy, modulePath, `${base}${escapeModulePath(newest)}.mod`),
    );
  } catch (error) {
    // A go.mod go cannot parse retracts nothing go would honour; the proxy being down is another matter.
    if (!(error instanceof AutodevError && error.code === 'VALIDATION_FAILED')) throw error;
  }
  const out: ReleasedVersion[] = [];
  for (let i = 0; i < newer.length; i += INFO_CONCURRENCY) {
    const batch = newer.slice(i, i + INFO_CONCURRENCY);
    out.push(
      ...(await Promise.all(
        batch.map(async (version) => {
          const text = await get(fetchImpl, proxy, modulePath, `${base}${escapeModulePath(version)}.info`);
          const info = Info.safeParse(safeJson(text));
          const time = info.success ? info.data.Time : undefined;
          return {
            version,
            publishedAt: time,
            deprecated: isRetracted(version, retractions),
            archive: `${base}${escapeModulePath(version)}.zip`,
          };
        }),
      )),
    );
  }
  return out;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

async function get(fetchImpl: typeof fetch, proxy: string, modulePath: string, url: string): Promise<string> {
  let response: Response;
  try {
    response = await fetchImpl(url, { redirect: 'error', signal: AbortSignal.timeout(LOOKUP_TIMEOUT_MS) });
  } catch (error) {
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw unreachable(proxy, modulePath, reason, error);
  }
  if (response.status === 404 || response.status === 410) {
    await response.body?.cancel();
    throw new NotFound(url);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw unreachable(proxy, modulePath, `HTTP ${String(response.status)}`);
  }
  return readBoundedText(response, MAX_ANSWER_BYTES, (size) =>
    unreachable(proxy, modulePath, `answer ${size}`),
  );
}

function unreachable(proxy: string, modulePath: string, reason: string, cause?: unknown): AutodevError {
  return registryUnreachable('go', 'go module proxy', proxy, modulePath, reason, cause);
}
