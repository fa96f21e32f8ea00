import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startE2E, type E2EHarness } from './harness.js';
import { editReply, PERF_TASK_MS, runBenchTask } from './perf-journey.js';
import { NODE, PYTHON, RUST } from './perf-languages.js';

/**
 * A planted slowdown must be caught and a change that leaves the measured code alone must merge, in
 * each language, through the API with the benchmark run in the sandbox.
 */
const ROUNDS = 5;

describe.each([RUST, PYTHON, NODE])('performance-regression check in $language, through the API', (lang) => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E({ max_step_retries: 0, bench_rounds: ROUNDS });
  });
  afterAll(() => h?.close());

  it(
    'a planted slowdown is caught: PERF_REGRESSION names the benchmark',
    { timeout: PERF_TASK_MS },
    async () => {
      const reply = editReply(lang.source, lang.hotLine, lang.slowerHotLine);
      const { task, decision, benchSummary } = await runBenchTask(
        h,
        lang.files,
        reply,
        `Slower: ${lang.language}`,
      );
      expect(task.error).toBeNull();
      expect(task.status).toBe('awaiting_review');
      expect(benchSummary).toMatch(new RegExp(`regressed: ${lang.benchmark}`));
      expect(decision).toMatchObject({
        allow: false,
        deny: [
          {
            code: 'PERF_REGRESSION',
            message: expect.stringMatching(
              new RegExp(`^Performance regression in ${lang.benchmark}: [\\d.]+ times its base \\(`),
            ),
          },
        ],
        perf_regressions: [expect.objectContaining({ name: lang.benchmark, unit: 'ns' })],
      });
    },
  );

  it(
    'a change that leaves the measured code alone is not flagged and merges',
    { timeout: PERF_TASK_MS },
    async () => {
      const reply = editReply(lang.source, lang.doc, lang.rewordedDoc);
      const { task, decision, benchSummary } = await runBenchTask(
        h,
        lang.files,
        reply,
        `No-op: ${lang.language}`,
      );
      expect(task.error).toBeNull();
      expect(task.status).toBe('merged');
      expect(benchSummary).toMatch(new RegExp(`^1 benchmark\\(s\\) over ${ROUNDS} rounds: no regression`));
      expect(decision).toMatchObject({ allow: true, deny: [] });
    },
  );
});
