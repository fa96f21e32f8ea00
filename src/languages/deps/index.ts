import { LANGUAGES } from '../index.js';
import { diffEcosystem } from './diff.js';
import type { DependencyChange, Ecosystem, EcosystemReader, ReadAt } from './types.js';

export { DependencyFileError } from './diff.js';
export type { DependencyChange, Ecosystem, ReadAt } from './types.js';

/** One reader per ecosystem, each from its language (languages/<name>/dependencies.ts). */
export const ECOSYSTEM_READERS: Readonly<Record<Ecosystem, EcosystemReader>> = Object.fromEntries(
  Object.values(LANGUAGES).map((language) => [language.dependencies.ecosystem, language.dependencies]),
) as Record<Ecosystem, EcosystemReader>;

/** Files any ecosystem reads: only these need to be read at both commits. */
export function isDependencyFile(file: string): boolean {
  return Object.values(ECOSYSTEM_READERS).some((r) => r.isManifest(file) || r.isLockfile(file));
}

export interface DependencyDiff {
  changes: DependencyChange[];
  /** Names of the dependencies the change added, each once, sorted. */
  added: string[];
}

/** The dependency changes between the base commit and HEAD, from the files the change touched. */
export async function diffDependencies(
  changedFiles: readonly string[],
  read: ReadAt,
): Promise<DependencyDiff> {
  const files = changedFiles.filter(isDependencyFile);
  const changes: DependencyChange[] = [];
  for (const reader of Object.values(ECOSYSTEM_READERS))
    changes.push(...(await diffEcosystem(reader, files, read)));
  const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  changes.sort(
    (a, b) => byText(a.ecosystem, b.ecosystem) || byText(a.manifest, b.manifest) || byText(a.name, b.name),
  );
  const added = [...new Set(changes.filter((c) => c.change === 'added').map((c) => c.name))].sort();
  return { changes, added };
}
