import type { SampleIterator } from '../../types.ts';

/**
 * Hides the samples of a series that fall inside its deleted intervals (tombstones: sorted, merged,
 * inclusive [min, max] pairs, flattened), so deletions in the head show in queries at once.
 */
export class DeletedIntervalsIterator implements SampleIterator {
  timestamp = 0;
  value = 0;
  /** The first interval that may still hide a sample (intervals before it end before the cursor). */
  private interval = 0;

  constructor(
    private readonly inner: SampleIterator,
    private readonly deleted: Float64Array,
  ) {}

  next(): boolean {
    while (this.inner.next()) if (this.take()) return true;
    return false;
  }

  seek(t: number): boolean {
    if (!this.inner.seek(t)) return false;
    if (this.take()) return true;
    return this.next();
  }

  /** Copies the inner sample when it is not deleted. */
  private take(): boolean {
    const t = this.inner.timestamp;
    const deleted = this.deleted;
    while (this.interval < deleted.length && deleted[this.interval + 1] < t) this.interval += 2;
    if (this.interval < deleted.length && deleted[this.interval] <= t) return false;
    this.timestamp = t;
    this.value = this.inner.value;
    return true;
  }
}

/** Whether `t` is inside one of the deleted intervals. */
export function isDeleted(deleted: Float64Array | undefined, t: number): boolean {
  if (deleted === undefined) return false;
  for (let k = 0; k < deleted.length; k += 2) if (deleted[k] <= t && t <= deleted[k + 1]) return true;
  return false;
}
