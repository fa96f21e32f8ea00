/**
 * What the read routes of a finished task show, written through the store the server uses: a pull
 * request for every task, and for one task a codegen step with a patch, a failed test step and
 * command output. The scripted model fails each task at its first call, so without this the
 * routes would answer from empty tables; every task also gets the audit trail of a run that ended
 * denied, so the overview aggregates over a history, not over 1,000 task.created events.
 */
import type { EventType } from '../../src/domain/task.js';
import type { Store } from '../../src/store/types.js';

const LOG_LINES = 200;
/** What a task that ran leaves in the audit trail besides task.created: the overview reads these. */
const RUN_EVENTS: { type: EventType; data: Record<string, unknown> }[] = [
  { type: 'task.status_changed', data: { from: 'queued', to: 'planning' } },
  { type: 'task.status_changed', data: { from: 'planning', to: 'executing' } },
  { type: 'task.status_changed', data: { from: 'executing', to: 'verifying' } },
  {
    type: 'policy.decision',
    data: { outcome: 'deny', deny: [{ code: 'TESTS_FAILED', message: '1 failed' }] },
  },
  { type: 'task.status_changed', data: { from: 'verifying', to: 'failed' } },
];

export interface SeededDetails {
  /** The task whose steps, logs and diff are filled in. */
  taskId: string;
  pullRequests: number;
}

export async function seedTaskDetails(
  store: Store,
  taskIds: readonly string[],
  repo: string,
): Promise<SeededDetails> {
  const taskId = taskIds[0];
  if (taskId === undefined) throw new Error('no task to seed details for');
  for (const [index, id] of taskIds.entries()) {
    for (const event of RUN_EVENTS) await store.events.append(id, event.type, event.data);
    await store.pullRequests.insertOnce({
      task_id: id,
      forge: 'local',
      repo,
      branch: `autodev/${id}`,
      base_branch: 'main',
      number: index + 1,
      url: null,
      title: `Fix add() #${index}`,
      head_commit: 'f'.repeat(40),
    });
  }
  await store.steps.start({
    task_id: taskId,
    key: 'codegen-1',
    phase: 'implement',
    tool: 'codegen',
    input_summary: 'edit calc.py',
  });
  await store.steps.finish(taskId, 'codegen-1', {
    status: 'succeeded',
    attempts: 1,
    output_summary: '1 file changed',
    output: {
      files: ['calc.py'],
      patch:
        '--- a/calc.py\n+++ b/calc.py\n@@ -1,2 +1,2 @@\n def add(a, b):\n-    return a - b\n+    return a + b\n',
      final_text: 'add() adds.',
    },
    duration_ms: 1_200,
  });
  await store.steps.start({
    task_id: taskId,
    key: 'test-1',
    phase: 'verify',
    tool: 'test',
    input_summary: 'pytest',
  });
  for (let line = 0; line < LOG_LINES; line += 1) {
    await store.logs.append(
      taskId,
      'test-1',
      line % 10 === 0 ? 'stderr' : 'stdout',
      `test_calc.py::test_${line} PASSED [${line}%]\n`,
    );
  }
  await store.steps.finish(taskId, 'test-1', {
    status: 'failed',
    attempts: 1,
    output_summary: '1 failed',
    duration_ms: 3_400,
  });
  return { taskId, pullRequests: taskIds.length };
}
