/**
 * The sends a target has under way (lambda, eventbridge): each runs with its own AbortController
 * linked to the engine's signal — one listener on the caller's signal per batch, while the AWS SDK
 * adds one per request to ours — and close() waits for them for a grace period before the client's
 * connections are destroyed.
 */
import { setMaxListeners } from 'node:events';

export class InFlight {
  private readonly running = new Set<Promise<unknown>>();

  async run<T>(outer: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const ac = new AbortController();
    setMaxListeners(0, ac.signal);
    const onAbort = (): void => ac.abort(outer.reason);
    if (outer.aborted) onAbort();
    else outer.addEventListener('abort', onAbort, { once: true });
    const p = work(ac.signal);
    this.running.add(p);
    try {
      return await p;
    } finally {
      this.running.delete(p);
      outer.removeEventListener('abort', onAbort);
    }
  }

  /** Resolves when every running send has settled, or after `graceMs`, whichever is first. */
  async settle(graceMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.allSettled([...this.running]), grace]);
    clearTimeout(timer);
  }
}
