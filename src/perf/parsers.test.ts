import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BENCH_PARSERS } from './index.js';

// Each fixture is the real output of its tool, run here (go test -bench, cargo bench with
// Criterion 0.5 --output-format bencher, pytest-benchmark 5.3 --benchmark-json, hyperfine 1.15).
const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, '__fixtures__', name), 'utf8');

describe('benchmark output parsers', () => {
  it('go: every Benchmark line with ns/op, the GOMAXPROCS suffix dropped, sub-benchmarks kept', () => {
    expect(BENCH_PARSERS.go.parse(fixture('go-bench.txt'))).toEqual([
      { name: 'BenchmarkFib20', value: 178724, unit: 'ns' },
      { name: 'BenchmarkFib10', value: 1701, unit: 'ns' },
      { name: 'BenchmarkSub/size=small', value: 136.5, unit: 'ns' },
    ]);
  });

  it('criterion: the bencher lines cargo bench prints, names with spaces and groups', () => {
    expect(BENCH_PARSERS.criterion.parse(fixture('criterion-bencher.txt'))).toEqual([
      { name: 'fib 15', value: 1318, unit: 'ns' },
      { name: 'small/fib 5', value: 10, unit: 'ns' },
    ]);
  });

  it("criterion: cargo-criterion's benchmark-complete JSON messages, in their unit", () => {
    const text = [
      '{"reason":"group-complete","group_name":"g","benchmarks":[]}',
      '{"reason":"benchmark-complete","id":"parse/big","typical":{"estimate":1.5,"lower_bound":1.4,"upper_bound":1.6,"unit":"us"}}',
    ].join('\n');
    expect(BENCH_PARSERS.criterion.parse(text)).toEqual([{ name: 'parse/big', value: 1500, unit: 'ns' }]);
  });

  it('pytest-benchmark: fullname and the median in seconds, as nanoseconds', () => {
    const doc = JSON.parse(fixture('pytest-benchmark.json')) as {
      benchmarks: { fullname: string; stats: { median: number } }[];
    };
    const parsed = BENCH_PARSERS['pytest-benchmark'].parse(fixture('pytest-benchmark.json'));
    expect(parsed.map((m) => m.name)).toEqual(['test_bench.py::test_fib15', 'test_bench.py::test_sorted']);
    parsed.forEach((m, i) => expect(m.value).toBeCloseTo((doc.benchmarks[i]?.stats.median ?? 0) * 1e9, 3));
  });

  it('hyperfine: each command (or its -n name) with its median', () => {
    const parsed = BENCH_PARSERS.hyperfine.parse(fixture('hyperfine.json'));
    expect(parsed.map((m) => m.name)).toEqual(['fib20', 'sleep 0.01']);
    expect(parsed[1]?.value).toBeCloseTo(0.01588752838 * 1e9, 0);
  });

  it('lines: name value unit, times in ns, other units as they are, comments skipped', () => {
    expect(BENCH_PARSERS.lines.parse('# comment\nparse config 1.25 ms\n\nrows 300 ops\n')).toEqual([
      { name: 'parse config', value: 1_250_000, unit: 'ns' },
      { name: 'rows', value: 300, unit: 'ops' },
    ]);
  });

  it.each([
    ['lines', 'just-a-name', /line 1 is not `name value unit`/],
    ['lines', 'x abc ms', /line 1/],
    ['pytest-benchmark', '{"results": []}', /no `benchmarks` array/],
    [
      'pytest-benchmark',
      '{"benchmarks": [{"fullname": "t", "stats": {"median": "fast"}}]}',
      /t: stats.median/,
    ],
    ['hyperfine', 'not json', /not JSON/],
    ['hyperfine', '{"results": [{"median": 1}]}', /results\[0\] has no command/],
    ['criterion', 'test a ... bench: 12 furlongs/iter', /a: .* is not a time per iteration/],
  ] as const)('%s: bad output %j is BENCH_OUTPUT_INVALID naming what is wrong', (format, text, message) => {
    expect(() => BENCH_PARSERS[format].parse(text)).toThrow(message);
    try {
      BENCH_PARSERS[format].parse(text);
    } catch (error) {
      expect((error as { code?: string }).code).toBe('BENCH_OUTPUT_INVALID');
    }
  });
});
