/**
 * Runs in a worker thread (see tag-worker-client.ts): parses the texts it is given with tree-sitter
 * and posts their tags back, so that a large repository's map never holds the server's event loop.
 * It reads no file and no environment; the grammars load lazily, once per worker, and the tag cache
 * lives here, shared by every map and warm-up the worker serves.
 */
import { parentPort } from 'node:worker_threads';
import { createTagCache, createTagParser, type ContentTags } from './tag-parser.js';
import type { TagJob, TagJobResult } from './tag-worker-protocol.js';

const cache = createTagCache();

async function run(job: TagJob): Promise<TagJobResult> {
  const cancel = new Int32Array(job.cancel);
  const deadline = Date.now() + job.totalTimeoutMs;
  const stopped = () => Atomics.load(cancel, 0) !== 0 || Date.now() > deadline;
  const parser = createTagParser({ parseTimeoutMs: job.parseTimeoutMs, cache, shouldStop: stopped });
  const tags: (ContentTags | null)[] = [];
  for (const file of job.files) {
    const found = stopped() ? undefined : await parser.tags('', file.language, file.text);
    tags.push(found ? { definitions: found.definitions, references: found.references } : null);
  }
  return { id: job.id, tags };
}

// One batch at a time, in the order they came: the parser and its grammars are shared.
let queue: Promise<void> = Promise.resolve();
parentPort?.on('message', (job: TagJob) => {
  queue = queue.then(async () => {
    try {
      parentPort?.postMessage(await run(job));
    } catch (error) {
      // A grammar that failed to load: every file of the batch unparsed, the reason said once.
      const failed = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      parentPort?.postMessage({ id: job.id, tags: job.files.map(() => null), failed } satisfies TagJobResult);
    }
  });
});
