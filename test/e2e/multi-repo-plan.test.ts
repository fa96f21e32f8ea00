import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, submitTask, waitForTerminal } from '../helpers/api-client.js';
import { startE2E, type E2EHarness } from './harness.js';
import { repoNameOf } from './multi-repo-fixtures.js';

/** A repository whose commands need no toolchain: the plan is what is under test here. */
function shellRepo(file: string, content: string): Record<string, string> {
  return {
    [file]: content,
    '.autodev.toml': `language = "python"\n\n[commands]\nsetup = "true"\ntest = "grep -q new ${file}"\nlint = "true"\n`,
  };
}

interface PlanJson {
  source: string;
  summary: string;
  steps: { phase: string; tool: string; description: string }[];
  phases?: { id: string; work_steps?: { goal: string; repo?: string; files: string[] }[] }[];
}

interface RequestBody {
  messages: { role: string; content: unknown }[];
}

/** A library and its user whose origins share a last segment: named `<base>-1` and `<base>-2`. */
async function twoRepos(h: E2EHarness) {
  const library = await h.newRepo(shellRepo('lib.txt', 'old library\n'));
  const consumer = await h.newRepo(shellRepo('app.txt', 'old app\n'));
  const base = repoNameOf(library.origin);
  return { library, consumer, libraryName: `${base}-1`, consumerName: `${base}-2` };
}

const EDIT_BOTH = (consumerName: string) => [
  {
    toolCalls: [
      {
        name: 'apply_edit',
        arguments: {
          search_replace: [{ path: 'lib.txt', search: 'old library\n', replace: 'new library\n' }],
        },
      },
      {
        name: 'apply_edit',
        arguments: {
          repo: consumerName,
          search_replace: [{ path: 'app.txt', search: 'old app\n', replace: 'new app\n' }],
        },
      },
    ],
  },
  { text: 'Both repositories are changed.' },
];

async function planOf(h: E2EHarness, id: string): Promise<PlanJson> {
  const shown = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${id}`);
  return (shown.body as { plan: PlanJson }).plan;
}

describe('the plan of a multi-repo task, without a planning model', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E({ max_step_retries: 0 });
  });
  afterAll(() => h?.close());

  it('says which repository each step works in', async () => {
    const { library, consumer, libraryName, consumerName } = await twoRepos(h);
    h.model.push(...EDIT_BOTH(consumerName));
    const created = await submitTask(h.server.baseUrl, {
      title: 'Rename in the library and its user',
      repos: [
        { repo: library.origin, role: 'library' },
        { repo: consumer.origin, role: 'consumer' },
      ],
    });
    await waitForTerminal(h.server.baseUrl, created.id, 60_000);
    const plan = await planOf(h, created.id);
    expect(plan.source).toBe('default');
    expect(plan.summary).toContain(
      `Implement in ${libraryName}, then adapt ${consumerName} where needed; test each consumer (${consumerName}) built against the changed ${libraryName}`,
    );
    const work = plan.phases?.find((p) => p.id === 'implement')?.work_steps ?? [];
    expect(work.map((w) => w.repo)).toEqual([libraryName, consumerName]);
    expect(work[1]?.goal).toBe(
      `Adapt the consumer ${consumerName} to the changed library ${libraryName} where it needs it.`,
    );
    const described = (phase: string, tool: string) =>
      plan.steps.find((s) => s.phase === phase && s.tool === tool)?.description;
    expect(described('implement', 'codegen')).toContain(
      `In ${libraryName} first, then adapt ${consumerName}.`,
    );
    expect(described('verify', 'test')).toContain(
      `each consumer's (${consumerName}) built against the changed ${libraryName}`,
    );
    expect(described('prepare', 'git_clone')).toContain(
      `For each repository: ${libraryName}, ${consumerName}.`,
    );
  });

  it('leaves the plan of a task of one repository as it was', async () => {
    const repo = await h.newRepo(shellRepo('lib.txt', 'old library\n'));
    h.model.push(EDIT_BOTH('unused')[0] ?? {}, { text: 'done' });
    const created = await submitTask(h.server.baseUrl, { title: 'Change the library', repo: repo.origin });
    await waitForTerminal(h.server.baseUrl, created.id, 60_000);
    const plan = await planOf(h, created.id);
    expect(plan.source).toBe('default');
    expect(JSON.stringify(plan)).not.toContain('For each repository');
    expect(plan.summary).not.toContain('then adapt');
    expect(plan.phases?.find((p) => p.id === 'implement')?.work_steps).toBeUndefined();
  });
});

describe('the plan of a multi-repo task, with a planning model', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E({ max_step_retries: 0 }, { planning: true });
  });
  afterAll(() => h?.close());

  it("lists the repositories to the planner, keeps each step's repository and shows it to the coding model", async () => {
    const { library, consumer, libraryName, consumerName } = await twoRepos(h);
    const steps = [
      { repo: libraryName, goal: 'Say new in the library', files: ['lib.txt'], checks: [] },
      { repo: consumerName, goal: 'Say new in the app', files: ['app.txt'], checks: ['app says new'] },
    ];
    const before = h.model.requests.length;
    h.model.push(
      { text: `\`\`\`json\n${JSON.stringify({ summary: 'Say new in both.', steps })}\n\`\`\`` },
      ...EDIT_BOTH(consumerName),
    );
    const created = await submitTask(h.server.baseUrl, {
      title: 'Rename in the library and its user',
      repos: [
        { repo: library.origin, role: 'library' },
        { repo: consumer.origin, role: 'consumer', base_branch: 'main' },
      ],
    });
    await waitForTerminal(h.server.baseUrl, created.id, 60_000);
    const plan = await planOf(h, created.id);
    expect(plan.source).toBe('model');
    expect(plan.phases?.find((p) => p.id === 'implement')?.work_steps).toEqual(steps);
    const [planning, coding] = h.model.requests
      .slice(before)
      .map((r) => JSON.stringify((r.body as RequestBody).messages));
    expect(planning).toContain(`${libraryName} (library): ${library.origin}, base branch main`);
    expect(planning).toContain(`${consumerName} (consumer): ${consumer.origin}, base branch main`);
    expect(coding).toContain(`2. [${consumerName}] Say new in the app`);
  });
});
