import type { Versioning } from '../types.js';

/** A heading's version: `## [2.0.0](...) (2024-01-01)`, `# v2.0.0`, `### 2.1 / 2019-05-01`. */
const HEADING = /^(#{1,6})\s+(.*)$/;
/** A reStructuredText or setext underline: one punctuation character, three times or more. */
const UNDERLINE = /^([=\-~^*+#"'`:.])\1{2,}\s*$/;
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
  // Underlined headings (reStructuredText, Markdown's setext) rank by their character's first use.
  const underlines: string[] = [];
  let fenced = false;
  lines.forEach((line, index) => {
    if (line.trimStart().startsWith('```')) fenced = !fenced;
    if (fenced) return;
    const match = HEADING.exec(line);
    if (match) {
      const version = VERSION_IN_HEADING.exec(match[2] ?? '')?.[1];
      headings.push({ line: index, level: (match[1] ?? '').length, version });
      return;
    }
    const under = UNDERLINE.exec(lines[index + 1] ?? '')?.[1];
    if (under === undefined || line.trim() === '' || UNDERLINE.test(line)) return;
    if (!underlines.includes(under)) underlines.push(under);
    // An overline of the same character belongs to the heading.
    const start = (lines[index - 1] ?? '').startsWith(under.repeat(3)) ? index - 1 : index;
    const version = VERSION_IN_HEADING.exec(line)?.[1];
    headings.push({ line: start, level: underlines.indexOf(under) + 1, version });
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
