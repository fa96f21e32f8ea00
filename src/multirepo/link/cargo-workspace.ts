import path from 'node:path';
import { readTomlManifest, recordOf } from './manifest.js';
import { workspaceMembers } from './workspace-members.js';

/** One Cargo.toml of a project: the root's or a workspace member's. */
export interface CargoManifest {
  /** The member's folder relative to the root ('' for the root). */
  dir: string;
  /** Its file, as errors name it (`Cargo.toml`, `crates/app/Cargo.toml`). */
  file: string;
  manifest: Record<string, unknown>;
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * The root Cargo.toml and, when it declares `[workspace]`, every member's (`members` globs less
 * `exclude`, as Cargo expands them). A member whose Cargo.toml is a link or oversized is refused
 * by name (readTomlManifest); a linked member folder is never entered.
 */
export async function cargoManifests(projectDir: string): Promise<CargoManifest[]> {
  const root = await readTomlManifest(projectDir, 'Cargo.toml');
  const workspace = recordOf(root.workspace);
  const manifests: CargoManifest[] = [{ dir: '', file: 'Cargo.toml', manifest: root }];
  if (!workspace) return manifests;
  const members = await workspaceMembers(projectDir, {
    include: stringsOf(workspace.members),
    exclude: stringsOf(workspace.exclude),
    manifest: 'Cargo.toml',
    where: 'Cargo.toml [workspace] members',
  });
  for (const dir of members) {
    const file = path.posix.join(dir, 'Cargo.toml');
    manifests.push({ dir, file, manifest: await readTomlManifest(projectDir, file) });
  }
  return manifests;
}

/** The crate a manifest builds (`[package] name`), when it builds one (a virtual root does not). */
export function crateName(manifest: Record<string, unknown>): string | undefined {
  const name = recordOf(manifest.package)?.name;
  return typeof name === 'string' && name.length > 0 ? name : undefined;
}
