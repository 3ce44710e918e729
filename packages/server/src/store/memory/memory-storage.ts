import { labelsKey, compareLabels, compareStrings, getLabel } from '../../model/index.ts';
import type { LabelMatcher, Labels } from '../../model/index.ts';
import { AppendStatus } from '../types.ts';
import type { Appender, Querier, Sample, SampleIterator, Series, SelectHints, SeriesRef, Storage, StorageStats } from '../types.ts';
import { seriesMatches, validLabels } from '../select.ts';

interface MemorySeries {
  ref: number;
  labels: Labels;
  timestamps: number[];
  values: number[];
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
      if (series.timestamps.length > 0) {
        minTime = Math.min(minTime, series.timestamps[0]);
        maxTime = Math.max(maxTime, series.timestamps[series.timestamps.length - 1]);
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
    const series: MemorySeries = { ref: this.byRef.length + 1, labels, timestamps: [], values: [] };
    this.byRef.push(series);
    this.byKey.set(labelsKey(labels), series);
    return series;
  }
}

class MemoryAppender implements Appender {
  private readonly pending: { series: MemorySeries | null; labels: Labels; timestamp: number; value: number }[] = [];

  constructor(private readonly storage: MemoryStorage) {}

  append(ref: SeriesRef, labels: Labels | null, sample: Sample): SeriesRef | AppendStatus {
    if (sample.kind !== 'float') return ref > 0 ? ref : AppendStatus.InvalidLabels;
    let series = this.storage.lookup(ref, labels);
    if (series === null) {
      if (labels === null || !validLabels(labels)) return AppendStatus.InvalidLabels;
    }
    const seriesLabels = series?.labels ?? (labels as Labels);
    const last = this.lastTimestamp(series, seriesLabels);
    if (last !== undefined && sample.timestamp < last.timestamp) return AppendStatus.OutOfOrder;
    if (last !== undefined && sample.timestamp === last.timestamp) {
      if (!Object.is(last.value, sample.value) && !(Number.isNaN(last.value) && Number.isNaN(sample.value))) {
        return AppendStatus.DuplicateTimestamp;
      }
      return series?.ref ?? 1;
    }
    if (series === null) series = this.storage.create(seriesLabels);
    this.pending.push({ series, labels: seriesLabels, timestamp: sample.timestamp, value: sample.value });
    return series.ref;
  }

  private lastTimestamp(series: MemorySeries | null, labels: Labels): { timestamp: number; value: number } | undefined {
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const entry = this.pending[i];
      if (entry.series === series && series !== null) return entry;
      if (series === null && labelsKey(entry.labels) === labelsKey(labels)) return entry;
    }
    if (series === null || series.timestamps.length === 0) return undefined;
    const n = series.timestamps.length - 1;
    return { timestamp: series.timestamps[n], value: series.values[n] };
  }

  async commit(): Promise<void> {
    if (this.storage.failCommits !== null) {
      this.pending.length = 0;
      throw this.storage.failCommits;
    }
    for (const entry of this.pending) {
      const series = entry.series ?? this.storage.create(entry.labels);
      series.timestamps.push(entry.timestamp);
      series.values.push(entry.value);
    }
    this.pending.length = 0;
  }

  rollback(): void {
    this.pending.length = 0;
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
      iterator: () => new ArrayIterator(s.timestamps, s.values, mint, maxt),
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

class ArrayIterator implements SampleIterator {
  private index = -1;
  timestamp = 0;
  value = 0;

  constructor(
    private readonly timestamps: readonly number[],
    private readonly values: readonly number[],
    private readonly mint: number,
    private readonly maxt: number,
  ) {}

  next(): boolean {
    for (;;) {
      this.index++;
      if (this.index >= this.timestamps.length) return false;
      const t = this.timestamps[this.index];
      if (t > this.maxt) {
        this.index = this.timestamps.length;
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
    if (this.index >= 0 && this.index < this.timestamps.length && this.timestamp >= t) return true;
    while (this.next()) if (this.timestamp >= t) return true;
    return false;
  }
}
