import type { Head } from './head/index.ts';
import { decodeSamplesInto, sampleCount } from './wal/index.ts';

/**
 * Applies WAL samples to the head in batches grouped by series. A WAL record holds one sample for
 * each of thousands of series; appending them in that order touches a different series' chunk on
 * every sample, which at a million series makes replay a cache miss per sample. Buffering millions of
 * samples and applying them series by series (a stable counting sort by ref keeps each series' own
 * order, which is the order its samples were committed in) keeps each chunk hot while it is extended.
 */
export class ReplayBatch {
  private refs: Int32Array;
  private timestamps: Float64Array;
  private values: Float64Array;
  private sortedRefs: Int32Array;
  private sortedTimestamps: Float64Array;
  private sortedValues: Float64Array;
  private count = 0;
  /** Samples applied and skipped (unknown series, older than what the head holds). */
  applied = 0;
  skipped = 0;

  constructor(
    private readonly head: Head,
    private readonly capacity = 1 << 23,
  ) {
    this.refs = new Int32Array(capacity);
    this.timestamps = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
    this.sortedRefs = new Int32Array(capacity);
    this.sortedTimestamps = new Float64Array(capacity);
    this.sortedValues = new Float64Array(capacity);
  }

  /** Adds the samples of one Samples record; flushes first when they would not fit. */
  addRecord(payload: Uint8Array): void {
    const n = sampleCount(payload);
    if (this.count + n > this.capacity) this.flush();
    if (n > this.capacity) {
      // A record larger than the whole buffer: apply it directly, in order.
      const refs = new Int32Array(n);
      const timestamps = new Float64Array(n);
      const values = new Float64Array(n);
      decodeSamplesInto(payload, refs, timestamps, values, 0);
      for (let i = 0; i < n; i++) this.apply(refs[i], timestamps[i], values[i]);
      return;
    }
    // Samples already in a restored chunk (older than the series' newest) are dropped while
    // decoding, before the sort; series records always precede their samples in the log.
    const written = decodeSamplesInto(payload, this.refs, this.timestamps, this.values, this.count, this.head.newestTimes());
    this.skipped += n - written;
    this.count += written;
  }

  /** Counts the samples of a Samples record left out because restored chunks hold all of them. */
  skipCovered(payload: Uint8Array): void {
    this.skipped += sampleCount(payload);
  }

  /**
   * Applies everything buffered. Must run before anything that depends on sample order across series
   * (nothing in replay does: series records only create series, which samples then find).
   */
  flush(): void {
    const n = this.count;
    if (n === 0) return;
    this.count = 0;
    let maxRef = 0;
    const refs = this.refs;
    for (let i = 0; i < n; i++) if (refs[i] > maxRef) maxRef = refs[i];
    if (maxRef < 0 || maxRef > 1 << 28) {
      for (let i = 0; i < n; i++) this.apply(refs[i], this.timestamps[i], this.values[i]);
      return;
    }
    // Counting sort by ref (stable).
    const starts = new Int32Array(maxRef + 2);
    for (let i = 0; i < n; i++) starts[refs[i] + 1]++;
    for (let r = 1; r <= maxRef + 1; r++) starts[r] += starts[r - 1];
    const sortedRefs = this.sortedRefs;
    const sortedTimestamps = this.sortedTimestamps;
    const sortedValues = this.sortedValues;
    for (let i = 0; i < n; i++) {
      const at = starts[refs[i]]++;
      sortedRefs[at] = refs[i];
      sortedTimestamps[at] = this.timestamps[i];
      sortedValues[at] = this.values[i];
    }
    for (let i = 0; i < n; i++) this.apply(sortedRefs[i], sortedTimestamps[i], sortedValues[i]);
  }

  private apply(ref: number, timestamp: number, value: number): void {
    if (this.head.replaySample(ref, timestamp, value)) this.applied++;
    else this.skipped++;
  }
}
