import { performance } from 'node:perf_hooks';
import { QueryError } from '../value.ts';

/**
 * Lets at most `limit` queries evaluate at once; the others wait in arrival order. A waiting query
 * whose client aborts or whose deadline passes leaves the queue with the error Prometheus gives.
 */
export class ConcurrencyGate {
  private active = 0;
  private readonly waiting: { grant: () => void }[] = [];

  constructor(private readonly limit: number) {}

  /** Resolves with the function that gives the slot back (call it exactly once). */
  acquire(signal: AbortSignal | undefined, deadline: number): Promise<() => void> {
    if (signal?.aborted === true) return Promise.reject(new QueryError('canceled', 'query was canceled in query queue'));
    if (this.active < this.limit) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const entry = {
        grant: () => {
          cleanup();
          this.active++;
          resolve(this.releaser());
        },
      };
      const leave = (error: QueryError): void => {
        const index = this.waiting.indexOf(entry);
        if (index >= 0) this.waiting.splice(index, 1);
        cleanup();
        reject(error);
      };
      const onAbort = (): void => leave(new QueryError('canceled', 'query was canceled in query queue'));
      const timer = setTimeout(() => leave(new QueryError('timeout', 'query timed out in query queue')), Math.max(0, deadline - performance.now()));
      const cleanup = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      const next = this.waiting.shift();
      if (next !== undefined) next.grant();
    };
  }
}
