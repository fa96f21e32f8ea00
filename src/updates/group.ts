import { matchesAny, type GroupRule, type UpdateSettings } from './settings.js';
import type { UpdateCandidate } from './types.js';

/** Updates that go into one task and one pull request. */
export interface UpdateGroup {
  /** Stable across scans: the rule's name, or `<ecosystem>-<package>` for an update alone. */
  key: string;
  updates: UpdateCandidate[];
}

function matches(rule: GroupRule, update: UpdateCandidate): boolean {
  return (
    (rule.match_packages === undefined || matchesAny(update.name, rule.match_packages)) &&
    (rule.ecosystems === undefined || rule.ecosystems.includes(update.ecosystem)) &&
    (rule.update_types === undefined || rule.update_types.includes(update.type)) &&
    (rule.dep_types === undefined || rule.dep_types.includes(update.depType))
  );
}

/** A key a branch name and a store key can carry: the package's name with `@` and `/` made dashes. */
function soloKey(update: UpdateCandidate): string {
  const slug = update.name
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${update.ecosystem}-${slug}`.slice(0, 80);
}

/** Groups by the first rule each update matches, in the rules' order; the rest alone, by name. */
export function groupUpdates(updates: readonly UpdateCandidate[], settings: UpdateSettings): UpdateGroup[] {
  const groups = new Map<string, UpdateCandidate[]>();
  for (const update of updates) {
    const key = settings.groups.find((rule) => matches(rule, update))?.name ?? soloKey(update);
    groups.set(key, [...(groups.get(key) ?? []), update]);
  }
  return [...groups.entries()]
    .map(([key, list]) => ({ key, updates: list.sort((a, b) => a.name.localeCompare(b.name)) }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

/** The same updates (names and target versions): a rescan that finds them opens nothing. */
export function sameUpdates(a: readonly UpdateCandidate[], b: readonly UpdateCandidate[]): boolean {
  const key = (list: readonly UpdateCandidate[]) =>
    list
      .map((u) => `${u.ecosystem}:${u.name}@${u.to}`)
      .sort()
      .join(',');
  return key(a) === key(b);
}
