import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowsPath } from '../../src/engine/temporal/worker.js';

const FIXTURES = resolve(import.meta.dirname, '../fixtures/temporal');

/**
 * Histories recorded from the e2e journeys on the temporal engine (test/e2e/engines.test.ts with
 * AUTODEV_RECORD_HISTORY=1). Running workflows replay their history on every worker that picks them
 * up: a change to the workflow code that no longer replays them would break tasks in flight, so it
 * must fail here first (or go behind `patched()`).
 */
const HISTORIES = [
  // Started before the `worker-specific-queue` patch: one run on the shared queue.
  'low-risk-merged.history.json',
  // With it: a claim on the shared queue, then the run on the claiming worker's own queue.
  'low-risk-merged-worker-queue.history.json',
  // With `record-cancel`: cancelled while it waited for a worker, the cancel recorded by an activity
  // (test/e2e/cancel-outside-run.test.ts).
  'cancelled-while-queued.history.json',
  // With `step-activities`: each step of the phase table an activity of its own (`step.verify.test`).
  'low-risk-merged-step-activities.history.json',
];

/**
 * The history as the client fetched it, written with protobufjs's toJSON (int64 as strings, enums by
 * name, bytes base64): fromObject is its inverse. (historyFromJSON expects the proto3 JSON of
 * `temporal workflow show`, a different spelling.)
 */
async function loadHistory(name: string): Promise<temporal.api.history.v1.History> {
  const json = JSON.parse(await readFile(resolve(FIXTURES, name), 'utf8')) as Record<string, unknown>;
  return temporal.api.history.v1.History.fromObject(json);
}

describe('the task workflow replays the recorded histories', () => {
  it.each(HISTORIES)(
    'replays %s without a determinism violation',
    async (name) => {
      const history = await loadHistory(name);
      expect(history.events?.length).toBeGreaterThan(5);
      await expect(
        Worker.runReplayHistory({ workflowsPath: workflowsPath() }, history),
      ).resolves.toBeUndefined();
    },
    60_000,
  );

  it('fails the replay of a workflow changed incompatibly (a timer before the run)', async () => {
    const history = await loadHistory(HISTORIES[0] ?? '');
    await expect(
      Worker.runReplayHistory({ workflowsPath: resolve(FIXTURES, 'changed-workflow.ts') }, history),
    ).rejects.toMatchObject({ name: 'DeterminismViolationError' });
  }, 60_000);
});
