import type { UpdateGroup } from './group.js';
import { releaseNotesSection } from './release-notes/render.js';
import type { UpdateCandidate } from './types.js';

/** The task's title: the one update, or the group's name and size. */
export function updateTitle(group: UpdateGroup): string {
  const [only] = group.updates;
  if (group.updates.length === 1 && only) return `Update ${only.name} from ${only.from} to ${only.to}`;
  return `Update ${group.key} (${String(group.updates.length)} dependencies)`;
}

/** Package names and versions come from registries and manifests: shown as code, pipes escaped. */
function cell(text: string): string {
  return `\`${text.replace(/[`|\r\n]/g, ' ').slice(0, 120)}\``;
}

/** The table of updates the pull request body shows (package, from, to, type, age). */
export function updateTable(updates: readonly UpdateCandidate[]): string {
  const rows = updates.map(
    (u) =>
      `| ${cell(u.name)} | ${cell(u.fromRange)} → ${cell(u.toRange)} | ${u.from} → ${u.to} | ${u.type} | ${u.ageDays === null ? 'unknown' : `${String(u.ageDays)} d`} | ${u.depType} |`,
  );
  return [
    '| package | range | version | type | age | dependency |',
    '|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/**
 * The task's description: what changes mechanically, the release notes, and what the model may do
 * when tests break. `notes` holds each package's changelog excerpt (notesKey), untrusted and raw.
 */
export function updateDescription(
  group: UpdateGroup,
  repair: boolean,
  notes: ReadonlyMap<string, string | undefined>,
): string {
  return [
    `Dependency update (${group.key}). The manifest's version texts and the lockfile are changed mechanically, without a model:`,
    '',
    updateTable(group.updates),
    '',
    releaseNotesSection(group.updates, notes),
    '',
    repair
      ? 'When the tests fail after the update, adapt the code to the new versions: do not revert or pin the update.'
      : 'repair = false: failing tests are left for a person.',
  ].join('\n');
}
