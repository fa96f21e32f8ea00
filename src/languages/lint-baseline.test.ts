import { describe, expect, it } from 'vitest';
import { compareWithBaseline } from './lint-baseline.js';
import type { LintReport, LintWarning } from './types.js';

const w = (file: string, line: number, rule: string, message: string): LintWarning => ({
  file,
  line,
  rule,
  message,
  severity: 'warning',
});

const report = (warnings: LintWarning[], available = true): LintReport => ({
  language: 'python',
  root: '.',
  tool: 'ruff',
  available,
  command: ['ruff'],
  exitCode: 1,
  warnings,
  durationMs: 1,
  outputTail: '',
});

describe('compareWithBaseline', () => {
  it('matches as a multiset of file, rule and message: two before and three after is one introduced', () => {
    const unused = (line: number) => w('a.py', line, 'F401', '`os` imported but unused');
    const out = compareWithBaseline(
      [report([unused(3), unused(4), unused(9)])],
      [report([unused(1), unused(2)])],
      ['a.py'],
    );
    expect(out.introduced).toEqual([unused(9)]);
    expect(out.preexisting).toHaveLength(2);
  });

  it('line numbers inside a message move with the code and still match', () => {
    const before = w('a.py', 5, 'F811', 'Redefinition of unused `x` from line 3');
    const after = w('a.py', 6, 'F811', 'Redefinition of unused `x` from line 4');
    const out = compareWithBaseline([report([after])], [report([before])], ['a.py']);
    expect(out).toMatchObject({ introduced: [], preexisting: [after] });
  });

  it('a new warning in a file the change did not touch is still introduced; old ones there are not listed', () => {
    const old = w('b.py', 1, 'F401', '`sys` imported but unused');
    const caused = w('c.py', 2, 'F821', 'Undefined name `helper`');
    const out = compareWithBaseline([report([old, caused])], [report([old])], ['a.py']);
    expect(out).toMatchObject({ introduced: [caused], preexisting: [] });
  });

  it('a linter that failed is never excused by a baseline where it failed the same way', () => {
    const failed = w('.', 0, 'lint-failed', 'ruff exited with 2');
    const out = compareWithBaseline([report([failed])], [report([failed])], ['a.py']);
    expect(out.introduced).toEqual([failed]);
  });

  it('a baseline taken when the linter was unavailable is no baseline: the changed files count whole', () => {
    const mine = w('a.py', 1, 'F401', '`os` imported but unused');
    const elsewhere = w('b.py', 1, 'F401', '`os` imported but unused');
    const out = compareWithBaseline([report([mine, elsewhere])], [report([], false)], ['a.py']);
    expect(out).toMatchObject({ introduced: [mine], preexisting: [], noBaseline: ['ruff (python, .)'] });
  });
});
