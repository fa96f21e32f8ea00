import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts the worker module `<name>.js` beside `from` (an `import.meta.url`). Started from the compiled
 * JavaScript that is the sibling `.js`. Started from the TypeScript sources (tests, `tsx` benchmarks)
 * Node cannot load the sibling `.ts` itself, and worker threads do not inherit tsx's loader, so a
 * one-line bootstrap registers tsx in the worker first.
 */
export function startModuleWorker(from: string, name: string, options: WorkerOptions): Worker {
  if (!from.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, from), options);
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL(`./${name}.ts`, from).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { ...options, eval: true });
}
