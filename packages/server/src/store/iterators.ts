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
}
