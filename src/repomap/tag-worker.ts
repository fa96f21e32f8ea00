/**
 * Runs in a worker thread (see tag-worker-client.ts): parses the texts it is given with tree-sitter,
 * ranks and renders the map, and posts it back, so that a large repository's map never holds the
 * server's event loop. It reads no file and no environment; the grammars load lazily, once per worker,
 * and the tag cache lives here, shared by every map and warm-up the worker serves.
 */
import { parentPort } from 'node:worker_threads';
import { rankAndRender } from './rank-and-render.js';
import { createTagCache, createTagParser } from './tag-parser.js';
import type { TagJob, TagJobResult } from './tag-worker-protocol.js';
import type { FileTags } from './types.js';

const cache = createTagCache();

/**
 * Definitions sent back per ranked file: the rendered text already holds what fitted the budget, and
 * a large repository's every definition (hundreds of thousands) would cost the main thread seconds to
 * receive. The best ones of each file are kept.
 */
export const MAX_RANKED_SYMBOLS_PER_FILE = 100;

async function run(job: TagJob): Promise<TagJobResult> {
  const cancel = new Int32Array(job.cancel);
  const stopped = () => Atomics.load(cancel, 0) !== 0 || Date.now() > job.deadline;
  const parser = createTagParser({ parseTimeoutMs: job.parseTimeoutMs, cache, shouldStop: stopped });
  const tags: FileTags[] = [];
  const parsed: boolean[] = [];
  for (const file of job.files) {
    const found = stopped() ? undefined : await parser.tags(file.path, file.language, file.text);
    if (found) tags.push(found);
    parsed.push(found !== undefined);
  }
  if (job.map === undefined || Atomics.load(cancel, 0) !== 0) return { id: job.id, parsed };
  const map = rankAndRender(tags, job.map, job.files);
  const ranked = map.ranked.map((file) => ({
    ...file,
    symbols: file.symbols.slice(0, MAX_RANKED_SYMBOLS_PER_FILE),
  }));
  return { id: job.id, parsed, map: { ...map, ranked } };
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
      parentPort?.postMessage({
        id: job.id,
        parsed: job.files.map(() => false),
        failed,
      } satisfies TagJobResult);
    }
  });
});
