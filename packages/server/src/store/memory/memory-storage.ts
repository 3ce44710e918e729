import { labelsKey, compareLabels, compareStrings, getLabel } from '../../model/index.ts';
import type { LabelMatcher, Labels } from '../../model/index.ts';
import { AppendStatus } from '../types.ts';
import type { Appender, Querier, Sample, Series, SelectHints, SeriesRef, Storage, StorageStats } from '../types.ts';
import { ArraySampleIterator } from '../iterators.ts';
import { seriesMatches, validLabels } from '../select.ts';

interface MemorySeries {
  ref: number;
  labels: Labels;
  timestamps: number[];
  /** A typed array: a plain array of doubles would canonicalise NaN payloads (the stale marker). */
  values: Float64Array;
  count: number;
}

/**
 * The simplest Storage: every sample in plain arrays, nothing on disk. It is the reference the real
 * engine is tested against and the fake that other areas use in their tests.
 */
export class MemoryStorage implements Storage {
  private readonly byKey = new Map<string, MemorySeries>();
  private readonly byRef: MemorySeries[] = [];
  /** Makes `commit` reject, to test callers' handling of storage failures. */
  failCommits: Error | null = null;

  appender(): Appender {
    return new MemoryAppender(this);
  }

  querier(mint: number, maxt: number): Querier {
    return new MemoryQuerier([...this.byKey.values()], mint, maxt);
  }

  stats(limit: number): StorageStats {
    const byName = new Map<string, number>();
    let minTime = Infinity;
    let maxTime = -Infinity;
    for (const series of this.byKey.values()) {
      const name = getLabel(series.labels, '__name__');
      byName.set(name, (byName.get(name) ?? 0) + 1);
      if (series.count > 0) {
        minTime = Math.min(minTime, series.timestamps[0]);
        maxTime = Math.max(maxTime, series.timestamps[series.count - 1]);
      }
    }
    const top = [...byName].map(([name, value]) => ({ name, value })).sort((a, b) => b.value - a.value).slice(0, limit);
    return {
      numSeries: this.byKey.size,
      minTime,
      maxTime,
      seriesCountByMetricName: top,
      labelValueCountByLabelName: [],
      memoryInBytesByLabelName: [],
      seriesCountByLabelValuePair: [],
      numLabelPairs: 0,
      chunkCount: 0,
    };
  }

  async close(): Promise<void> {}

  /** @internal used by MemoryAppender */
  lookup(ref: number, labels: Labels | null): MemorySeries | null {
    if (ref > 0) return this.byRef[ref - 1] ?? null;
    if (labels === null) return null;
    return this.byKey.get(labelsKey(labels)) ?? null;
  }

  /** @internal */
  create(labels: Labels): MemorySeries {
    const series: MemorySeries = { ref: this.byRef.length + 1, labels, timestamps: [], values: new Float64Array(8), count: 0 };
    this.byRef.push(series);
    this.byKey.set(labelsKey(labels), series);
    return series;
  }
}

class MemoryAppender implements Appender {
  private readonly pendingSeries: MemorySeries[] = [];
  private readonly pendingTimestamps: number[] = [];
  private pendingValues = new Float64Array(64);
  /** Newest pending timestamp per series, for order checks within the transaction. */
  private readonly pendingLast = new Map<MemorySeries, number>();

  constructor(private readonly storage: MemoryStorage) {}

  append(ref: SeriesRef, labels: Labels | null, sample: Sample): SeriesRef | AppendStatus {
    let series = this.storage.lookup(ref, labels);
    if (series === null) {
      if (labels === null || !validLabels(labels)) return AppendStatus.InvalidLabels;
      series = this.storage.create(labels);
    }
    if (sample.kind !== 'float') return series.ref;
    const pendingIndex = this.pendingLast.get(series);
    let lastT: number | undefined;
    let lastV = 0;
    if (pendingIndex !== undefined) {
      lastT = this.pendingTimestamps[pendingIndex];
      lastV = this.pendingValues[pendingIndex];
    } else if (series.count > 0) {
      lastT = series.timestamps[series.count - 1];
      lastV = series.values[series.count - 1];
    }
    if (lastT !== undefined && sample.timestamp < lastT) return AppendStatus.OutOfOrder;
    if (lastT !== undefined && sample.timestamp === lastT) {
      return Object.is(lastV, sample.value) || (Number.isNaN(lastV) && Number.isNaN(sample.value)) ? series.ref : AppendStatus.DuplicateTimestamp;
    }
    const n = this.pendingSeries.length;
    if (n === this.pendingValues.length) {
      const grown = new Float64Array(n * 2);
      grown.set(this.pendingValues);
      this.pendingValues = grown;
    }
    this.pendingSeries.push(series);
    this.pendingTimestamps.push(sample.timestamp);
    this.pendingValues[n] = sample.value;
    this.pendingLast.set(series, n);
    return series.ref;
  }

  async commit(): Promise<void> {
    if (this.storage.failCommits !== null) {
      this.rollback();
      throw this.storage.failCommits;
    }
    for (let i = 0; i < this.pendingSeries.length; i++) {
      const series = this.pendingSeries[i];
      if (series.count === series.values.length) {
        const grown = new Float64Array(series.count * 2);
        grown.set(series.values);
        series.values = grown;
      }
      series.timestamps.push(this.pendingTimestamps[i]);
      series.values[series.count++] = this.pendingValues[i];
    }
    this.rollback();
  }

  rollback(): void {
    this.pendingSeries.length = 0;
    this.pendingTimestamps.length = 0;
    this.pendingLast.clear();
  }
}

class MemoryQuerier implements Querier {
  constructor(
    private readonly all: MemorySeries[],
    private readonly mint: number,
    private readonly maxt: number,
  ) {}

  private matching(matchers: readonly LabelMatcher[]): MemorySeries[] {
    return this.all
      .filter((s) => s.timestamps.some((t) => t >= this.mint && t <= this.maxt) && seriesMatches(s.labels, matchers))
      .sort((a, b) => compareLabels(a.labels, b.labels));
  }

  select(matchers: readonly LabelMatcher[], hints?: SelectHints): Iterable<Series> {
    let found = this.matching(matchers);
    if (hints?.limit !== undefined) found = found.slice(0, hints.limit);
    const { mint, maxt } = this;
    return found.map((s) => ({
      labels: s.labels,
      iterator: () => new ArraySampleIterator(s.timestamps, s.values, s.count, mint, maxt),
    }));
  }

  labelNames(matchers: readonly LabelMatcher[]): string[] {
    const names = new Set<string>();
    for (const s of this.matching(matchers)) for (let i = 0; i < s.labels.length; i += 2) names.add(s.labels[i]);
    return [...names].sort(compareStrings);
  }

  labelValues(name: string, matchers: readonly LabelMatcher[]): string[] {
    const values = new Set<string>();
    for (const s of this.matching(matchers)) {
      const value = getLabel(s.labels, name);
      if (value !== '') values.add(value);
    }
    return [...values].sort(compareStrings);
  }

  close(): void {}
}
