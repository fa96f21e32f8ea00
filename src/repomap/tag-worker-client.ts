import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../runtime/module-worker.js';
import type { SourceFile } from './source-files.js';
import type { MapRequest } from './rank-and-render.js';
import { isTagJobResult, type TagJob, type TagJobResult } from './tag-worker-protocol.js';

export interface TagWorkerLimits {
  parseTimeoutMs: number;
  /** The batch's time; past it (and a grace for the answer) a worker that has not answered is ended. */
  totalTimeoutMs: number;
  /** Heap of the worker: a file built to exhaust memory ends the worker, not the server. */
  maxHeapMb: number;
}

/** The worker's answer; when it failed (ran out of memory, crashed, did not answer) nothing was parsed. */
export type TagBatchOutcome = Omit<TagJobResult, 'id'>;

/** Time the worker gets past the batch's budget to answer before it is taken for hung and ended. */
const ANSWER_GRACE_MS = 5_000;

let worker: Worker | undefined;
let nextId = 1;
/** Batches run one at a time: the worker parses one file at a time anyway, and each batch's timer is then its own. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Parses `files` in the process's tag worker and, given `map`, ranks and renders the map there too:
 * tree-sitter and the ranking run off the main thread, so a large map (or a hostile repository's
 * files) never stalls the API. The worker starts on first use and stays, with
 * its compiled grammars and its tag cache, for the next map; one that fails or hangs is ended and the
 * next batch starts a fresh one.
 */
export function tagInWorker(
  files: readonly SourceFile[],
  limits: TagWorkerLimits,
  signal?: AbortSignal,
  map?: MapRequest,
): Promise<TagBatchOutcome> {
  const run = queue.then(() => runBatch(files, limits, signal, map));
  queue = run.catch(() => undefined);
  return run;
}

function sharedWorker(maxHeapMb: number): Worker {
  if (worker) return worker;
  const started = startModuleWorker(import.meta.url, 'tag-worker', {
    // The parser needs no environment: the server's (tokens, keys) stays out of the worker.
    env: {},
    resourceLimits: { maxOldGenerationSizeMb: maxHeapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
    stdout: true,
    stderr: true,
  });
  // An idle worker does not keep a CLI run (or a stopping server) alive.
  started.unref();
  started.on('exit', () => {
    if (worker === started) worker = undefined;
  });
  worker = started;
  return started;
}

function runBatch(
  files: readonly SourceFile[],
  limits: TagWorkerLimits,
  signal?: AbortSignal,
  map?: MapRequest,
): Promise<TagBatchOutcome> {
  const none = (failed?: string): TagBatchOutcome => ({
    parsed: files.map(() => false),
    ...(failed === undefined ? {} : { failed }),
  });
  if (files.length === 0 || signal?.aborted) return Promise.resolve(none());
  const target = sharedWorker(limits.maxHeapMb);
  const cancel = new SharedArrayBuffer(4);
  const job: TagJob = {
    id: nextId++,
    files: files.map((file) => ({ path: file.path, language: file.language, text: file.text })),
    parseTimeoutMs: limits.parseTimeoutMs,
    deadline: Date.now() + limits.totalTimeoutMs,
    cancel,
    ...(map === undefined ? {} : { map }),
  };
  return new Promise((resolve) => {
    const finish = (outcome: TagBatchOutcome) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      target.off('message', onMessage);
      target.off('error', onError);
      target.off('exit', onExit);
      resolve(outcome);
    };
    const end = (reason: string) => {
      if (worker === target) worker = undefined;
      void target.terminate();
      finish(none(reason));
    };
    const onMessage = (message: unknown) => {
      if (!isTagJobResult(message) || message.id !== job.id) return;
      const { id: _id, ...outcome } = message;
      finish(outcome);
    };
    const onError = (error: Error) => end(`the tag worker failed: ${error.name}: ${error.message}`);
    const onExit = (code: number) => end(`the tag worker exited with ${code}`);
    // The worker stops at its next check: the answer (files not parsed) still comes, and it stays.
    const onAbort = () => Atomics.store(new Int32Array(cancel), 0, 1);
    const timer = setTimeout(
      () => end(`the tag worker did not answer within ${limits.totalTimeoutMs + ANSWER_GRACE_MS} ms`),
      limits.totalTimeoutMs + ANSWER_GRACE_MS,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    target.on('message', onMessage);
    target.on('error', onError);
    target.on('exit', onExit);
    target.postMessage(job);
  });
}
