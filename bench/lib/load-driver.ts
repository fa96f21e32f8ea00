/** The parent's side of bench/lib/load-client.ts: forks it and turns its messages into promises. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  fromClientSchema,
  type FromClient,
  type LoadResult,
  type LoadSpec,
  type ModelSpec,
  type OpenLoopSpec,
  type ToClient,
} from './load-protocol.js';

const CLIENT = fileURLToPath(new URL('./load-client.ts', import.meta.url));
const STOP_TIMEOUT_MS = 5_000;

export interface LoadDriver {
  /** Starts the slow model in the child; resolves with its chat-completions URL. */
  startModel(spec: ModelSpec): Promise<string>;
  run(spec: LoadSpec): Promise<LoadResult>;
  /** An open-loop run at a fixed rate (bench/lib/open-loop.ts). */
  runOpen(spec: OpenLoopSpec): Promise<LoadResult>;
  /** Stops the model and the child; resolves with how many model requests were served. */
  stop(): Promise<number>;
}

interface Waiter {
  resolve(message: FromClient): void;
  reject(error: Error): void;
}

/** The key a reply is awaited under: one outstanding request per key. */
function keyOf(message: FromClient): string {
  if (message.type === 'result') return `run:${message.id}`;
  return message.type;
}

export function startLoadDriver(): LoadDriver {
  // The parent's execArgv carries tsx's loader (npm run bench runs under tsx), so the child runs .ts too.
  const child: ChildProcess = fork(CLIENT, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiters = new Map<string, Waiter>();
  let nextId = 0;

  const failAll = (error: Error): void => {
    for (const waiter of waiters.values()) waiter.reject(error);
    waiters.clear();
  };
  child.on('message', (raw: unknown) => {
    const message = fromClientSchema.parse(raw);
    if (message.type === 'failed') return failAll(new Error(`load client: ${message.message}`));
    const key = keyOf(message);
    waiters.get(key)?.resolve(message);
    waiters.delete(key);
  });
  child.on('exit', (code) => failAll(new Error(`load client exited with ${String(code)}`)));

  const ask = (message: ToClient, key: string): Promise<FromClient> =>
    new Promise((resolve, reject) => {
      waiters.set(key, { resolve, reject });
      child.send(message);
    });

  return {
    async startModel(model) {
      const reply = await ask({ type: 'start-model', model }, 'model-ready');
      if (reply.type !== 'model-ready') throw new Error(`unexpected ${reply.type}`);
      return reply.openaiUrl;
    },
    async run(spec) {
      const id = (nextId += 1);
      const reply = await ask({ type: 'run', id, spec }, `run:${id}`);
      if (reply.type !== 'result') throw new Error(`unexpected ${reply.type}`);
      return reply.result;
    },
    async runOpen(spec) {
      const id = (nextId += 1);
      const reply = await ask({ type: 'open-run', id, spec }, `run:${id}`);
      if (reply.type !== 'result') throw new Error(`unexpected ${reply.type}`);
      return reply.result;
    },
    async stop() {
      if (child.exitCode !== null || !child.connected) return 0;
      const timeout = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      try {
        const reply = await ask({ type: 'stop' }, 'stopped');
        return reply.type === 'stopped' ? reply.modelRequests : 0;
      } finally {
        clearTimeout(timeout);
      }
    },
  };
}
