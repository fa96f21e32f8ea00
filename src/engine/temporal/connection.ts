import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { AutodevError } from '../../errors.js';
import type { EngineSettings } from '../../config/engine-schema.js';

/** How long start-up waits for the Temporal frontend before it says so and exits. */
const CONNECT_TIMEOUT_MS = 5_000;

function unreachable(settings: EngineSettings, error: unknown): AutodevError {
  const reason = error instanceof Error ? error.message : String(error);
  return new AutodevError(
    'ENGINE_UNREACHABLE',
    `Temporal is unreachable at ${settings.address} ([autodev.engine] address / AUTODEV_TEMPORAL_ADDRESS): ${reason}`,
    { cause: error },
  );
}

/** The client connection of the API process; ENGINE_UNREACHABLE naming the address when it fails. */
export async function connectClient(settings: EngineSettings): Promise<Connection> {
  try {
    const connection = await Connection.connect({
      address: settings.address,
      connectTimeout: CONNECT_TIMEOUT_MS,
    });
    // connect() is lazy about the namespace: asking the server proves the address answers.
    await connection.workflowService.getSystemInfo({});
    return connection;
  } catch (error) {
    throw unreachable(settings, error);
  }
}

/** The worker's connection (the native core's); ENGINE_UNREACHABLE naming the address when it fails. */
export async function connectWorker(settings: EngineSettings): Promise<NativeConnection> {
  try {
    return await withTimeout(NativeConnection.connect({ address: settings.address }), CONNECT_TIMEOUT_MS);
  } catch (error) {
    throw unreachable(settings, error);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000}s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
