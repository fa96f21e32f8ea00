/**
 * Files that are never part of a package's public API even when they export things: tests, their
 * fixtures and examples. Their exports change freely with the code they test.
 */
const NON_PUBLIC_SEGMENTS = new Set([
  'test',
  'tests',
  '__tests__',
  'testdata',
  '__fixtures__',
  'fixtures',
  'examples',
  'benches',
  'bench',
]);

export function isNonPublicPath(file: string): boolean {
  const parts = file.split('/');
  const base = parts.at(-1) ?? '';
  if (parts.slice(0, -1).some((p) => NON_PUBLIC_SEGMENTS.has(p))) return true;
  return /(\.|_)(test|spec)\.[^.]+$/.test(base) || /^test_.*\.py$/.test(base) || base === 'conftest.py';
}

/** Whitespace runs to one space: layout never makes a signature different. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
