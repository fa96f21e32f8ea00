import { describe, expect, it } from 'vitest';
import type { Task, TaskEvent } from '../../domain/task.js';
import {
  MAX_PR_BODY_CHARS,
  modelUsageOf,
  renderPullRequestBody,
  type PullRequestBodyInput,
} from './pr-body.js';

const TASK: Task = {
  id: '01jtask0000000000000000000',
  title: 'Fix it',
  description: 'Make it right.',
  repo: '/srv/git/app.git',
  repo_normalized: '/srv/git/app.git',
  repos: [
    { repo: '/srv/git/app.git', repo_normalized: '/srv/git/app.git', base_branch: 'main', role: 'library' },
  ],
  base_branch: 'main',
  risk_tier: 'medium',
  constraints: [],
  acceptance: [],
  status: 'delivering',
  plan: null,
  branch: 'autodev/x',
  error: null,
  attempt: 1,
  cancel_requested: false,
  reverts_task_id: null,
  cost: { input_tokens: 0, output_tokens: 0, cached_input_tokens: 0, usd: 0 },
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  started_at: null,
  finished_at: null,
};

function input(overrides: Partial<PullRequestBodyInput> = {}): PullRequestBodyInput {
  return {
    task: TASK,
    plan: null,
    decision: {
      allow: false,
      deny: [{ code: 'MEDIUM_RISK_REVIEW', message: 'needs a human' }],
      engine: 'local',
    },
    tests: { ok: true, summary: 'python (.): 2 passed, 0 failed', feedback: '', reports: [] },
    lintWarnings: [],
    lintPreexisting: 0,
    checksTouched: [],
    constraints: [],
    usage: { calls: 0, inputTokens: 0, outputTokens: 0 },
    taskLink: `/api/v1/autodev/tasks/${TASK.id}`,
    ...overrides,
  };
}

const event = (type: TaskEvent['type'], data: Record<string, unknown>): TaskEvent => ({
  id: 1,
  task_id: TASK.id,
  type,
  data,
  created_at: '2026-01-01T00:00:00Z',
});

describe('renderPullRequestBody', () => {
  it('stays under the forges’ description limit however large the task and plan are, and says where the rest is', () => {
    const huge = 'x'.repeat(200_000);
    const body = renderPullRequestBody(
      input({
        task: {
          ...TASK,
          description: huge,
          acceptance: Array.from({ length: 5000 }, (_, i) => `a${i} ${huge.slice(0, 50)}`),
        },
        plan: {
          source: 'model',
          summary: huge,
          steps: Array.from({ length: 500 }, () => ({
            phase: 'implement' as const,
            tool: 'codegen',
            description: huge,
          })),
        },
        constraints: Array.from({ length: 5000 }, () => huge.slice(0, 1000)),
      }),
    );
    expect(body.length).toBeLessThanOrEqual(MAX_PR_BODY_CHARS);
    expect(body).toContain('more characters');
  });

  it('gives the denial codes as the policy reasons and keeps a table cell on one line', () => {
    const body = renderPullRequestBody(input({ newDependencies: ['left|pad', 'evil\nrow'] }));
    expect(body).toContain('| Policy | needs review (local) |');
    expect(body).toContain('- MEDIUM_RISK_REVIEW: needs a human');
    expect(body).toContain('| New dependencies | left\\|pad, evil row |');
  });
});

describe('modelUsageOf', () => {
  it('sums the model.call events, ignores malformed ones, and shows dollars only when the task has a cost', () => {
    const events = [
      event('model.call', { inputTokens: 100, outputTokens: 10 }),
      event('model.call', { inputTokens: 'many' }),
      event('step.succeeded', { inputTokens: 999, outputTokens: 999 }),
      event('model.call', { inputTokens: 5, outputTokens: 1 }),
    ];
    expect(modelUsageOf(TASK, events)).toEqual({ calls: 2, inputTokens: 105, outputTokens: 11 });
    const withCost: Task = {
      ...TASK,
      cost: { input_tokens: 105, output_tokens: 11, cached_input_tokens: 0, usd: 0.25 },
    };
    expect(modelUsageOf(withCost, events).usd).toBe(0.25);
    expect(renderPullRequestBody(input({ usage: modelUsageOf(withCost, events) }))).toContain(
      '2 model call(s): 105 input + 11 output tokens, $0.2500',
    );
  });
});

describe('the performance section', () => {
  const perf = {
    configured: true,
    command: ['go', 'test', '-bench', '.'],
    format: 'go' as const,
    rounds: 5,
    max_regression_pct: 10,
    seed: 1,
    comparisons: [
      {
        name: 'BenchmarkA|b',
        unit: 'ns',
        base: 1500,
        head: 3200,
        ratio: 2.1333,
        ci: [2.01, 2.3] as [number, number],
        significant: true,
        noisy: false,
        regression: true,
        spread: 0.01,
        rounds: 5,
      },
      {
        name: 'BenchmarkB',
        unit: 'ns',
        base: 2_000_000,
        head: 2_010_000,
        ratio: 1.005,
        ci: [0.8, 1.3] as [number, number],
        significant: false,
        noisy: true,
        regression: false,
        spread: 0.2,
        rounds: 5,
      },
    ],
    regressions: ['BenchmarkA|b'],
    base_only: [],
    head_only: [],
    duration_ms: 1000,
  };

  it('has a Checks row and one table row a benchmark, with base, head, ratio, interval and verdict', () => {
    const body = renderPullRequestBody(input({ perf }));
    expect(body).toContain('| Performance | 2 benchmark(s), 5 interleaved rounds: 1 regressed, 1 noisy |');
    expect(body).toContain('| `BenchmarkA\\|b` | 1.5 µs | 3.2 µs | 2.133 | 2.010 – 2.300 | **regression** |');
    expect(body).toContain('| `BenchmarkB` | 2 ms | 2.01 ms | 1.005 | 0.800 – 1.300 | noisy |');
  });

  it('says when nothing was compared, and is absent without [bench]', () => {
    const failed = renderPullRequestBody(
      input({ perf: { ...perf, comparisons: [], unavailable: 'exit 1' } }),
    );
    expect(failed).toContain('| Performance | not compared: exit 1 |');
    const none = renderPullRequestBody(input({ perf: { ...perf, configured: false } }));
    expect(none).toContain('| Performance | no [bench] declared |');
    expect(none).not.toContain('### Performance');
  });
});
