import { describe, expect, it } from 'vitest';
import { extractTaskTerms } from './task-terms.js';

describe('extractTaskTerms', () => {
  it('weighs names that look like code over plain words, and ignores the words of links', () => {
    const terms = extractTaskTerms(
      'Fix `stringify` when parse_config calls encode(x) on values ([abc](https://github.com/org/nodemailer/commit/abc))',
    );
    expect(terms.identifiers.get('stringify')).toBe(1);
    expect(terms.identifiers.get('parse_config')).toBe(1);
    expect(terms.identifiers.get('encode')).toBe(1);
    expect(terms.identifiers.get('values')).toBe(0.25);
    expect(terms.identifiers.has('nodemailer')).toBe(false);
    expect(terms.words).toContain('config');
  });

  it('reads file paths and function names from a stack trace of the baseline run', () => {
    const terms = extractTaskTerms('', 'Traceback:\n  File "pkg/geometry/shapes.py", line 3, in area\n');
    expect(terms.paths).toContain('pkg/geometry/shapes.py');
    expect(terms.identifiers.has('area')).toBe(true);
  });
});
