import { isAbsolute, relative, resolve } from 'node:path';
import { AutodevError } from '../errors.js';

/** A path given by a user or a model, checked to stay inside the workspace; returned relative to it. */
export function resolveInside(dir: string, path: string): string {
  if (isAbsolute(path))
    throw new AutodevError('VALIDATION_FAILED', `path must be relative to the workspace: ${path}`);
  const rel = relative(dir, resolve(dir, path));
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new AutodevError('VALIDATION_FAILED', `path escapes the workspace: ${path}`);
  }
  return rel === '' ? '.' : rel;
}
