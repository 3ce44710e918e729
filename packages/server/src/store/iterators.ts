import type { SampleIterator } from './types.ts';

/** Iterates samples held in parallel arrays, keeping to [mint, maxt]. */
export class ArraySampleIterator implements SampleIterator {
  private index = -1;
  timestamp = 0;
  value = 0;

  constructor(
    private readonly timestamps: ArrayLike<number>,
    /** A typed array: values keep their NaN payloads (the stale marker). */
    private readonly values: Float64Array,
    private readonly count = values.length,
    private readonly mint = -Infinity,
    private readonly maxt = Infinity,
  ) {}

  next(): boolean {
    for (;;) {
      this.index++;
      if (this.index >= this.count) return false;
      const t = this.timestamps[this.index];
      if (t > this.maxt) {
        this.index = this.count;
        return false;
      }
      if (t >= this.mint) {
        this.timestamp = t;
        this.value = this.values[this.index];
        return true;
      }
    }
  }

  seek(t: number): boolean {
    if (this.index >= 0 && this.index < this.count && this.timestamp >= t) return true;
    while (this.next()) if (this.timestamp >= t) return true;
    return false;
  }

  readInto(maxt: number, timestamps: Float64Array, values: Float64Array, offset: number): number {
    const end = Math.min(timestamps.length, values.length);
    const count = this.count;
    let i = this.index + 1;
    if (i > count || offset >= end) return 0;
    const limit = Math.min(maxt, this.maxt);
    const mint = this.mint;
    const source = this.timestamps;
    const sourceValues = this.values;
    // Samples before mint come only before the first one returned.
    if (this.index < 0) while (i < count && source[i] < mint) i++;
    let k = offset;
    while (i < count && k < end) {
      const t = source[i];
      if (t > limit) break;
      timestamps[k] = t;
      values[k] = sourceValues[i];
      k++;
      i++;
    }
    if (k > offset) {
      this.index = i - 1;
      this.timestamp = timestamps[k - 1];
      this.value = sourceValues[i - 1];
    }
    return k - offset;
  }
}
