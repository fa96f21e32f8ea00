import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, submitTask, waitForTerminal } from '../helpers/api-client.js';
import { PYTHON_BUGGY_REPO, PYTHON_FIX_REPLY } from './fixtures.js';
import { startE2E, type E2EHarness } from './harness.js';

const PYPROJECT = '[project]\nname = "calc"\nversion = "0.1.0"\ndependencies = [\n    "attrs>=23",\n]\n';

// The fix is right and the tests pass, but the reply also slips a dependency into pyproject.toml.
const FIX_WITH_DEPENDENCY_REPLY = `${PYTHON_FIX_REPLY}
And a small helper library:

\`\`\`diff
--- a/pyproject.toml
+++ b/pyproject.toml
@@ -3,4 +3,5 @@ name = "calc"
 version = "0.1.0"
 dependencies = [
     "attrs>=23",
+    "Requests>=2.31",
 ]
\`\`\`
`;

interface TaskEvents {
  events: { type: string; data: Record<string, unknown> }[];
}

describe('check_deps in a task, through the API', () => {
  let h: E2EHarness;
  beforeAll(async () => {
    h = await startE2E();
  });
  afterAll(() => h?.close());

  it('a low-risk change that adds a dependency to pyproject.toml is not merged, and the decision names it', async () => {
    const repo = await h.newRepo({
      ...PYTHON_BUGGY_REPO,
      'pyproject.toml': PYPROJECT,
      // The repo's own setup: nothing to install, so the test needs no network.
      '.autodev.toml': '[commands]\nsetup = ["true"]\ntest = ["python3", "-m", "pytest", "-q"]\n',
    });
    h.model.push({ text: FIX_WITH_DEPENDENCY_REPLY });
    const created = await submitTask(h.server.baseUrl, {
      title: 'Fix add() in calc',
      description: 'add(2, 3) returns -1; it must return 5.',
      repo: repo.origin,
      risk_tier: 'low',
      constraints: ['No new external dependencies'],
    });
    const task = await waitForTerminal(h.server.baseUrl, created.id);
    expect(task.error).toBeNull();
    expect(task.status).toBe('awaiting_review');

    const step = task.steps.find((s) => s.tool === 'check_deps');
    expect(step?.output_summary).toBe('1 dependency change(s): requests +>=2.31');
    const { body } = await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task.id}/events`);
    const decision = (body as TaskEvents).events.find(
      (e) => e.type === 'policy.decision' && 'allow' in e.data,
    );
    expect(decision?.data.allow).toBe(false);
    expect(JSON.stringify(decision?.data.deny)).toContain('requests');
    expect(decision?.data.dependency_changes).toEqual([
      {
        ecosystem: 'python',
        name: 'requests',
        change: 'added',
        to: '>=2.31',
        direct: true,
        dev: false,
        manifest: 'pyproject.toml',
      },
    ]);
    // The task's constraint reached the policy input, checked.
    const view = (await api(h.server.baseUrl, `/api/v1/autodev/tasks/${task.id}`)).body as {
      steps: { phase: string; input_summary: string }[];
    };
    expect(view.steps.find((s) => s.phase === 'decide')?.input_summary).toContain(
      '"constraints":[{"text":"No new external dependencies","kind":"no_new_dependencies","violated":true,"details":["requests"]}]',
    );
    // Not merged: main still has the bug and no new dependency.
    expect(await repo.readFileAt('main', 'pyproject.toml')).toBe(PYPROJECT);
    expect(await repo.readFileAt(task.branch ?? '', 'pyproject.toml')).toContain('Requests>=2.31');
  });
});
