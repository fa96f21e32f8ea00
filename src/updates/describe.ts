import type { UpdateGroup } from './group.js';
import type { DependencyApiDiff } from './api-diff/diff.js';
import { apiDiffSection } from './api-diff/render.js';
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

/** What the published archives told, by notesKey: changelog excerpts (raw) and public-API diffs. */
export interface UpdateDescriptionDetails {
  notes: ReadonlyMap<string, string | undefined>;
  api: ReadonlyMap<string, DependencyApiDiff>;
}

/**
 * The task's description: what changes mechanically, the release notes, the dependencies' public-API
 * diffs, and what the model may do when tests break. The pull request body and the repair rounds'
 * prompt carry the description, so the notes and the diff reach both (sanitised: untrusted text).
 */
export function updateDescription(
  group: UpdateGroup,
  repair: boolean,
  details: UpdateDescriptionDetails,
): string {
  const api = apiDiffSection(group.updates, details.api);
  return [
    `Dependency update (${group.key}). The manifest's version texts and the lockfile are changed mechanically, without a model:`,
    '',
    updateTable(group.updates),
    '',
    releaseNotesSection(group.updates, details.notes),
    '',
    ...(api === undefined ? [] : [api, '']),
    repair
      ? 'When the tests fail after the update, adapt the code to the new versions: do not revert or pin the update.'
      : 'repair = false: failing tests are left for a person.',
  ].join('\n');
}
