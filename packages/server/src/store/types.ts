import type { LabelMatcher, Labels } from '../model/index.ts';

/**
 * The storage contract. Everything that writes (scrape, remote write, import, rules) goes through an
 * Appender; everything that reads (API, PromQL) goes through a Querier. Nothing here knows about HTTP,
 * files or a particular engine; `store/memory` implements it for tests and `store/tsdb` for real.
 */

/** A series reference handed back by an appender. 0 means "not known yet". */
export type SeriesRef = number;

/** Why an appended sample was refused. Negative so they never collide with a SeriesRef. */
export const AppendStatus = {
  /** Older than the newest sample of its series (and outside the out-of-order window). */
  OutOfOrder: -1,
  /** Too old for the head and not accepted into blocks. */
  OutOfBounds: -2,
  /** Same timestamp as the newest sample but a different value. */
  DuplicateTimestamp: -3,
  /** The label set is not valid (empty, bad name, duplicate name). */
  InvalidLabels: -4,
  /** The store refused the write for capacity reasons (series limit, disk full). */
  Unavailable: -5,
} as const;
export type AppendStatus = (typeof AppendStatus)[keyof typeof AppendStatus];

export function appendStatusName(status: number): string {
  switch (status) {
    case AppendStatus.OutOfOrder:
      return 'out of order sample';
    case AppendStatus.OutOfBounds:
      return 'out of bounds';
    case AppendStatus.DuplicateTimestamp:
      return 'duplicate sample for timestamp';
    case AppendStatus.InvalidLabels:
      return 'invalid labels';
    case AppendStatus.Unavailable:
      return 'storage unavailable';
    default:
      return 'ok';
  }
}

/**
 * What one append carries. The caller owns one object of this union and reuses it for every call, so
 * a million samples cost no allocations. Histogram samples join the union in a later version.
 */
export type Sample =
  | { kind: 'float'; timestamp: number; value: number }
  | { kind: 'exemplar'; timestamp: number; value: number; labels: Labels };

export interface Appender {
  /**
   * Adds a sample. `ref` is a reference returned by an earlier append (fast path) or 0, in which case
   * `labels` (canonical, sorted, non-empty) identify the series. Returns the series ref (> 0) or a
   * negative AppendStatus. Nothing is visible to readers or durable before `commit`.
   */
  append(ref: SeriesRef, labels: Labels | null, sample: Sample): SeriesRef | AppendStatus;
  /** Makes every appended sample durable (written to the WAL) and visible. Rejects on I/O failure, in which case nothing of this appender is applied. */
  commit(): Promise<void>;
  /** Discards everything appended. */
  rollback(): void;
}

/**
 * A cursor over one series' samples in time order. It starts before the first sample; `next()`,
 * `seek()` and `readInto()` only move it forward. Fields are read after `next()` or `seek()` returns
 * true, or after `readInto()` copied at least one sample.
 */
export interface SampleIterator {
  /** Moves to the next sample; false when there is none (the cursor is then exhausted). */
  next(): boolean;
  /**
   * Moves to the first sample with timestamp >= t, counting the current one: it stays when the
   * current sample's timestamp is >= t. Returns false when there is none (exhausted).
   */
  seek(t: number): boolean;
  /**
   * The bulk read path. Copies the samples that successive `next()` calls would return — those after
   * the current sample, or from the first when nothing was read yet — into `timestamps` and `values`
   * from index `offset`, stopping before the first sample with timestamp > maxt (which stays unread:
   * a later call with a larger maxt, or `next()`, returns it) or when index `timestamps.length` is
   * reached (`values` must be at least as long). Returns how many were copied; the last one copied
   * becomes the current sample (`timestamp`/`value`, and what `seek` may stay on). Value bits are
   * copied exactly (stale-marker NaN payloads survive). Entries before `offset` are never written;
   * entries past the returned count may be (as scratch). A full buffer may mean more samples: call
   * again; fewer than the room left means no more samples <= maxt. Never moves the cursor to the
   * exhausted state, so a following `seek` to a time <= the last copied timestamp stays on it.
   */
  readInto(maxt: number, timestamps: Float64Array, values: Float64Array, offset: number): number;
  readonly timestamp: number;
  readonly value: number;
}

export interface Series {
  readonly labels: Labels;
  iterator(): SampleIterator;
}

export interface SelectHints {
  /** Only labels are needed, not samples (the series and labels APIs). */
  labelsOnly?: boolean;
  /** Caller will not need more than this many series. */
  limit?: number;
}

export interface Querier {
  /** Series with at least one sample in [mint, maxt] matching every matcher, sorted by labels. */
  select(matchers: readonly LabelMatcher[], hints?: SelectHints): Iterable<Series>;
  /** Label names of the series matching `matchers` (all series when empty), sorted. */
  labelNames(matchers: readonly LabelMatcher[]): string[];
  /** Values of label `name` among matching series, sorted. */
  labelValues(name: string, matchers: readonly LabelMatcher[]): string[];
  close(): void;
}

export interface StorageStats {
  numSeries: number;
  minTime: number;
  maxTime: number;
  /** Series count per metric name, highest first (limit applied). */
  seriesCountByMetricName: { name: string; value: number }[];
  labelValueCountByLabelName: { name: string; value: number }[];
  memoryInBytesByLabelName: { name: string; value: number }[];
  seriesCountByLabelValuePair: { name: string; value: number }[];
  numLabelPairs: number;
  chunkCount: number;
}

export interface Storage {
  appender(): Appender;
  querier(mint: number, maxt: number): Querier;
  stats(limit: number): StorageStats;
  close(): Promise<void>;
}
