import { declare } from '../deps/common.js';
import type { DeclaredDependency } from '../deps/types.js';

/** PEP 503: names compare lowercased with runs of `-`, `_`, `.` as one `-`. */
export function normalizePythonName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

const isNameChar = (c: string): boolean => /^[A-Za-z0-9._-]$/.test(c);
const isAlnum = (c: string): boolean => /^[A-Za-z0-9]$/.test(c);

/**
 * The name of a PEP 508 requirement (`name[extra] >=1; marker`, `name @ url`) and the rest of it as
 * the requirement text. A requirement that names no package (a bare URL or path) is kept whole, so
 * adding one is still seen as a new dependency.
 */
export function parseRequirement(text: string): { name: string; spec: string } {
  const req = text.trim();
  let end = 0;
  while (end < req.length && isNameChar(req[end] ?? '')) end += 1;
  // A valid name starts and ends with a letter or digit and is followed by nothing, space, `[`,
  // a comparison, `@`, `;` or `(`; anything else (`./pkg`, `git+https://`, `C:\`) is not a name.
  const next = req[end] ?? '';
  const named =
    end > 0 &&
    isAlnum(req[0] ?? '') &&
    isAlnum(req[end - 1] ?? '') &&
    (next === '' || ' \t[<>=!~;@('.includes(next)) &&
    !req.startsWith('://', end);
  if (!named) {
    const egg = /[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(req);
    return egg?.[1] ? { name: normalizePythonName(egg[1]), spec: req } : { name: req, spec: req };
  }
  const spec = req.slice(end).trim();
  return { name: normalizePythonName(req.slice(0, end)), spec: spec === '' ? '*' : spec };
}

/** Extras and groups by these names are for development; other extras ship to users. */
export const DEV_GROUP =
  /^(dev|develop|development|test|tests|testing|lint|linting|docs?|typing|types|mypy|style|ci)$/i;

/** Records each PEP 508 requirement under its normalized name. */
export function declareRequirements(
  into: Map<string, DeclaredDependency>,
  reqs: string[],
  dev: boolean,
): void {
  for (const r of reqs) {
    const { name, spec } = parseRequirement(r);
    declare(into, name, spec, dev);
  }
}
