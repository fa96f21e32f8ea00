import { describe, expect, it } from 'vitest';
import { sample } from './fixture.js';
import { parseLibtestOutput } from '../rust/parsers/libtest.js';
import { parseGoTestJson, parseGoTestText } from '../go/parsers/go-test-json.js';
import { parseJunitXml } from './junit-xml.js';
import { parsePytestSummary } from '../python/parsers/pytest-summary.js';
import { parseUnittestOutput } from '../python/parsers/unittest.js';
import { parseNodeTestOutput } from '../node/parsers/node-test.js';
import { parseMochaOutput, parseVitestOrJestOutput } from '../node/parsers/js-test-summary.js';

describe('test output parsers on real output', () => {
  it('cargo test: sums every test binary and names the failing test with its panic', () => {
    const failing = parseLibtestOutput(sample('cargo-test-failing.txt'));
    expect(failing).toMatchObject({ found: true, passed: 1, failed: 1, skipped: 1 });
    expect(failing.failures.map((f) => f.name)).toEqual(['tests::subtracts']);
    expect(failing.failures[0]?.message).toContain('left: 1');
    expect(parseLibtestOutput(sample('cargo-test-passing.txt'))).toMatchObject({
      passed: 2,
      failed: 0,
      skipped: 1,
      failures: [],
    });
    expect(parseLibtestOutput('error[E0308]: mismatched types').found).toBe(false);
  });

  it('go test -json: counts pass/fail/skip and keeps the failing output', () => {
    const failing = parseGoTestJson(sample('go-test-failing.jsonl'));
    expect(failing).toMatchObject({ found: true, passed: 1, failed: 1, skipped: 1 });
    expect(failing.failures[0]?.name).toBe('TestSubtracts');
    expect(failing.failures[0]?.message).toContain('Sub(3, 2) = 1, want 0');
    expect(parseGoTestJson(sample('go-test-passing.jsonl'))).toMatchObject({
      passed: 2,
      failed: 0,
      skipped: 1,
    });
  });

  it('go test -json: a package that does not compile is a failure naming the package and the error', () => {
    const broken = parseGoTestJson(sample('go-test-build-failed.jsonl'));
    expect(broken.failed).toBe(1);
    expect(broken.failures[0]?.name).toContain('example.com/broken');
    expect(broken.failures[0]?.message).toContain('cannot use "s"');
  });

  it('go test text (a command overridden without -json): --- FAIL lines', () => {
    const text = sample('go-test-failing.jsonl')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { Output?: string }).Output ?? '')
      .join('');
    expect(parseGoTestText(text)).toMatchObject({
      passed: 1,
      failed: 1,
      skipped: 1,
      failures: [{ name: 'TestSubtracts' }],
    });
  });

  it('pytest junit xml (xunit1): node ids of failing tests and the assertion message', () => {
    const failing = parseJunitXml(sample('pytest-junit-failing.xml'));
    expect(failing).toMatchObject({ found: true, passed: 1, failed: 1, skipped: 1 });
    expect(failing.failures[0]?.name).toBe('tests/test_calc.py::test_subtracts');
    expect(failing.failures[0]?.message).toContain('assert 1 == 0');
    expect(parseJunitXml(sample('pytest-junit-passing.xml'))).toMatchObject({
      passed: 2,
      failed: 0,
      skipped: 1,
    });
  });

  it('pytest terminal summary, for commands that wrote no junit report', () => {
    const failing = parsePytestSummary(sample('pytest-failing.txt'));
    expect(failing).toMatchObject({ found: true, passed: 1, failed: 1, skipped: 1 });
    expect(failing.failures).toEqual([
      { name: 'tests/test_calc.py::test_subtracts', message: 'assert 1 == 0' },
    ]);
    expect(parsePytestSummary(sample('pytest-passing.txt'))).toMatchObject({
      passed: 2,
      failed: 0,
      skipped: 1,
    });
  });

  it('unittest: Ran N tests, FAILED (failures=, skipped=) and the FAIL: lines', () => {
    const failing = parseUnittestOutput(sample('unittest-failing.txt'));
    expect(failing).toMatchObject({ found: true, passed: 1, failed: 1, skipped: 1 });
    expect(failing.failures).toEqual([{ name: 'tests.test_calc.CalcTest.test_subtracts' }]);
    expect(parseUnittestOutput(sample('unittest-passing.txt'))).toMatchObject({
      passed: 2,
      failed: 0,
      skipped: 1,
    });
  });

  it('node --test, TAP and spec reporters', () => {
    for (const file of ['node-test-failing.txt', 'node-test-spec-failing.txt']) {
      const counts = parseNodeTestOutput(sample(file));
      expect(counts, file).toMatchObject({ found: true, passed: 1, failed: 1, skipped: 1 });
      expect(counts.failures, file).toEqual([{ name: 'subtracts' }]);
    }
    expect(parseNodeTestOutput(sample('node-test-passing.txt'))).toMatchObject({
      passed: 2,
      failed: 0,
      skipped: 1,
    });
  });

  it('names the passing tests where the runner prints them, so a baseline failure can be found among them', () => {
    expect(parseJunitXml(sample('pytest-junit-failing.xml')).passedNames).toEqual([
      'tests/test_calc.py::test_adds',
    ]);
    expect(parseGoTestJson(sample('go-test-failing.jsonl')).passedNames).toEqual(['TestAdds']);
    expect(parseLibtestOutput(sample('cargo-test-failing.txt')).passedNames).toEqual(['tests::adds']);
    expect(parseNodeTestOutput(sample('node-test-failing.txt')).passedNames).toEqual(['adds']);
    expect(parseUnittestOutput(sample('unittest-passing.txt')).passedNames).toEqual([
      'tests.test_calc.CalcTest.test_adds',
      'tests.test_calc.CalcTest.test_subtracts',
    ]);
    // Counts only: no names rather than a guess.
    expect(parsePytestSummary(sample('pytest-passing.txt')).passedNames).toBeUndefined();
    expect(parseNodeTestOutput(sample('node-test-spec-failing.txt')).passedNames).toBeUndefined();
    expect(parseUnittestOutput('Ran 2 tests in 0.001s\n\nOK\n').passedNames).toBeUndefined();
  });

  it('vitest summary and FAIL lines', () => {
    const counts = parseVitestOrJestOutput(sample('vitest-failing.txt'));
    expect(counts).toMatchObject({ found: true, passed: 1, failed: 1, skipped: 1 });
    expect(counts.failures).toEqual([{ name: 'calc.test.mjs > subtracts' }]);
  });

  it('mocha passing/pending/failing and the numbered failure headings', () => {
    const counts = parseMochaOutput(sample('mocha-failing.txt'));
    expect(counts).toMatchObject({ found: true, passed: 1, failed: 1, skipped: 1 });
    expect(counts.failures).toEqual([{ name: 'calc subtracts' }]);
  });
});

