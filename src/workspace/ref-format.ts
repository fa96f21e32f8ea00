/**
 * `git check-ref-format <ref>` without options, in-process: git's own rules (refs.c,
 * check_refname_format), so validating a branch or ref name costs no git process. It runs several
 * times per task (branch, base branch, push, rebase, kept refs), each spawn 5-50 ms by load.
 * The test suite compares it with git's answer on tricky and random names.
 */

/** Characters git refuses anywhere in a ref name (besides control characters and DEL). */
const FORBIDDEN = new Set([' ', '~', '^', ':', '?', '*', '[', '\\']);

function badComponent(component: string): boolean {
  // Empty (`//`, a leading or trailing `/`), hidden (`.x`) or a lock file's name (`x.lock`).
  return component === '' || component.startsWith('.') || component.endsWith('.lock');
}

/** Whether git would accept `ref` as a full ref name (`refs/heads/x`; one-level names are refused). */
export function isValidRefName(ref: string): boolean {
  if (ref === '@' || ref.endsWith('.') || ref.includes('..') || ref.includes('@{')) return false;
  for (const char of ref) {
    const code = char.charCodeAt(0);
    if (code < 0x20 || code === 0x7f || FORBIDDEN.has(char)) return false;
  }
  const components = ref.split('/');
  return components.length >= 2 && !components.some(badComponent);
}
