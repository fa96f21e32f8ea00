import type { Versioning } from '../types.js';

/** A heading's version: `## [2.0.0](...) (2024-01-01)`, `# v2.0.0`, `### 2.1 / 2019-05-01`. */
const HEADING = /^(#{1,6})\s+(.*)$/;
const VERSION_IN_HEADING = /\bv?(\d+\.\d+(?:\.\d+)?(?:-[0-9A-Za-z.-]+)?)/;

interface Heading {
  line: number;
  level: number;
  version: string | undefined;
}

/** `2.1` as `2.1.0`: changelogs drop a zero patch, semver does not. */
function fullVersion(version: string): string {
  return /^\d+\.\d+(?:-|$)/.test(version) ? version.replace(/^(\d+\.\d+)/, '$1.0') : version;
}

function compareOrUndefined(scheme: Versioning, a: string, b: string): number | undefined {
  try {
    const result = scheme.compare(a, b);
    return Number.isFinite(result) ? result : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The sections of a changelog for the versions after `from` up to and including `to`, in the file's
 * order: each from its version heading to the next version heading or heading as shallow as it. Undefined when no
 * heading names such a version (the file is not a changelog by versions, or skips them).
 */
export function changelogExcerpt(
  text: string,
  from: string,
  to: string,
  scheme: Versioning,
): string | undefined {
  const lines = text.split(/\r?\n/);
  const headings: Heading[] = [];
  let fenced = false;
  lines.forEach((line, index) => {
    if (line.trimStart().startsWith('```')) fenced = !fenced;
    if (fenced) return;
    const match = HEADING.exec(line);
    if (!match) return;
    const version = VERSION_IN_HEADING.exec(match[2] ?? '')?.[1];
    headings.push({ line: index, level: (match[1] ?? '').length, version });
  });
  const sections: string[] = [];
  headings.forEach((heading, i) => {
    if (heading.version === undefined) return;
    const version = fullVersion(heading.version);
    const afterFrom = compareOrUndefined(scheme, version, from);
    const uptoTo = compareOrUndefined(scheme, version, to);
    if (afterFrom === undefined || uptoTo === undefined || afterFrom <= 0 || uptoTo > 0) return;
    const end =
      headings.slice(i + 1).find((next) => next.level <= heading.level || next.version !== undefined)?.line ??
      lines.length;
    sections.push(lines.slice(heading.line, end).join('\n').trimEnd());
  });
  return sections.length === 0 ? undefined : sections.join('\n\n');
}
