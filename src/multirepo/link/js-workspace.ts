import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { linkFailed, readJsonManifest, readManifest, recordOf } from './manifest.js';
import { workspaceMembers } from './workspace-members.js';

/** The sections of package.json that name a package the project installs. */
export const DEPENDENCY_SECTIONS = [
  'dependencies',
  'devDependencies',
  'optionalDependencies',
  'peerDependencies',
];

/** One package.json of a project: the root's or a workspace member's. */
export interface JsPackage {
  /** The member's folder relative to the root ('' for the root). */
  dir: string;
  manifest: Record<string, unknown>;
}

/** The `workspaces` globs of a root package.json: a list, or `{ packages: [...] }` (yarn's form). */
function workspacePatterns(root: Record<string, unknown>): string[] {
  const field = root.workspaces;
  const list = Array.isArray(field) ? field : recordOf(field)?.packages;
  return Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string') : [];
}

/**
 * The root package.json and, when it declares `workspaces`, every member's (globs expanded as npm
 * does, `!pattern` leaving folders out). A member's package.json that is a link or oversized is
 * refused by name; a linked member folder is never entered.
 */
export async function jsPackages(projectDir: string): Promise<JsPackage[]> {
  const root = await readJsonManifest(projectDir, 'package.json');
  return withMembers(projectDir, root, workspacePatterns(root), 'package.json workspaces');
}

/** The root package.json and every member pnpm-workspace.yaml's `packages` globs name. */
export async function pnpmPackages(projectDir: string): Promise<JsPackage[]> {
  const root = await readJsonManifest(projectDir, 'package.json');
  const text = await readManifest(projectDir, 'pnpm-workspace.yaml');
  let patterns: string[] = [];
  if (text !== undefined) {
    let parsed: unknown;
    try {
      parsed = parseYaml(text, { maxAliasCount: 100 });
    } catch (error) {
      throw linkFailed(`pnpm-workspace.yaml is not YAML: ${String(error)}`, { file: 'pnpm-workspace.yaml' });
    }
    const list = recordOf(parsed)?.packages;
    patterns = Array.isArray(list) ? list.filter((p): p is string => typeof p === 'string') : [];
  }
  return withMembers(projectDir, root, patterns, 'pnpm-workspace.yaml packages');
}

async function withMembers(
  projectDir: string,
  root: Record<string, unknown>,
  patterns: string[],
  where: string,
): Promise<JsPackage[]> {
  const members = await workspaceMembers(projectDir, {
    include: patterns.filter((p) => !p.startsWith('!')),
    exclude: patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1)),
    manifest: 'package.json',
    where,
  });
  const packages: JsPackage[] = [{ dir: '', manifest: root }];
  for (const dir of members) {
    packages.push({
      dir,
      manifest: await readJsonManifest(projectDir, path.posix.join(dir, 'package.json')),
    });
  }
  return packages;
}

export function dependsOn(manifest: Record<string, unknown>, name: string): boolean {
  return DEPENDENCY_SECTIONS.some((section) => recordOf(manifest[section])?.[name] !== undefined);
}

/**
 * The library's packages as a consumer may depend on them: its root package and, when the library
 * is a workspace, each named member, with the folder (in the library's copy) to install from.
 */
export async function jsLibraryPackages(libraryDir: string): Promise<{ name: string; dir: string }[]> {
  const named = (await jsPackages(libraryDir)).flatMap(({ dir, manifest }) =>
    typeof manifest.name === 'string' && manifest.name.length > 0
      ? [{ name: manifest.name, dir: path.join(libraryDir, dir) }]
      : [],
  );
  if (named.length === 0)
    throw linkFailed(
      'library package.json: expected name to be a non-empty string (at its root or in a member)',
      {
        key: 'library package.json.name',
      },
    );
  return named;
}

/** LINK_FAILED naming the library packages no package.json of the consumer depends on. */
export function notDependedOn(names: string, consumer: JsPackage[]): Error {
  const who =
    consumer.length > 1
      ? "no package.json of the consumer's workspace depends"
      : "the consumer's package.json does not depend";
  return linkFailed(`${who} on ${names} (in ${DEPENDENCY_SECTIONS.join(', ')}): nothing to link`, {
    library: names,
  });
}
