import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root, from src/secrets/ or dist/secrets/ alike. */
const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * A pinned tool that `npm run setup` installs into the project's .tools/bin (gitleaks, opa), else the
 * same name looked up on PATH.
 */
export function projectToolPath(name: string): string {
  const local = join(PACKAGE_ROOT, '.tools', 'bin', name);
  return existsSync(local) ? local : name;
}
