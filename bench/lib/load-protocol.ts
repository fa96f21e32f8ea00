/**
 * Messages between bench/api-load.bench.ts (the server under test) and bench/lib/load-client.ts
 * (the load generator and the slow model, in a child process so that neither their CPU nor their
 * memory is counted as the server's). IPC delivers plain JSON: each side parses what it receives.
 */
import { z } from 'zod';

/** One kind of request the client repeats; `submit` posts a task whose title carries the index. */
export const loadRequestSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('get'), path: z.string().startsWith('/') }),
  z.object({
    kind: z.literal('submit'),
    path: z.string().startsWith('/'),
    task: z.object({ title: z.string(), description: z.string(), repo: z.string() }),
  }),
]);
export type LoadRequest = z.infer<typeof loadRequestSchema>;

export const loadSpecSchema = z.object({
  baseUrl: z.string(),
  request: loadRequestSchema,
  count: z.number().int().positive(),
  concurrency: z.number().int().positive(),
  /** The run stops when this much time has passed, even short of `count`. */
  deadlineMs: z.number().positive(),
});
export type LoadSpec = z.infer<typeof loadSpecSchema>;

/**
 * An open loop: request i is due at start + i / ratePerSec whatever the earlier ones are doing, and
 * its latency runs from that due time (a server that stalls is charged for the requests it delayed:
 * no coordinated omission).
 */
export const openLoopSpecSchema = z.object({
  baseUrl: z.string(),
  request: loadRequestSchema,
  ratePerSec: z.number().positive(),
  count: z.number().int().positive(),
  /** No request is sent after this much time; those not sent count as stoppedByDeadline. */
  deadlineMs: z.number().positive(),
});
export type OpenLoopSpec = z.infer<typeof openLoopSpecSchema>;

export const loadResultSchema = z.object({
  /** Per request, from fetch() (open loop: its due time) to the whole body read; in completion order. */
  latenciesMs: z.array(z.number()),
  elapsedMs: z.number(),
  /** HTTP status → count; "error" counts requests that got no answer. */
  statuses: z.record(z.string(), z.number()),
  firstError: z.string().optional(),
  stoppedByDeadline: z.boolean(),
});
export type LoadResult = z.infer<typeof loadResultSchema>;

export const modelSpecSchema = z.object({
  replies: z.number().int().nonnegative(),
  delayMs: z.number().nonnegative(),
});
export type ModelSpec = z.infer<typeof modelSpecSchema>;

export const toClientSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start-model'), model: modelSpecSchema }),
  z.object({ type: z.literal('run'), id: z.number(), spec: loadSpecSchema }),
  z.object({ type: z.literal('open-run'), id: z.number(), spec: openLoopSpecSchema }),
  z.object({ type: z.literal('stop') }),
]);
export type ToClient = z.infer<typeof toClientSchema>;

export const fromClientSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('model-ready'), openaiUrl: z.string(), requests: z.number() }),
  z.object({ type: z.literal('result'), id: z.number(), result: loadResultSchema }),
  z.object({ type: z.literal('stopped'), modelRequests: z.number() }),
  z.object({ type: z.literal('failed'), message: z.string() }),
]);
export type FromClient = z.infer<typeof fromClientSchema>;
