/** Release-note files packages ship, in the order they are looked for. */
export const CHANGELOG_NAMES = [
  'CHANGELOG.md',
  'History.md',
  'HISTORY.md',
  'Changes.md',
  'release-notes.md',
  'CHANGELOG',
  // PyPI sdists and crates mostly write reStructuredText or name the file otherwise.
  'CHANGES.rst',
  'CHANGELOG.rst',
  'HISTORY.rst',
  'NEWS.rst',
  'NEWS.md',
  'RELEASES.md',
  'NEWS',
];
const MAX_ENTRY_CHARS = 4000;
const UNDERLINE = /^(=+|-+)\s*$/;

/**
 * The entry for `version` in a changelog: from the heading that names it to the next heading of the
 * same or a higher level (its `### Bug Fixes` sub-headings stay in). A heading is a `#` line, a line
 * underlined with `===`/`---`, or a line starting with a version number.
 */
export function changelogEntry(changelog: string, version: string): string | undefined {
  const lines = changelog.split('\n');
  const level = (index: number): number | undefined => {
    const line = lines[index] ?? '';
    const hashes = /^#+/.exec(line)?.[0].length;
    if (hashes !== undefined) return hashes;
    const next = lines[index + 1] ?? '';
    if (line.trim() !== '' && UNDERLINE.test(next)) return next.startsWith('=') ? 1 : 2;
    return /^\s*v?\d+\.\d+\.\d+\b/.test(line) ? 1 : undefined;
  };
  const start = lines.findIndex(
    (line, index) => containsVersion(line, version) && level(index) !== undefined,
  );
  if (start === -1) return undefined;
  const startLevel = level(start) ?? 1;
  let end = start + 1;
  while (end < lines.length && (level(end) ?? Number.POSITIVE_INFINITY) > startLevel) end += 1;
  const body = lines
    .slice(start + 1, end)
    .filter((line) => !UNDERLINE.test(line))
    .join('\n')
    .trim();
  return body === '' ? undefined : body.slice(0, MAX_ENTRY_CHARS);
}

/** `version` as a whole version in the line: not a part of 1.3.14 or 11.3.1. */
function containsVersion(line: string, version: string): boolean {
  let from = line.indexOf(version);
  while (from !== -1) {
    const before = line[from - 1] ?? ' ';
    const after = line.slice(from + version.length, from + version.length + 2);
    if (!/[0-9.]/.test(before) && !/^[0-9]|^\.[0-9]/.test(after)) return true;
    from = line.indexOf(version, from + 1);
  }
  return false;
}
