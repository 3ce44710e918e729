import { compareLabels } from '../model/index.ts';
import type { LabelMatcher } from '../model/index.ts';
import type { Querier, SampleIterator, Series, SelectHints } from './types.ts';

/**
 * Reads several queriers (blocks and head) as one: series with equal labels are merged and samples
 * with equal timestamps kept once (the later querier wins), so overlapping blocks read correctly.
 */
export class MergeQuerier implements Querier {
  constructor(private readonly queriers: readonly Querier[]) {}

  select(matchers: readonly LabelMatcher[], hints?: SelectHints): Iterable<Series> {
    if (this.queriers.length === 1) return this.queriers[0].select(matchers, hints);
    return this.mergeSelected(matchers, hints);
  }

  /**
   * A k-way merge of the queriers' sorted series, read lazily: only the current series of each input
   * is held, so a query over many blocks keeps one series per block in memory, not every block's list.
   */
  private *mergeSelected(matchers: readonly LabelMatcher[], hints?: SelectHints): Generator<Series> {
    const inputs = this.queriers.map((q) => q.select(matchers, hints)[Symbol.iterator]());
    const heads: (Series | undefined)[] = inputs.map((input) => input.next().value as Series | undefined);
    let emitted = 0;
    for (;;) {
      let smallest: Series | undefined;
      for (const candidate of heads) {
        if (candidate !== undefined && (smallest === undefined || compareLabels(candidate.labels, smallest.labels) < 0)) smallest = candidate;
      }
      if (smallest === undefined) return;
      const same: Series[] = [];
      for (let i = 0; i < heads.length; i++) {
        const candidate = heads[i];
        if (candidate !== undefined && compareLabels(candidate.labels, smallest.labels) === 0) {
          same.push(candidate);
          heads[i] = inputs[i].next().value as Series | undefined;
        }
      }
      yield same.length === 1 ? same[0] : { labels: smallest.labels, iterator: () => new MergeIterator(same.map((s) => s.iterator())) };
      emitted++;
      if (hints?.limit !== undefined && emitted >= hints.limit) return;
    }
  }

  labelNames(matchers: readonly LabelMatcher[]): string[] {
    const names = new Set<string>();
    for (const q of this.queriers) for (const name of q.labelNames(matchers)) names.add(name);
    return [...names].sort();
  }

  labelValues(name: string, matchers: readonly LabelMatcher[]): string[] {
    const values = new Set<string>();
    for (const q of this.queriers) for (const value of q.labelValues(name, matchers)) values.add(value);
    return [...values].sort();
  }

  close(): void {
    for (const q of this.queriers) q.close();
  }
}

/** Buffered samples of one input of a MergeIterator. */
interface Run {
  timestamps: Float64Array;
  values: Float64Array;
}

const RUN_LENGTH = 256;
/** Runs of finished merges, reused: a query merges one series per block after another. */
const freeRuns: Run[] = [];

function takeRun(): Run {
  return freeRuns.pop() ?? { timestamps: new Float64Array(RUN_LENGTH), values: new Float64Array(RUN_LENGTH) };
}

function giveRun(run: Run): void {
  if (freeRuns.length < 64) freeRuns.push(run);
}

/**
 * Merges sample iterators by timestamp; on equal timestamps the last iterator's sample is kept.
 * Each input is read in bulk into a buffered run; `readInto` copies the run of the input with the
 * earliest sample up to the next input's first sample, and once that run is used up reads the input
 * straight into the output (so inputs that do not overlap in time, blocks then head, cost one copy).
 */
export class MergeIterator implements SampleIterator {
  timestamp = 0;
  value = 0;
  private readonly runs: (Run | null)[];
  /** Next unread sample of each input's run, and the run's length. */
  private readonly positions: Int32Array;
  private readonly lengths: Int32Array;
  /** 1 once an input said it has no more samples (what is buffered is still to be read). */
  private readonly ended: Uint8Array;
  private started = false;
  private done = false;

  constructor(private readonly iterators: SampleIterator[]) {
    this.runs = iterators.map(() => null);
    this.positions = new Int32Array(iterators.length);
    this.lengths = new Int32Array(iterators.length);
    this.ended = new Uint8Array(iterators.length);
  }

  /** Whether input i has a buffered sample, reading more when its run is used up. */
  private fill(i: number): boolean {
    if (this.positions[i] < this.lengths[i]) return true;
    let run = this.runs[i];
    if (this.ended[i] === 1) {
      if (run !== null) {
        giveRun(run);
        this.runs[i] = null;
      }
      return false;
    }
    if (run === null) {
      run = takeRun();
      this.runs[i] = run;
    }
    const read = this.iterators[i].readInto(Infinity, run.timestamps, run.values, 0);
    this.positions[i] = 0;
    this.lengths[i] = read;
    if (read < run.timestamps.length) this.ended[i] = 1;
    if (read === 0) {
      giveRun(run);
      this.runs[i] = null;
      return false;
    }
    return true;
  }

