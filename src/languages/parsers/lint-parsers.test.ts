import { describe, expect, it } from 'vitest';
import { sample } from './fixture.js';
import { parseClippyJson } from '../rust/parsers/clippy.js';
import { parseEslintJson } from '../node/parsers/eslint.js';
import { parseTscOutput } from '../node/parsers/tsc.js';
import { parseRuffJson } from '../python/parsers/ruff.js';
import { parseGoVetJson } from '../go/parsers/go-vet.js';

describe('lint output parsers on real output', () => {
  it('clippy JSON: the lint code, the primary span, no summary lines', () => {
    expect(parseClippyJson(sample('clippy.jsonl'))).toEqual([
      {
        file: 'src/lib.rs',
        line: 6,
        column: 5,
        rule: 'clippy::needless_return',
        message: 'unneeded `return` statement',
        severity: 'warning',
      },
    ]);
  });

  it('eslint JSON', () => {
    expect(parseEslintJson(sample('eslint.json'))).toEqual([
      {
        file: '/tmp/lc/node-lint/src/extra.js',
        line: 2,
        column: 9,
        rule: 'no-unused-vars',
        message: "'leftover' is assigned a value but never used.",
        severity: 'warning',
      },
    ]);
    expect(parseEslintJson('Oops! Something went wrong!')).toBeUndefined();
  });

  it('tsc --pretty false', () => {
    const warnings = parseTscOutput(sample('tsc.txt'));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toEqual({
      file: 'a.ts',
      line: 1,
      column: 7,
      rule: 'TS2322',
      message: "Type 'string' is not assignable to type 'number'.",
      severity: 'error',
    });
  });

  it('ruff JSON', () => {
    expect(parseRuffJson(sample('ruff.json'))).toEqual([
      {
        file: '/tmp/lc/python-lint/calc.py',
        line: 1,
        column: 8,
        rule: 'F401',
        message: '`os` imported but unused',
        severity: 'warning',
      },
    ]);
    expect(parseRuffJson('error: unexpected argument')).toBeUndefined();
  });

  it('go vet -json: one object per package, concatenated', () => {
    expect(parseGoVetJson(sample('go-vet.txt'))).toEqual([
      {
        file: '/tmp/lc/go-lint/calc.go',
        line: 11,
        column: 22,
        rule: 'printf',
        message: 'fmt.Sprintf format %d has arg "one" of wrong type string',
        severity: 'warning',
      },
    ]);
    const two = parseGoVetJson(sample('go-vet-two-packages.txt'));
    expect(two.map((w) => w.file).sort()).toEqual(['/tmp/lc/go-lint2/calc.go', '/tmp/lc/go-lint2/sub/y.go']);
  });
});
