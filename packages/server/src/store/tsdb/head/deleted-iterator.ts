import type { SampleIterator } from '../../types.ts';
import { keepSamples } from '../deleted-samples.ts';
import type { IntervalCursor } from '../deleted-samples.ts';

/**
 * Hides the samples of a series that fall inside its deleted intervals (tombstones: sorted, merged,
 * inclusive [min, max] pairs, flattened), so deletions in the head show in queries at once.
 */
export class DeletedIntervalsIterator implements SampleIterator {
  timestamp = 0;
  value = 0;
  /** The first interval that may still hide a sample (intervals before it end before the cursor). */
  private readonly cursor: IntervalCursor = { interval: 0 };
  private started = false;
  private done = false;

  constructor(
    private readonly inner: SampleIterator,
    private readonly deleted: Float64Array,
  ) {}

  next(): boolean {
    if (this.done) return false;
    while (this.inner.next()) if (this.take()) return true;
    this.done = true;
    return false;
  }

  seek(t: number): boolean {
    if (this.done) return false;
    // The inner cursor may be past the current sample (on deleted ones read in bulk).
    if (this.started && this.timestamp >= t) return true;
    if (!this.inner.seek(t)) {
      this.done = true;
      return false;
    }
    if (this.take()) return true;
    return this.next();
  }

  readInto(maxt: number, timestamps: Float64Array, values: Float64Array, offset: number): number {
    if (this.done) return 0;
    const end = Math.min(timestamps.length, values.length);
    let k = offset;
    while (k < end) {
      const before = k;
      const read = this.inner.readInto(maxt, timestamps, values, before);
      if (read === 0) break;
      k = keepSamples(timestamps, values, before, before + read, -Infinity, this.deleted, this.cursor);
      // Fewer than the room: the inner iterator has nothing more up to maxt.
      if (read < end - before) break;
    }
    if (k > offset) {
      this.timestamp = timestamps[k - 1];
      this.value = values[k - 1];
      this.started = true;
    }
    return k - offset;
  }

  /** Copies the inner sample when it is not deleted. */
  private take(): boolean {
    const t = this.inner.timestamp;
    const deleted = this.deleted;
    let d = this.cursor.interval;
    while (d < deleted.length && deleted[d + 1] < t) d += 2;
    this.cursor.interval = d;
    if (d < deleted.length && deleted[d] <= t) return false;
    this.timestamp = t;
    this.value = this.inner.value;
    this.started = true;
    return true;
  }
}

/** Whether `t` is inside one of the deleted intervals. */
export function isDeleted(deleted: Float64Array | undefined, t: number): boolean {
  if (deleted === undefined) return false;
  for (let k = 0; k < deleted.length; k += 2) if (deleted[k] <= t && t <= deleted[k + 1]) return true;
  return false;
}
