import type { Clock } from '../model/index.ts';

/** A pending timer; cancelling one that already ran does nothing. */
export interface TimerHandle {
  cancel(): void;
}

/**
 * The clock and the timers of the notifier. Aggregation-group timers, retry back-off and periodic
 * maintenance all go through it, so tests drive time with a fake one instead of sleeping.
 */
export interface Scheduler extends Clock {
  /** Calls `callback` after `delayMs` (0 or less: as soon as possible). */
  schedule(delayMs: number, callback: () => void): TimerHandle;
}

/** Real time. Timers do not keep the process alive on their own (the HTTP server does). */
export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  schedule(delayMs, callback) {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};

/** Resolves after `delayMs` on `scheduler`, or rejects with the signal's reason when it aborts first. */
export function sleep(scheduler: Scheduler, delayMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = () => {
      handle.cancel();
      reject(abortReason(signal as AbortSignal));
    };
    const handle = scheduler.schedule(delayMs, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason ?? 'aborted'));
}

/**
 * A scheduler whose time moves only when told. `advance` runs every timer that falls due, in order,
 * letting promise chains started by one timer settle before the next, so a flush that sleeps for a
 * retry and tries again completes within one `advance`.
 */
export class FakeScheduler implements Scheduler {
  // Protected so that test drivers with another stepping policy (test/support's SteppingScheduler)
  // reuse the timer bookkeeping instead of keeping a copy.
  protected current: number;
  private sequence = 0;
  protected readonly timers = new Map<number, { due: number; callback: () => void }>();

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  schedule(delayMs: number, callback: () => void): TimerHandle {
    const id = ++this.sequence;
    this.timers.set(id, { due: this.current + Math.max(0, delayMs), callback });
    return { cancel: () => this.timers.delete(id) };
  }

  /** Timers still waiting. */
  get pending(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, running what falls due on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await settle();
      let nextId = -1;
      let nextDue = Infinity;
      for (const [id, timer] of this.timers) {
        if (timer.due < nextDue || (timer.due === nextDue && id < nextId)) {
          nextDue = timer.due;
          nextId = id;
        }
      }
      if (nextId < 0 || nextDue > target) break;
      const timer = this.timers.get(nextId);
      this.timers.delete(nextId);
      this.current = Math.max(this.current, nextDue);
      timer?.callback();
    }
    this.current = target;
    await settle();
  }
}

/** Lets pending promise callbacks and I/O callbacks that are already queued run. */
async function settle(): Promise<void> {
  for (let round = 0; round < 5; round++) await new Promise<void>((resolve) => setImmediate(resolve));
}
