import type { LintWarning } from '../../languages/types.js';

// A pull request body is read by a person: past this many, the audit trail has the rest.
const MAX_LISTED = 20;

/** The lint section of a pull request body: the warnings the change introduced, and how many it found already there. */
export function describeLint(introduced: readonly LintWarning[], preexisting: number): string {
  const lines = introduced
    .slice(0, MAX_LISTED)
    .map((w) => `- ${w.file}:${w.line} ${w.rule}: ${w.message.split('\n')[0] ?? ''}`);
  if (introduced.length > MAX_LISTED) lines.push(`- … and ${introduced.length - MAX_LISTED} more`);
  const head =
    introduced.length === 0
      ? 'No lint warning introduced.'
      : `${introduced.length} lint warning(s) introduced:`;
  return [head, ...lines, `${preexisting} pre-existing warning(s) in the changed files (not counted).`].join(
    '\n',
  );
}
