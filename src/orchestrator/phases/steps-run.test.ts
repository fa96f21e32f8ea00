import { describe, expect, it } from 'vitest';
import type { Step } from '../../domain/task.js';
import { defaultPlan } from '../../planner/default-plan.js';
import { renderPullRequestBody } from './pr-body.js';
import { stepsThatApplied } from './steps-run.js';

let seq = 0;
const step = (key: string, output: unknown, status: Step['status'] = 'succeeded'): Step => {
  const [phase = '', rest = ''] = key.split('.');
  seq += 1;
  return {
    task_id: 't',
    key,
    seq,
    phase: phase as Step['phase'],
    tool: rest.split('#')[0] ?? '',
    status,
    attempts: 1,
    input_summary: '',
    output_summary: `${key} done`,
    output,
    error: null,
    started_at: '2026-01-01T00:00:00Z',
    finished_at: null,
    duration_ms: null,
  };
};

describe('stepsThatApplied', () => {
  it('keeps the steps that ran and did something, in order, with their round', () => {
    const runs = stepsThatApplied([
      step('deliver.git_push#2', {}),
      step('prepare.lint#1', { reports: [{ available: false }] }),
      step('setup.setup#1', { runs: [] }),
      step('verify.lint#1', { reports: [{ available: true }] }),
      step('verify.secrets_scan#1', {}, 'failed'),
    ]);
    expect(runs.map((r) => `${r.phase}.${r.tool}#${r.round}`)).toEqual([
      'deliver.git_push#2',
      'verify.lint#1',
    ]);
  });

  it("describes each run with the plan's step of the same phase, tool and round", () => {
    const plan = defaultPlan({ title: 'Fix it', risk_tier: 'low' }, 1);
    const body = renderPullRequestBody({
      task: {
        id: 't',
        title: 'Fix it',
        description: '',
        repo: '/r',
        repo_normalized: '/r',
        repos: [{ repo: '/r', repo_normalized: '/r', base_branch: 'main', role: 'library' }],
        base_branch: 'main',
        risk_tier: 'low',
        constraints: [],
        acceptance: [],
        status: 'delivering',
        plan,
        branch: null,
        error: null,
        attempt: 1,
        cancel_requested: false,
        reverts_task_id: null,
        cost: { input_tokens: 0, output_tokens: 0, cached_input_tokens: 0, usd: 0 },
        created_at: '2026-01-01T00:00:00Z',
        updated_at: '2026-01-01T00:00:00Z',
        started_at: null,
        finished_at: null,
      },
      plan,
      stepsRun: stepsThatApplied([step('deliver.git_push#1', {}), step('deliver.git_push#2', {})]),
      decision: { allow: true, deny: [], engine: 'local' },
      tests: { ok: true, summary: '', feedback: '', reports: [] },
      lintWarnings: [],
      lintPreexisting: 0,
      checksTouched: [],
      constraints: [],
      usage: { calls: 0, inputTokens: 0, outputTokens: 0 },
      taskLink: '/t',
    });
    expect(body).toContain('1. **deliver** `git_push`: Push the task branch.');
    expect(body).toContain('2. **deliver** `git_push`: When the base moved: push the replayed change.');
    expect(body).not.toContain('`lint`');
  });
});
