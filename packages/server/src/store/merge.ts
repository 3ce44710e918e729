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
    const lists = this.queriers.map((q) => [...q.select(matchers, hints)]);
    const out: Series[] = [];
    const positions = new Array<number>(lists.length).fill(0);
    for (;;) {
      let smallest: Series | null = null;
      for (let i = 0; i < lists.length; i++) {
        const candidate = lists[i][positions[i]];
        if (candidate !== undefined && (smallest === null || compareLabels(candidate.labels, smallest.labels) < 0)) smallest = candidate;
      }
      if (smallest === null) break;
      const same: Series[] = [];
      for (let i = 0; i < lists.length; i++) {
        const candidate = lists[i][positions[i]];
        if (candidate !== undefined && compareLabels(candidate.labels, smallest.labels) === 0) {
          same.push(candidate);
          positions[i]++;
        }
      }
      if (same.length === 1) out.push(same[0]);
      else out.push({ labels: smallest.labels, iterator: () => new MergeIterator(same.map((s) => s.iterator())) });
      if (hints?.limit !== undefined && out.length >= hints.limit) break;
    }
    return out;
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

/** Merges sample iterators by timestamp; on equal timestamps the last iterator's sample is kept. */
export class MergeIterator implements SampleIterator {
  private readonly has: boolean[];
  private started = false;
  timestamp = 0;
  value = 0;

  constructor(private readonly iterators: SampleIterator[]) {
    this.has = iterators.map(() => false);
  }

  next(): boolean {
    if (!this.started) {
      this.started = true;
      for (let i = 0; i < this.iterators.length; i++) this.has[i] = this.iterators[i].next();
    } else {
      for (let i = 0; i < this.iterators.length; i++) {
        if (this.has[i] && this.iterators[i].timestamp === this.timestamp) this.has[i] = this.iterators[i].next();
      }
    }
    let best = -1;
    for (let i = 0; i < this.iterators.length; i++) {
      if (!this.has[i]) continue;
      if (best < 0 || this.iterators[i].timestamp <= this.iterators[best].timestamp) best = i;
    }
    if (best < 0) return false;
    this.timestamp = this.iterators[best].timestamp;
    this.value = this.iterators[best].value;
    return true;
  }

  seek(t: number): boolean {
    if (this.started && this.timestamp >= t) return true;
    while (this.next()) if (this.timestamp >= t) return true;
    return false;
  }
}
