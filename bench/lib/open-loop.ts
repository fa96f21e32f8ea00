/**
 * The open-loop load generator: requests go out on a fixed schedule (ratePerSec), not when earlier
 * ones come back, and each latency is measured from the request's due time. A closed loop lets a
 * stalled server slow its own load and hides the wait of the requests it held up (coordinated
 * omission); here a stall shows in every request due during it. A timer that fires late sends all
 * the requests due by then at once, each still charged from its own due time.
 */
import type { LoadResult, OpenLoopSpec } from './load-protocol.js';
import { loopbackUrl, once, requestInit } from './load-request.js';

export async function runOpenLoop(spec: OpenLoopSpec): Promise<LoadResult> {
  const url = loopbackUrl(spec.baseUrl, spec.request.path);
  const intervalMs = 1000 / spec.ratePerSec;
  const latenciesMs: number[] = [];
  const statuses: Record<string, number> = {};
  const inFlight: Promise<void>[] = [];
  let firstError: string | undefined;
  let issued = 0;
  const started = performance.now();
  const deadline = started + spec.deadlineMs;
  const dueAt = (index: number): number => started + index * intervalMs;

  const send = async (index: number, due: number): Promise<void> => {
    let outcome: string;
    try {
      outcome = await once(url, requestInit(spec.request, index));
      latenciesMs.push(performance.now() - due);
    } catch (error) {
      outcome = 'error';
      firstError ??= error instanceof Error ? error.message : String(error);
    }
    statuses[outcome] = (statuses[outcome] ?? 0) + 1;
  };

  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      while (issued < spec.count && dueAt(issued) <= now && now < deadline) {
        inFlight.push(send(issued, dueAt(issued)));
        issued += 1;
      }
      if (issued >= spec.count || now >= deadline) return resolve();
      setTimeout(tick, Math.max(0, dueAt(issued) - performance.now()));
    };
    tick();
  });
  await Promise.all(inFlight);
  return {
    latenciesMs,
    elapsedMs: performance.now() - started,
    statuses,
    firstError,
    stoppedByDeadline: issued < spec.count,
  };
}
