import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2E, type E2EHarness } from './harness.js';
import { editReply, PERF_TASK_MS as TASK_MS, runBenchTask } from './perf-journey.js';

/**
 * A Go module with a `testing.B` benchmark declared in `.autodev.toml` [bench]: every task runs it on
 * the base and on the change, interleaved in the sandbox, through the real API, forge and policy.
 */
const GO_BENCH_REPO = {
  'go.mod': 'module example.com/sumsq\n\ngo 1.21\n',
  'sumsq.go': [
    'package sumsq',
    '',
    '// SumSquares adds the squares of xs.',
    'func SumSquares(xs []int) int {',
    '\ttotal := 0',
    '\tfor _, x := range xs {',
    '\t\ttotal += x * x',
    '\t}',
    '\treturn total',
    '}',
    '',
  ].join('\n'),
  'sumsq_test.go': [
    'package sumsq',
    '',
    'import "testing"',
    '',
    'func TestSumSquares(t *testing.T) {',
    '\tif got := SumSquares([]int{1, 2, 3}); got != 14 {',
    '\t\tt.Fatalf("got %d", got)',
    '\t}',
    '}',
    '',
    'func BenchmarkSumSquares(b *testing.B) {',
    '\txs := make([]int, 1000)',
    '\tfor i := range xs {',
    '\t\txs[i] = i',
    '\t}',
    '\tfor i := 0; i < b.N; i++ {',
    '\t\tSumSquares(xs)',
    '\t}',
    '}',
    '',
  ].join('\n'),
  '.autodev.toml': [
    '[bench]',
    `command = ["go", "test", "-vet=off", "-run", "^$", "-bench", ".", "-benchtime", "20ms"]`,
    'format = "go"',
    '',
  ].join('\n'),
};

const edit = (search: string, replace: string) => editReply('sumsq.go', search, replace);

/** Only the comment changes: the code the benchmark runs is the same. */
const NO_OP = edit(
  '// SumSquares adds the squares of xs.',
  '// SumSquares returns the sum of the squares of xs.',
);

/** The planted slowdown: every element goes through a loop of busy work that does not change the sum. */
const SLOWDOWN = edit(
  '\t\ttotal += x * x',
  '\t\tsq := 0\n\t\tfor k := 0; k < 200; k++ {\n\t\t\tsq = x * x\n\t\t}\n\t\ttotal += sq',
);

const run = (h: E2EHarness, reply: string, title: string) => runBenchTask(h, GO_BENCH_REPO, reply, title);

describe('performance-regression check on a Go benchmark, through the API', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E({ max_step_retries: 0, bench_rounds: 3 });
  });
  afterAll(() => h?.close());

  it(
    'a planted slowdown is caught: PERF_REGRESSION names the benchmark and its numbers',
    { timeout: TASK_MS },
    async () => {
      const { task, decision, prBody } = await run(h, SLOWDOWN, 'Rewrite SumSquares');
      expect(task.error).toBeNull();
      expect(task.status).toBe('awaiting_review');
      const bench = task.steps.find((s) => s.key.startsWith('verify.bench'));
      expect(bench?.output_summary).toMatch(/regressed: BenchmarkSumSquares/);
      expect(decision).toMatchObject({
        allow: false,
        deny: [
          {
            code: 'PERF_REGRESSION',
            message: expect.stringMatching(
              /^Performance regression in BenchmarkSumSquares: [\d.]+ times its base \([\d.e+]+ ns to [\d.e+]+ ns, 95% CI [\d.]+ to [\d.]+\), beyond 10%$/,
            ),
          },
        ],
        perf_regressions: [expect.objectContaining({ name: 'BenchmarkSumSquares', unit: 'ns' })],
      });
      expect(prBody).toContain('| Performance | 1 benchmark(s), 3 interleaved rounds: 1 regressed |');
      expect(prBody).toContain('| Benchmark | Base | Head | Ratio | 95% CI | Verdict |');
      expect(prBody).toMatch(
        /\| `BenchmarkSumSquares` \| [\d.]+ [nµ]s \| [\d.]+ [nµm]?s \| [\d.]+ \| [\d.]+ – [\d.]+ \| \*\*regression\*\* \|/,
      );
    },
  );

  it(
    'a change that leaves the benchmarked code alone is not flagged and merges',
    { timeout: TASK_MS },
    async () => {
      const { task, decision } = await run(h, NO_OP, 'Reword the SumSquares comment');
      expect(task.error).toBeNull();
      expect(task.status).toBe('merged');
      expect(task.steps.find((s) => s.key.startsWith('verify.bench'))?.output_summary).toMatch(
        /^1 benchmark\(s\) over 3 rounds: no regression/,
      );
      expect(decision).toMatchObject({ allow: true, deny: [] });
    },
  );
});
