import { parse } from 'smol-toml';
import { AutodevError } from '../../errors.js';
import { DEV_GROUP } from '../../languages/python/pep508.js';
import type { DepType } from '../types.js';
import { parseRequirementSpec, type RequirementSpec } from './requirement.js';

/** A PEP 508 string of pyproject.toml with a specifier, and where it is declared. */
export interface PyprojectRequirement extends RequirementSpec {
  /** The whole string as written (`tiny-calc[fast]>=1.0; python_version>"3.8"`). */
  raw: string;
  depType: DepType;
}

type Doc = Record<string, unknown>;

function parsePyproject(text: string): Doc {
  try {
    return parse(text) as Doc;
  } catch (error) {
    throw new AutodevError(
      'VALIDATION_FAILED',
      `pyproject.toml is not valid TOML: ${(error as Error).message}`,
      {
        details: { file: 'pyproject.toml' },
      },
    );
  }
}

const table = (value: unknown): Doc =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Doc) : {};
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/**
 * The lists of PEP 508 strings an update may change: `[project] dependencies` (prod),
 * `[project.optional-dependencies]` (a dev-named extra is dev, others optional) and PEP 735
 * `[dependency-groups]` (dev). Each list is returned as the array object itself, to be rewritten.
 */
function requirementLists(doc: Doc): { list: unknown[]; depType: DepType }[] {
  const project = table(doc['project']);
  const out: { list: unknown[]; depType: DepType }[] = [];
  if (Array.isArray(project['dependencies'])) out.push({ list: project['dependencies'], depType: 'prod' });
  for (const [extra, list] of Object.entries(table(project['optional-dependencies']))) {
    if (Array.isArray(list)) out.push({ list, depType: DEV_GROUP.test(extra) ? 'dev' : 'optional' });
  }
  for (const list of Object.values(table(doc['dependency-groups']))) {
    if (Array.isArray(list)) out.push({ list, depType: 'dev' });
  }
  return out;
}

/**
 * Each requirement with a specifier, once per name and specifier (the first section wins); with
 * `bare`, a name without one too (its spec empty): a lockfile (uv.lock) says its version.
 */
export function pyprojectRequirements(text: string, bare = false): PyprojectRequirement[] {
  const seen = new Set<string>();
  const out: PyprojectRequirement[] = [];
  for (const { list, depType } of requirementLists(parsePyproject(text))) {
    for (const raw of strings(list)) {
      const spec = parseRequirementSpec(raw, bare);
      if (spec === undefined || seen.has(`${spec.name}\0${spec.spec}`)) continue;
      seen.add(`${spec.name}\0${spec.spec}`);
      out.push({ ...spec, raw, depType });
    }
  }
  return out;
}

/** The document as it should read after the edit: every string of `name` with `from` as its specifier changed. */
export function expectedPyproject(
  text: string,
  changes: readonly { name: string; from: string; to: string }[],
): Doc {
  const doc = parsePyproject(text);
  for (const { list } of requirementLists(doc)) {
    list.forEach((value, index) => {
      if (typeof value !== 'string') return;
      const spec = parseRequirementSpec(value, true);
      const change = changes.find((c) => c.name === spec?.name && c.from === spec.spec);
      if (spec !== undefined && change !== undefined) {
        list[index] = value.slice(0, spec.start) + change.to + value.slice(spec.end);
      }
    });
  }
  return doc;
}

export { parsePyproject };
