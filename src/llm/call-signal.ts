/**
 * One model call's cancellation: the caller's signal plus the call's own deadline, combined into the
 * signal handed to the SDK. The SDKs' own `timeout` only covers waiting for response headers and an
 * aborted stream ends quietly, so the call asks this object afterwards why it stopped.
 */
export interface CallSignal {
  readonly signal: AbortSignal;
  readonly cancelled: () => boolean;
  readonly timedOut: () => boolean;
  dispose(): void;
}

export function createCallSignal(timeoutMs: number, outer?: AbortSignal): CallSignal {
  const controller = new AbortController();
  let timedOut = false;
  const onOuterAbort = (): void => controller.abort(outer?.reason);
  if (outer?.aborted === true) controller.abort(outer.reason);
  else outer?.addEventListener('abort', onOuterAbort, { once: true });
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error(`model call exceeded ${timeoutMs} ms`));
  }, timeoutMs);
  return {
    signal: controller.signal,
    cancelled: () => outer?.aborted === true,
    timedOut: () => timedOut && outer?.aborted !== true,
    dispose: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    },
  };
}
