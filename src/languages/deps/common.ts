import path from 'node:path';
import type { DeclaredDependency, LockedDependency, ParsedLockfile } from './types.js';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const baseName = (file: string): string => path.posix.basename(file);
export const dirOf = (file: string): string => path.posix.dirname(file);
/** `dir/name` for a repo-relative dir (`.` is the root). */
export const beside = (file: string, name: string): string => path.posix.join(dirOf(file), name);

/**
 * Records a declared dependency. A name declared twice (runtime and dev, two groups) is dev only when
 * every declaration is, and keeps every requirement written for it.
 */
export function declare(
  into: Map<string, DeclaredDependency>,
  name: string,
  spec: string,
  dev: boolean,
  direct = true,
): void {
  const seen = into.get(name);
  if (!seen) {
    into.set(name, { spec, dev, direct });
    return;
  }
  const specs = new Set([...seen.spec.split(' | '), spec]);
  into.set(name, {
    spec: [...specs].sort().join(' | '),
    dev: seen.dev && dev,
    direct: seen.direct || direct,
  });
}

/** Records one resolved version; a lockfile entry is dev only when every entry of the name is. */
export function lock(
  into: Map<string, LockedDependency>,
  name: string,
  version: string,
  dev?: boolean,
): void {
  const seen = into.get(name);
  if (!seen) {
    into.set(name, { versions: new Set([version]), ...(dev === undefined ? {} : { dev }) });
    return;
  }
  seen.versions.add(version);
  const merged = seen.dev === false || dev === false ? false : (seen.dev ?? dev);
  if (merged === undefined) delete seen.dev;
  else seen.dev = merged;
}

export function emptyLockfile(): ParsedLockfile {
  return { packages: new Map(), direct: new Map() };
}

/** The value of a manifest field that must be a table, or an error naming the field. */
export function tableAt(value: unknown, field: string): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isRecord(value)) throw new Error(`${field} must be a table of dependencies`);
  return value;
}

/** A requirement written as a string, or a table/array shown as compact JSON (git, path, workspace...). */
export function specText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
