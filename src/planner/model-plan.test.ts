import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startScriptedModelServer } from '../../test/helpers/scripted-model-server.js';
import type { RecordedRequest, ScriptedModelServer } from '../../test/helpers/scripted-model-server.js';
import { llmConfigSchema } from '../config/schema.js';
import { createModelClient } from '../llm/index.js';
import type { ModelClient } from '../llm/types.js';
import type { ModelCallRecord } from '../tools/types.js';
import { describePlanForModel } from './describe-plan.js';
import { planWithModel, type PlanningTask } from './model-plan.js';

const TASK: PlanningTask = {
  title: 'Fix add() in calc',
  description: 'add(2, 3) returns -1; it must return 5.',
  constraints: ['Do not modify public API signatures'],
  acceptance: ['pytest passes'],
  risk_tier: 'low',
};

const VALID = {
  summary: 'add subtracts; make it add.',
  steps: [{ goal: 'Make add() return the sum', files: ['calc.py'], checks: ['test_add passes'] }],
};

/** Missing goal, an absolute path and an unknown key: three errors the model must be told about. */
const INVALID = { summary: 'x', steps: [{ files: ['/etc/passwd'], checks: [], extra: 1 }] };

const fenced = (value: unknown) => `Here is the plan:\n\`\`\`json\n${JSON.stringify(value, null, 2)}\n\`\`\``;

/** The text of every message of a recorded request, in both protocols' shapes. */
function requestText(request: RecordedRequest | undefined): string {
  return JSON.stringify(request?.body ?? '');
}

describe.each(['openai', 'anthropic'] as const)('planWithModel over the %s protocol', (provider) => {
  let server: ScriptedModelServer;
  let model: ModelClient;
  let calls: ModelCallRecord[];

  beforeEach(async () => {
    server = await startScriptedModelServer();
    const api_url = provider === 'openai' ? server.openaiUrl : server.anthropicUrl;
    model = createModelClient(llmConfigSchema.parse({ provider, model: 'test-model', api_url }), {
      apiKey: 'sk-test',
    });
    calls = [];
  });
  afterEach(() => server.close());

  const plan = () =>
    planWithModel(TASK, {
      model,
      signal: new AbortController().signal,
      maxRepairRounds: 1,
      maxTokens: 1000,
      temperature: 0,
      onModelCall: (record) => calls.push(record),
    });

  it('falls back to the default plan, naming the failure, when the model cannot answer', async () => {
    // 400: not retried by the SDK, so the planning call fails at once.
    server.push({ status: 400 });
    const result = await plan();

    expect(result.source).toBe('default');
    expect(result.fallback_reason).toMatch(/^the planning call failed: MODEL_REQUEST_REJECTED/);
    expect(server.requests).toHaveLength(1);
  });

  it('sends an invalid plan back once with its validation errors, then takes the valid one', async () => {
    server.push({ text: fenced(INVALID) }, { text: fenced(VALID) });
    const result = await plan();

    expect(result.source).toBe('model');
    expect(result.fallback_reason).toBeUndefined();
    expect(result.checks).toEqual(['test_add passes']);
    const implement = result.phases?.find((phase) => phase.id === 'implement');
    expect(implement?.work_steps).toEqual(VALID.steps);
    expect(server.requests).toHaveLength(2);
    expect(calls).toHaveLength(2);
    const first = requestText(server.requests[0]);
    expect(first).toContain('Fix add() in calc');
    expect(first).toContain('Do not modify public API signatures');
    expect(first).toContain('pytest passes');
    const second = requestText(server.requests[1]);
    expect(second).toContain('That plan is invalid');
    expect(second).toContain('steps.0.goal');
    expect(second).toContain('steps.0.files.0');
    expect(second).toContain('extra');
  });

  it('falls back to the default plan, saying why, when the plan is invalid twice', async () => {
    server.push({ text: 'I would start by reading calc.py.' }, { text: fenced(INVALID) });
    const result = await plan();

    expect(result.source).toBe('default');
    expect(result.fallback_reason).toMatch(/invalid twice: .*steps\.0\.goal/);
    expect(requestText(server.requests[1])).toContain('the reply holds no JSON object');
    expect(server.requests).toHaveLength(2);
    expect(describePlanForModel(result)).toBe('');
  });

  it("lists a multi-repo task's repositories and sends back a step naming none of them", async () => {
    const repos = [
      {
        name: 'parser',
        role: 'library' as const,
        repo: 'https://forge.test/acme/parser',
        base_branch: 'main',
      },
      {
        name: 'api',
        role: 'consumer' as const,
        repo: 'https://forge.test/acme/api',
        base_branch: 'release/2',
      },
    ];
    const steps = [
      { repo: 'parser', goal: 'Rename parse to parse_strict', files: ['src/lib.rs'], checks: [] },
      { repo: 'api', goal: 'Call parse_strict', files: ['src/main.rs'], checks: ['api builds'] },
    ];
    server.push(
      { text: fenced({ summary: 'rename', steps: [{ ...steps[0], repo: 'cli' }] }) },
      { text: fenced({ summary: 'rename across both', steps }) },
    );
    const result = await planWithModel(
      { ...TASK, repos },
      {
        model,
        signal: new AbortController().signal,
        maxRepairRounds: 1,
        maxTokens: 1000,
        temperature: 0,
        onModelCall: (record) => calls.push(record),
      },
    );

    expect(result.source).toBe('model');
    expect(result.phases?.find((phase) => phase.id === 'implement')?.work_steps).toEqual(steps);
    const first = requestText(server.requests[0]);
    expect(first).toContain('api (consumer): https://forge.test/acme/api, base branch release/2');
    expect(first).toContain('parser (library)');
    expect(first).toContain('the name of the repository this step works in');
    expect(requestText(server.requests[1])).toContain(
      'steps.0.repo: \\"cli\\" is not a repository of this task; expected one of \\"parser\\", \\"api\\"',
    );
    // The tool steps name the repositories they run in.
    const codegen = result.steps.find((step) => step.phase === 'implement' && step.tool === 'codegen');
    expect(codegen?.description).toContain('In parser first, then adapt api.');
    expect(describePlanForModel(result)).toContain('2. [api] Call parse_strict');
  });

  it("keeps a single repository's planning prompt free of repositories", async () => {
    server.push({ text: fenced(VALID) });
    const result = await plan();
    expect(requestText(server.requests[0])).not.toContain('Repositories');
    expect(requestText(server.requests[0])).not.toContain('"repo"');
    expect(result.steps.map((step) => step.description).join('\n')).not.toContain('each repository');
  });

  it('describes a model plan for the coding model with each step, its files and checks', async () => {
    server.push({ text: JSON.stringify(VALID) });
    const text = describePlanForModel(await plan());
    expect(text).toBe(
      '## Plan\nadd subtracts; make it add.\n\n1. Make add() return the sum\n   Files: calc.py\n   Check: test_add passes',
    );
  });
});
