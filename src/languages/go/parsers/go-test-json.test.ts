import { describe, expect, it } from 'vitest';
import { parseGoTestJson } from './go-test-json.js';

const event = (action: string, test: string) =>
  JSON.stringify({ Action: action, Package: 'example.com/m/dynamic', Test: test });

describe('go test -json: names of passing tests', () => {
  it('a passing parent is named (not counted), so a baseline failure under its name is found passing (corpus: xxhash TestDynamic)', () => {
    const output = [
      event('run', 'TestDynamic'),
      event('run', 'TestDynamic/[chunkSize=1]'),
      event('pass', 'TestDynamic/[chunkSize=1]'),
      event('run', 'TestDynamic/[chunkSize=2]'),
      event('pass', 'TestDynamic/[chunkSize=2]'),
      event('pass', 'TestDynamic'),
    ].join('\n');
    const counts = parseGoTestJson(output);
    expect(counts.passed).toBe(2);
    expect(counts.passedNames).toEqual([
      'TestDynamic/[chunkSize=1]',
      'TestDynamic/[chunkSize=2]',
      'TestDynamic',
    ]);
  });

  it('a failed parent is not named as passing', () => {
    const output = [
      event('run', 'TestX'),
      event('run', 'TestX/a'),
      event('fail', 'TestX/a'),
      event('fail', 'TestX'),
    ].join('\n');
    const counts = parseGoTestJson(output);
    expect(counts.passedNames).toEqual([]);
    expect(counts.failures.map((f) => f.name)).toEqual(['TestX/a']);
  });
});

describe('go test -json: the same test name in two packages', () => {
  const inPackage = (pkg: string, action: string, test: string) =>
    JSON.stringify({ Action: action, Package: pkg, Test: test });

  it('is qualified by its package, so one package failing is not taken for the other; unique names stay plain', () => {
    const output = [
      inPackage('example.com/m/a', 'pass', 'TestParse'),
      inPackage('example.com/m/b', 'fail', 'TestParse'),
      inPackage('example.com/m/b', 'pass', 'TestOnlyHere'),
    ].join('\n');
    const counts = parseGoTestJson(output);
    expect(counts.failures.map((f) => f.name)).toEqual(['example.com/m/b.TestParse']);
    expect(counts.passedNames).toEqual(['example.com/m/a.TestParse', 'TestOnlyHere']);
  });
});
