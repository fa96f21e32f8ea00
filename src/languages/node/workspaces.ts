import path from 'node:path';
import picomatch from 'picomatch';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { readText } from '../scan.js';

// The repo writes these patterns: bounded, so a hostile manifest cannot make matching expensive.
const MAX_PATTERNS = 64;
const MAX_PATTERN_LENGTH = 200;

// npm and yarn classic: `"workspaces": [...]`; yarn also `{ "packages": [...] }`.
const PackageJsonWorkspaces = z.union([
  z.array(z.string()),
  z.object({ packages: z.array(z.string()) }).transform((w) => w.packages),
]);
const PnpmWorkspace = z.object({ packages: z.array(z.string()) });

/**
 * The member patterns of a workspace root (package.json `workspaces`, else pnpm-workspace.yaml's
 * `packages`), or undefined when `root` is no workspace root or its list cannot be read.
 */
export async function workspacePatterns(
  repoDir: string,
  root: string,
  workspaces: unknown,
): Promise<string[] | undefined> {
  const fromPackageJson = PackageJsonWorkspaces.safeParse(workspaces);
  if (fromPackageJson.success) return bounded(fromPackageJson.data);
  const yamlText = await readText(path.join(repoDir, root, 'pnpm-workspace.yaml'));
  if (yamlText === undefined) return undefined;
  try {
    const parsed = PnpmWorkspace.safeParse(parseYaml(yamlText));
    return parsed.success ? bounded(parsed.data.packages) : undefined;
  } catch {
    return undefined;
  }
}

function bounded(patterns: string[]): string[] {
  return patterns.slice(0, MAX_PATTERNS).filter((p) => p.length > 0 && p.length <= MAX_PATTERN_LENGTH);
}

/**
 * Whether `dir` (relative to the workspace root, `/`-separated) is one of its members: it matches a
 * pattern and no `!pattern` excludes it, as npm's and pnpm's own lists read.
 */
export function isWorkspaceMember(dir: string, patterns: readonly string[]): boolean {
  const normalize = (p: string) => p.replace(/^\.\//, '').replace(/\/+$/, '');
  const included = patterns.filter((p) => !p.startsWith('!')).map(normalize);
  const excluded = patterns.filter((p) => p.startsWith('!')).map((p) => normalize(p.slice(1)));
  const matches = (list: string[]) => list.length > 0 && picomatch(list, { dot: false })(dir);
  return matches(included) && !matches(excluded);
}
