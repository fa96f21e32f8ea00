import { isDeepStrictEqual } from 'node:util';
import { parse } from 'smol-toml';
import { AutodevError } from '../../errors.js';
import { normalizePythonName } from '../../languages/python/pep508.js';
import type { UpdateCandidate } from '../types.js';
import { expectedPyproject, pyprojectRequirements } from './pyproject.js';
import { readRequirementsFile } from './requirements-file.js';

/** What a new specifier may contain: a version from an index is never written as raw text otherwise. */
const SPECIFIER = /^[A-Za-z0-9.*+!=<>~, ]{1,200}$/;

function refuse(file: string, message: string, name?: string): AutodevError {
  return new AutodevError('UPDATE_EDIT_FAILED', `${file}: ${message}`, {
    details: { file, ...(name === undefined ? {} : { name }) },
  });
}

function checkSpecifier(file: string, update: UpdateCandidate): void {
  if (!SPECIFIER.test(update.toRange)) {
    throw refuse(file, `"${update.toRange}" is not a version specifier`, update.name);
  }
}

/** requirements.txt: the one line of the package with that specifier, its specifier's span replaced. */
function editRequirements(text: string, updates: readonly UpdateCandidate[], file: string): string {
  let out = text;
  for (const update of updates) {
    const name = normalizePythonName(update.name);
    const hits = readRequirementsFile(out).requirements.filter(
      (r) => r.name === name && r.spec === update.fromRange,
    );
    const [hit] = hits;
    if (hit === undefined || hits.length !== 1) {
      throw refuse(file, `cannot find ${update.name}${update.fromRange} once`, update.name);
    }
    out = out.slice(0, hit.start) + update.toRange + out.slice(hit.end);
  }
  const before = readRequirementsFile(text).requirements.map((r) => {
    const update = updates.find((u) => normalizePythonName(u.name) === r.name && u.fromRange === r.spec);
    return `${r.name}${update?.toRange ?? r.spec}`;
  });
  const after = readRequirementsFile(out).requirements.map((r) => `${r.name}${r.spec}`);
  if (!isDeepStrictEqual(before, after))
    throw refuse(file, 'the version edit changed more than the versions');
  return out;
}

const occurrences = (text: string, literal: string): number[] => {
  const at: number[] = [];
  for (let i = text.indexOf(literal); i >= 0; i = text.indexOf(literal, i + 1)) at.push(i);
  return at;
};

/**
 * pyproject.toml: each PEP 508 string of the package with that specifier, rewritten where it stands
 * (quoted `"…"` or `'…'`), everything else byte for byte. Both documents are parsed and compared:
 * any other difference (the string also in a comment, written with escapes) refuses the edit.
 */
function editPyproject(text: string, updates: readonly UpdateCandidate[], file: string): string {
  let out = text;
  for (const update of updates) {
    const name = normalizePythonName(update.name);
    const matches = pyprojectRequirements(out, true).filter(
      (r) => r.name === name && r.spec === update.fromRange,
    );
    let edited = 0;
    for (const requirement of matches) {
      for (const quote of ['"', "'"]) {
        const literal = `${quote}${requirement.raw}${quote}`;
        for (const at of occurrences(out, literal).reverse()) {
          const start = at + 1 + requirement.start;
          out = out.slice(0, start) + update.toRange + out.slice(at + 1 + requirement.end);
          edited += 1;
        }
      }
    }
    if (edited === 0) throw refuse(file, `cannot find ${update.name}${update.fromRange}`, update.name);
  }
  const expected = expectedPyproject(
    text,
    updates.map((u) => ({ name: normalizePythonName(u.name), from: u.fromRange, to: u.toRange })),
  );
  let actual: unknown;
  try {
    actual = parse(out);
  } catch {
    actual = undefined;
  }
  if (!isDeepStrictEqual(actual, expected))
    throw refuse(file, 'the version edit changed more than the versions');
  return out;
}

/** The manifest (a requirements file or pyproject.toml) with only the updates' specifiers changed. */
export function editPythonManifest(text: string, updates: readonly UpdateCandidate[], file: string): string {
  const changed = updates.filter((u) => u.fromRange !== u.toRange);
  for (const update of changed) checkSpecifier(file, update);
  return file === 'pyproject.toml' || file.endsWith('/pyproject.toml')
    ? editPyproject(text, changed, file)
    : editRequirements(text, changed, file);
}