describe('cargo test over a workspace: the same test name in two crates', () => {
  it('is qualified by its crate, each failure keeping its own message; unique names stay plain', () => {
    const output = [
      '     Running unittests src/lib.rs (target/debug/deps/alpha-0123456789abcdef)',
      'running 2 tests',
      'test tests::parses ... ok',
      'test tests::only_alpha ... ok',
      'test result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out',
      '     Running unittests src/lib.rs (target/debug/deps/beta-fedcba9876543210)',
      'running 1 test',
      'test tests::parses ... FAILED',
      'failures:',
      '---- tests::parses stdout ----',
      'beta cannot parse',
      'failures:',
      '    tests::parses',
      'test result: FAILED. 0 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out',
      '   Doc-tests alpha',
      'test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out',
    ].join('\n');
    const counts = parseLibtestOutput(output);
    expect(counts.failures).toEqual([{ name: 'beta/tests::parses', message: 'beta cannot parse' }]);
    expect(counts.passedNames).toEqual(['alpha/tests::parses', 'tests::only_alpha']);
  });

  it('cargo test: doc tests, whose names have spaces, are named as failing and passing (dotenvy 0.15.4)', () => {
    const output = [
      '     Running tests/test-multiline-comment.rs (target/debug/deps/test_multiline_comment-0123456789abcdef)',
      'running 1 test',
      'test test_issue_81 ... ok',
      'test result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out',
      '   Doc-tests dotenvy',
      'running 2 tests',
      'test src/lib.rs - dotenv (line 171) ... FAILED',
      'test src/lib.rs - var (line 58) ... ok',
      'failures:',
      '---- src/lib.rs - dotenv (line 171) stdout ----',
      'Test executable failed (exit status: 101).',
      'failures:',
      '    src/lib.rs - dotenv (line 171)',
      'test result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out',
    ].join('\n');
    const counts = parseLibtestOutput(output);
    expect(counts.failures).toEqual([
      { name: 'src/lib.rs - dotenv (line 171)', message: 'Test executable failed (exit status: 101).' },
    ]);
    expect(counts.passedNames).toEqual(['test_issue_81', 'src/lib.rs - var (line 58)']);
  });
});
