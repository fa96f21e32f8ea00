import { valid } from '@renovatebot/pep440';
import { z } from 'zod';
import type { AutodevError } from '../../errors.js';
import { readBoundedText, registryUnreachable } from '../read-bounded.js';
import { normalizePythonName } from '../../languages/python/pep508.js';
import type { ReleasedVersion } from '../types.js';

/** A project page lists every file of every release; past this it is refused. */
const MAX_PAGE_BYTES = 32 * 1024 * 1024;
const LOOKUP_TIMEOUT_MS = 30_000;
const JSON_TYPE = 'application/vnd.pypi.simple.v1+json';

/** The parts of a PEP 691 project page a scan reads (PEP 700 adds `versions` and `upload-time`). */
const ProjectPage = z.object({
  files: z
    .array(
      z
        .object({
          filename: z.string(),
          url: z.string().optional(),
          yanked: z.union([z.boolean(), z.string()]).optional(),
          'upload-time': z.string().optional(),
        })
        .loose(),
    )
    .default([]),
});

interface IndexFile {
  filename: string;
  /** Where the file is downloaded from, as the page wrote it (relative to the page). */
  href?: string;
  yanked: boolean;
  uploadTime: string | undefined;
}

export function withSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** The version a distribution's file name carries (a wheel's second field, an sdist's tail), or undefined. */
export function versionOfFile(filename: string, normalizedName: string): string | undefined {
  if (filename.endsWith('.whl')) {
    const version = filename.split('-')[1];
    return version !== undefined && valid(version) !== null ? version : undefined;
  }
  const stem = /^(.+)\.(tar\.gz|tar\.bz2|tgz|zip)$/.exec(filename)?.[1];
  if (stem === undefined) return undefined;
  // An sdist's name may hold `-` itself: the version is what follows the project's name.
  for (let dash = stem.indexOf('-'); dash > 0; dash = stem.indexOf('-', dash + 1)) {
    if (normalizePythonName(stem.slice(0, dash)) !== normalizedName) continue;
    const version = stem.slice(dash + 1);
    return valid(version) !== null ? version : undefined;
  }
  return undefined;
}

const decodeEntities = (text: string): string =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#0*39;/g, "'")
    .replace(/&amp;/g, '&');

/** PEP 503 anchors: the file name is the link's text; `data-yanked` marks a yanked file (PEP 592). */
export function filesOfHtml(html: string): IndexFile[] {
  const out: IndexFile[] = [];
  for (const anchor of html.matchAll(/<a\s([^>]*)>([^<]*)<\/a>/gi)) {
    const attributes = anchor[1] ?? '';
    const href = /(?:^|\s)href\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(attributes);
    out.push({
      filename: decodeEntities((anchor[2] ?? '').trim()),
      ...(href ? { href: decodeEntities(href[1] ?? href[2] ?? '') } : {}),
      yanked: /(^|\s)data-yanked(\s|=|$)/i.test(attributes),
      uploadTime: undefined,
    });
  }
  return out;
}

function filesOfJson(text: string): IndexFile[] {
  const page = ProjectPage.parse(JSON.parse(text));
  return page.files.map((file) => ({
    filename: file.filename,
    ...(file.url === undefined ? {} : { href: file.url }),
    yanked: file.yanked !== undefined && file.yanked !== false,
    uploadTime: file['upload-time'],
  }));
}

/**
 * Releases from a project's files: a release is yanked when every one of its files is (pip then
 * takes it only by an exact pin), published at its earliest file's upload time when the index says.
 */
export function releasesOfFiles(
  files: readonly IndexFile[],
  normalizedName: string,
  pageUrl?: string,
): ReleasedVersion[] {
  const byVersion = new Map<string, { yanked: boolean; times: string[]; archives: IndexFile[] }>();
  for (const file of files) {
    const version = versionOfFile(file.filename, normalizedName);
    if (version === undefined) continue;
    const entry = byVersion.get(version) ?? { yanked: true, times: [], archives: [] };
    entry.yanked &&= file.yanked;
    if (file.uploadTime !== undefined) entry.times.push(file.uploadTime);
    entry.archives.push(file);
    byVersion.set(version, entry);
  }
  return [...byVersion.entries()].map(([version, entry]) => {
    const archive = pageUrl === undefined ? undefined : archiveUrl(entry.archives, pageUrl);
    return {
      version,
      publishedAt: entry.times.sort()[0],
      deprecated: false,
      yanked: entry.yanked,
      ...(archive === undefined ? {} : { archive }),
    };
  });
}

/**
 * The file a release's changelog and API are read from: the sdist (`.tar.gz`: the changelog files
 * and the sources), else a pure-Python wheel, else any wheel; its link resolved against the page,
 * the hash fragment dropped.
 */
function archiveUrl(files: readonly IndexFile[], pageUrl: string): string | undefined {
  const rank = (name: string): number =>
    name.endsWith('.tar.gz') ? 0 : name.endsWith('-none-any.whl') ? 1 : name.endsWith('.whl') ? 2 : 3;
  const best = files
    .filter((f) => f.href !== undefined && rank(f.filename) < 3)
    .sort((a, b) => rank(a.filename) - rank(b.filename))[0];
  if (best?.href === undefined) return undefined;
  try {
    const url = new URL(best.href, pageUrl);
    url.hash = '';
    return url.href;
  } catch {
    return undefined;
  }
}

/**
 * Every released version of `name` from a simple repository API index: JSON (PEP 691) when the
 * index offers it, else the HTML page (PEP 503, which carries no upload times). A project the index
 * does not know has no versions; any other failure is UPDATE_REGISTRY_UNREACHABLE naming the index.
 */
export async function fetchPythonVersions(
  index: string,
  name: string,
  fetchImpl: typeof fetch = fetch,
): Promise<ReleasedVersion[]> {
  const normalized = normalizePythonName(name);
  const url = `${withSlash(index)}${encodeURIComponent(normalized)}/`;
  let response: Response;
  try {
    response = await fetchImpl(url, {
      headers: { accept: `${JSON_TYPE}, text/html;q=0.1` },
      redirect: 'error',
      signal: AbortSignal.timeout(LOOKUP_TIMEOUT_MS),
    });
  } catch (error) {
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw unreachable(index, name, reason, error);
  }
  if (response.status === 404) {
    await response.body?.cancel();
    return [];
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw unreachable(index, name, `HTTP ${String(response.status)}`);
  }
  const text = await readBoundedText(response, MAX_PAGE_BYTES, (size) =>
    unreachable(index, name, `page ${size}`),
  );
  const type = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  try {
    const files = type === JSON_TYPE ? filesOfJson(text) : filesOfHtml(text);
    return releasesOfFiles(files, normalized, url);
  } catch (error) {
    throw unreachable(index, name, 'the answer is not a project page', error);
  }
}

function unreachable(index: string, name: string, reason: string, cause?: unknown): AutodevError {
  return registryUnreachable('python', 'python index', index, name, reason, cause);
}
