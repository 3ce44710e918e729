/**
 * Test support: a fake scheduler that a test moves from one due timer to the next, and a driver that
 * steps a Vigil started on it (`VigilOptions.scheduler`), waiting after each step until the scrapes,
 * rule evaluations and notifications that step started have finished. Minutes of scrape intervals,
 * `for:` durations and group waits then take a fraction of a second, in the order they would happen.
 */
import { FakeScheduler } from '../../packages/server/src/alerting/index.ts';
import type { Vigil } from '../../packages/server/src/vigil.ts';

/**
 * The alerting area's FakeScheduler keeps the clock and the timers; this one steps differently: the
 * driver moves time to the next due timer and runs everything due at once, then waits for Vigil.
 */
export class SteppingScheduler extends FakeScheduler {
  constructor(start: number) {
    super(start);
  }

  /** When the next timer falls due, or undefined when none waits. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const timer of this.timers.values()) if (next === undefined || timer.due < next) next = timer.due;
    return next;
  }

  /** Moves time forward (never back) without running anything. */
  advanceTo(time: number): void {
    this.current = Math.max(this.current, time);
  }

  /** Runs the timers due now, earliest (then oldest) first; those they schedule wait for the next call. Returns how many ran. */
  runDue(): number {
    const due = [...this.timers.entries()].filter(([, timer]) => timer.due <= this.current).sort(([idA, a], [idB, b]) => a.due - b.due || idA - idB);
    for (const [id] of due) this.timers.delete(id);
    for (const [, timer] of due) timer.callback();
    return due.length;
  }
}

/** Steps a Vigil started with `scheduler`; every wait is bounded in fake time and in real time. */
export class VigilStepper {
  constructor(
    readonly vigil: Vigil,
    readonly scheduler: SteppingScheduler,
  ) {}

  now(): number {
    return this.scheduler.now();
  }

  /**
   * Runs what is due now and waits until Vigil is idle with nothing more due. Work that waits on
   * the fake clock itself (a notification retrying after a receiver failed sleeps on the scheduler)
   * cannot end before time moves: when Vigil is still busy after `graceMs` of real time, the step
   * ends and time moves on. Nothing tells such a wait from slow I/O (a TLS handshake on a loaded
   * machine), so the grace is long: a passing test never reaches it, a failing one is slower.
   */
  async settle(graceMs = 10_000): Promise<void> {
    for (let round = 0; round < 1000; round++) {
      const idle = await this.idleWithin(graceMs);
      const ran = this.scheduler.runDue();
      if (!idle || ran === 0) return;
    }
    throw new Error('Vigil did not settle: timers keep falling due at the same instant');
  }

  /** True when Vigil becomes idle within `graceMs` of real time. */
  private async idleWithin(graceMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const idle = await Promise.race([this.vigil.idle().then(() => true), new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)))]);
    clearTimeout(timer);
    return idle;
  }

  /** Moves to the next due timer (at most to `limit`), runs it and settles. */
  async step(limit = Infinity): Promise<void> {
    const next = this.scheduler.nextDue();
    this.scheduler.advanceTo(Math.min(next ?? limit, limit));
    await this.settle();
  }

  /** Steps until fake time reaches `time`. */
  async stepTo(time: number): Promise<void> {
    while (this.now() < time) await this.step(time);
  }

  /**
   * Steps until `check` returns a value other than undefined, checking before every step. Fails
   * after `withinMs` of fake time or 30 s of real time, naming what it waited for.
   */
  async until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, withinMs: number): Promise<T> {
    const deadline = this.now() + withinMs;
    const realDeadline = Date.now() + 30_000;
    for (;;) {
      const value = await check();
      if (value !== undefined) return value;
      if (this.now() >= deadline) throw new Error(`${what}: not seen within ${withinMs / 1000}s of fake time`);
      if (Date.now() > realDeadline) throw new Error(`${what}: not seen within 30s of real time (fake time ${new Date(this.now()).toISOString()})`);
      await this.step(deadline);
    }
  }
}
