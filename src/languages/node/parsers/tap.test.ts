import { describe, expect, it } from 'vitest';
import { sample } from '../../parsers/fixture.js';
import { parseJsTestOutput } from './js-test-output.js';
import { parseTapOutput } from './tap.js';

// tape-failing.txt / tape-passing.txt: the output of `node t.js` with tape 2 (tape 1 prints the same).
describe('TAP (tape) test output', () => {
  it('reads tape totals and names each failing assertion under its test', () => {
    const counts = parseTapOutput(sample('tape-failing.txt'));
    expect(counts).toMatchObject({ found: true, passed: 3, failed: 1, skipped: 0 });
    expect(counts.failures).toEqual([{ name: 'merges objects > keeps the last value' }]);
    expect(counts.passedNames).toEqual([
      'adds > sums small numbers',
      'adds > (unnamed assert)',
      'merges objects > should be equal',
    ]);
  });

  it('names the fixed assertion among the passing ones, so a baseline failure is seen to pass', () => {
    const counts = parseTapOutput(sample('tape-passing.txt'));
    expect(counts).toMatchObject({ found: true, passed: 4, failed: 0 });
    expect(counts.passedNames).toContain('merges objects > keeps the last value');
  });

  it('the JavaScript dispatcher picks TAP for tape and node --test for node runner output', () => {
    const tape = parseJsTestOutput(`> xtend@4.0.2 test\n> node test\n\n${sample('tape-failing.txt')}`);
    expect(tape.failures).toEqual([{ name: 'merges objects > keeps the last value' }]);
    expect(tape.passed).toBe(3);
    const node = parseJsTestOutput(sample('node-test-failing.txt'));
    expect(node.failures).toEqual([{ name: 'subtracts' }]);
  });

  it('counts points when the run died before its totals, and reads SKIP/TODO directives', () => {
    const counts = parseTapOutput(
      [
        'TAP version 13',
        '# a',
        'ok 1 - one',
        'not ok 2 two # TODO later',
        'ok 3 three # skip slow',
        'not ok 4 four',
        '',
      ].join('\n'),
    );
    expect(counts).toMatchObject({ found: false });
    const planned = parseTapOutput(
      '1..4\n# a\nok 1 - one\nnot ok 2 two # TODO later\nok 3 three # SKIP\nnot ok 4 four\n',
    );
    expect(planned).toMatchObject({ found: true, passed: 1, failed: 1, skipped: 2 });
    expect(planned.failures).toEqual([{ name: 'a > four' }]);
  });

  it('output with no TAP in it is not claimed', () => {
    expect(parseTapOutput('Error: Cannot find module tape\n').found).toBe(false);
  });
});

// tap-runner-*.txt: `npm test` of minimist 1.2.5 (`tap test/*.js`, node-tap's early runner) before and
// after its 1.2.6 prototype-pollution fix (corpus: minimist-fix). Its output held no summary autodev read.
describe("node-tap's early runner (one line a file, then a total)", () => {
  it('reads the total and names the failing file, so the suite is not "unavailable"', () => {
    const counts = parseJsTestOutput(sample('tap-runner-failing.txt'));
    expect(counts).toMatchObject({ found: true, passed: 160, failed: 3 });
    expect(counts.failures).toEqual([{ name: 'test/proto.js' }]);
    expect(counts.passedNames).toContain('test/bool.js');
  });

  it('after the fix the same file is among the passing ones', () => {
    const counts = parseJsTestOutput(sample('tap-runner-passing.txt'));
    expect(counts).toMatchObject({ found: true, passed: 163, failed: 0, failures: [] });
    expect(counts.passedNames).toContain('test/proto.js');
  });
});
