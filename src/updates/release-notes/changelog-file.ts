/** The names packages keep their history under, most telling first. */
const CHANGELOG_NAMES = ['changelog', 'changes', 'history', 'releases', 'release-notes', 'news'];
const CHANGELOG_FILE =
  /^(changelog|changes|history|releases|release[-_]notes|news)(?:\.(?:md|markdown|txt|rst))?$/i;

/** Whether a file name (no folder) is a changelog's. */
export const isChangelogName = (name: string): boolean => CHANGELOG_FILE.test(name);

/**
 * The changelog among an archive's picked files whose folder is `folder` (`package/`, `''` for the
 * root): by the most telling name, then the shortest path, so the choice never depends on archive order.
 */
export function pickChangelog(
  files: ReadonlyMap<string, string>,
  folder: (path: string) => boolean,
): string | undefined {
  const rank = (path: string): number => {
    const base = (CHANGELOG_FILE.exec(path.slice(path.lastIndexOf('/') + 1))?.[1] ?? '').toLowerCase();
    const index = CHANGELOG_NAMES.indexOf(base.replace('_', '-'));
    return index < 0 ? CHANGELOG_NAMES.length : index;
  };
  const best = [...files.keys()]
    .filter((path) => folder(path) && isChangelogName(path.slice(path.lastIndexOf('/') + 1)))
    .sort((a, b) => rank(a) - rank(b) || a.length - b.length || (a < b ? -1 : 1))[0];
  return best === undefined ? undefined : files.get(best);
}

/** Whether `path` lies directly in the archive's single top folder (`package/CHANGELOG.md`). */
export const inTopFolder = (path: string): boolean => /^[^/]+\/[^/]+$/.test(path);
