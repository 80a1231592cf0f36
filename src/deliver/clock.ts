/**
 * Time as the delivery engine sees it. Injected so that backoff, Retry-After, batch waits and the
 * rate limiter are tested with a fake clock instead of real sleeps.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` after `ms`; returns a cancel function. */
  setTimer(fn: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(t);
  },
};

/** Resolves after `ms` on `clock`, or at once when `signal` aborts (never rejects). */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      cancel();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const cancel = clock.setTimer(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** A signal that aborts after `ms` on `clock`, or when `parent` aborts; `dispose` frees the timer. */
export function timeoutSignal(
  clock: Clock,
  ms: number,
  parent: AbortSignal,
): { signal: AbortSignal; timedOut(): boolean; dispose(): void } {
  const ac = new AbortController();
  let fired = false;
  const cancel = clock.setTimer(() => {
    fired = true;
    ac.abort(new Error(`timed out after ${ms} ms`));
  }, ms);
  const onParent = (): void => ac.abort(parent.reason);
  if (parent.aborted) onParent();
  else parent.addEventListener('abort', onParent, { once: true });
  return {
    signal: ac.signal,
    timedOut: () => fired,
    dispose() {
      cancel();
      parent.removeEventListener('abort', onParent);
    },
  };
}