  private head(i: number): number {
    return (this.runs[i] as Run).timestamps[this.positions[i]];
  }

  private finish(): false {
    this.done = true;
    for (let i = 0; i < this.runs.length; i++) {
      const run = this.runs[i];
      if (run !== null) giveRun(run);
      this.runs[i] = null;
      this.positions[i] = 0;
      this.lengths[i] = 0;
    }
    return false;
  }

  /** Makes the earliest buffered sample current and consumes it (and its equal-time duplicates). */
  private step(): boolean {
    let best = -1;
    let bestTime = Infinity;
    for (let i = 0; i < this.iterators.length; i++) {
      if (!this.fill(i)) continue;
      const t = this.head(i);
      if (best < 0 || t <= bestTime) {
        best = i;
        bestTime = t;
      }
    }
    if (best < 0) return this.finish();
    this.timestamp = bestTime;
    this.value = (this.runs[best] as Run).values[this.positions[best]];
    for (let i = 0; i < this.iterators.length; i++) if (this.positions[i] < this.lengths[i] && this.head(i) === bestTime) this.positions[i]++;
    this.started = true;
    return true;
  }

  next(): boolean {
    if (this.done) return false;
    return this.step();
  }

  seek(t: number): boolean {
    if (this.done) return false;
    if (this.started && this.timestamp >= t) return true;
    for (let i = 0; i < this.iterators.length; i++) {
      const run = this.runs[i];
      if (run !== null) {
        let p = this.positions[i];
        const length = this.lengths[i];
        while (p < length && run.timestamps[p] < t) p++;
        this.positions[i] = p;
        if (p < length) continue;
      }
      if (this.ended[i] === 1) continue;
      // Every sample taken from this input so far is before t, so its seek cannot stay behind.
      const iterator = this.iterators[i];
      if (!iterator.seek(t)) {
        this.ended[i] = 1;
        continue;
      }
      const target = run ?? takeRun();
      this.runs[i] = target;
      target.timestamps[0] = iterator.timestamp;
      target.values[0] = iterator.value;
      this.positions[i] = 0;
      this.lengths[i] = 1;
    }
    return this.step();
  }

  readInto(maxt: number, timestamps: Float64Array, values: Float64Array, offset: number): number {
    if (this.done) return 0;
    const end = Math.min(timestamps.length, values.length);
    const count = this.iterators.length;
    let k = offset;
    while (k < end) {
      // The input with the earliest sample (the last of equal ones) and the earliest among the others.
      let best = -1;
      let bestTime = Infinity;
      let second = Infinity;
      for (let i = 0; i < count; i++) {
        if (!this.fill(i)) continue;
        const t = this.head(i);
        if (t <= bestTime) {
          if (best >= 0 && bestTime < second) second = bestTime;
          best = i;
          bestTime = t;
        } else if (t < second) {
          second = t;
        }
      }
      if (best < 0 || bestTime > maxt) break;
      const run = this.runs[best] as Run;
      if (bestTime === second) {
        // Equal timestamps: the last input's sample, once.
        timestamps[k] = bestTime;
        copyValue(run.values, this.positions[best], values, k);
        k++;
        for (let i = 0; i < count; i++) if (this.positions[i] < this.lengths[i] && this.head(i) === bestTime) this.positions[i]++;
        continue;
      }
      // Copy the best run up to the other inputs' first sample.
      let p = this.positions[best];
      const length = this.lengths[best];
      const runTimestamps = run.timestamps;
      const from = p;
      while (p < length && k + (p - from) < end) {
        const t = runTimestamps[p];
        if (t >= second || t > maxt) break;
        p++;
      }
      const copied = p - from;
      timestamps.set(runTimestamps.subarray(from, p), k);
      values.set(run.values.subarray(from, p), k);
      k += copied;
      this.positions[best] = p;
      if (p < length || this.ended[best] === 1 || k >= end) continue;
      // The run is used up: read the input straight into the output, up to the others' first sample.
      const read = this.iterators[best].readInto(Math.min(maxt, second), timestamps, values, k);
      k += read;
      if (read > 0 && timestamps[k - 1] === second) {
        // The input's last sample ties with other inputs' first: a later input's value wins.
        for (let i = 0; i < count; i++) {
          if (i === best || this.positions[i] >= this.lengths[i] || this.head(i) !== second) continue;
          if (i > best) copyValue((this.runs[i] as Run).values, this.positions[i], values, k - 1);
          this.positions[i]++;
        }
      }
    }
    if (k > offset) {
      this.timestamp = timestamps[k - 1];
      this.value = values[k - 1];
      this.started = true;
    }
    return k - offset;
  }
}

/** Copies one value bit for bit (a stale marker's NaN payload included). */
function copyValue(from: Float64Array, index: number, to: Float64Array, at: number): void {
  to.set(from.subarray(index, index + 1), at);
}
