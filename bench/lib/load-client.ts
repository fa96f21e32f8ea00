/**
 * The child process of bench/api-load.bench.ts: a slow scripted model the server under test calls,
 * and a load generator over fetch (undici, keep-alive): closed loop (bounded concurrency) or open loop
 * (a fixed rate, bench/lib/open-loop.ts). Living here, the
 * client's CPU and the model's recorded requests stay out of the server process's figures.
 * Every request goes to 127.0.0.1: anything else is refused before it is sent.
 */
import {
  startScriptedModelServer,
  type ScriptedModelServer,
} from '../../test/helpers/scripted-model-server.js';
import {
  toClientSchema,
  type FromClient,
  type LoadResult,
  type LoadSpec,
  type ModelSpec,
  type ToClient,
} from './load-protocol.js';
import { loopbackUrl, once, requestInit } from './load-request.js';
import { runOpenLoop } from './open-loop.js';

let model: ScriptedModelServer | undefined;

function send(message: FromClient): void {
  process.send?.(message);
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const url = loopbackUrl(spec.baseUrl, spec.request.path);
  const latenciesMs: number[] = [];
  const statuses: Record<string, number> = {};
  let firstError: string | undefined;
  let issued = 0;
  const started = performance.now();
  const deadline = started + spec.deadlineMs;

  const worker = async (): Promise<void> => {
    while (issued < spec.count && performance.now() < deadline) {
      const init = requestInit(spec.request, issued);
      issued += 1;
      const sent = performance.now();
      let outcome: string;
      try {
        outcome = await once(url, init);
        latenciesMs.push(performance.now() - sent);
      } catch (error) {
        outcome = 'error';
        firstError ??= error instanceof Error ? error.message : String(error);
      }
      statuses[outcome] = (statuses[outcome] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: Math.min(spec.concurrency, spec.count) }, worker));
  return {
    latenciesMs,
    elapsedMs: performance.now() - started,
    statuses,
    firstError,
    stoppedByDeadline: issued < spec.count,
  };
}

async function startModel(spec: ModelSpec): Promise<FromClient> {
  // Every reply is refused (HTTP 400, not retried) after the delay: the tasks hold their slots for
  // the delay and then fail, which keeps the queue busy without any task doing real work.
  const replies = Array.from({ length: spec.replies }, () => ({ status: 400, delayMs: spec.delayMs }));
  model = await startScriptedModelServer(replies);
  return { type: 'model-ready', openaiUrl: model.openaiUrl, requests: model.requests.length };
}

async function handle(message: ToClient): Promise<void> {
  if (message.type === 'start-model') send(await startModel(message.model));
  else if (message.type === 'run') {
    send({ type: 'result', id: message.id, result: await runLoad(message.spec) });
  } else if (message.type === 'open-run') {
    send({ type: 'result', id: message.id, result: await runOpenLoop(message.spec) });
  } else {
    const modelRequests = model?.requests.length ?? 0;
    await model?.close();
    send({ type: 'stopped', modelRequests });
    process.disconnect();
  }
}

process.on('message', (raw: unknown) => {
  void handle(toClientSchema.parse(raw)).catch((error: unknown) => {
    send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  });
});
