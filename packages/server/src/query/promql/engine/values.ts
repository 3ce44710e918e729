import { METRIC_NAME, labelsKey } from '../../../model/index.ts';
import type { Labels } from '../../../model/index.ts';
import type { StepGrid, StepSeries } from '../functions/types.ts';
import { QueryError } from '../value.ts';

/**
 * What the evaluator passes between nodes. Every value covers all steps of the grid it was evaluated
 * on: a scalar has one number per step, an instant vector is a list of StepSeries (one value slot
 * and one presence flag per step), a range vector keeps each series' samples in typed arrays plus
 * the end of every step's window (the left-open window is `(windowEnds[i] - range, windowEnds[i]]`).
 */

export interface ScalarSteps {
  type: 'scalar';
  values: Float64Array;
}

export interface VectorSteps {
  type: 'vector';
  series: StepSeries[];
}

/** One series of a range vector: its samples in time order, stale markers removed. */
export interface RangeSeries {
  labels: Labels;
  timestamps: Float64Array;
  values: Float64Array;
  count: number;
}

export interface RangeSteps {
  type: 'matrix';
  series: RangeSeries[];
  range: number;
  /** The (inclusive) end of each step's window, offset and `@` applied. */
  windowEnds: Float64Array;
  /** Samples this value holds for the sample limit: a subquery's points (a selector's are counted by window as they are used). */
  heldSamples: number;
}

/**
 * What a range function reads: the windows' ends and range, and the series — a list, or a stream
 * read from storage one series at a time (a range selector directly under the function).
 */
export interface RangeInput {
  series: Iterable<RangeSeries> | AsyncIterable<RangeSeries>;
  range: number;
  windowEnds: Float64Array;
}

export interface StringSteps {
  type: 'string';
  value: string;
}

export type Evaluated = ScalarSteps | VectorSteps | RangeSteps | StringSteps;

export function stepTime(grid: StepGrid, step: number): number {
  return grid.start + step * grid.interval;
}

export function gridEnd(grid: StepGrid): number {
  return grid.start + (grid.count - 1) * grid.interval;
}

/**
 * Step arrays are carved from shared slabs: a typed array with a buffer of its own costs a zeroed
 * allocation outside the heap and its bookkeeping (a few microseconds for a 6 h range at 15 s), a
 * view of a fresh slab a small object. Slabs are only ever carved forward, so every view starts
 * zeroed and none overlaps another; a slab is freed once no view of it is left (a query's values
 * die with the query). Long series get arrays of their own, so one kept view pins little memory.
 */
const SLAB_BYTES = 1 << 18;
const MAX_SLAB_SERIES_BYTES = SLAB_BYTES >>> 3;
let slab = new ArrayBuffer(0);
let slabUsed = 0;

/** Zeroed value and presence arrays of `count` steps. */
export function newStepArrays(count: number): { values: Float64Array; present: Uint8Array } {
  // Values first (8-byte aligned), presence bytes after, the next carve rounded up to 8 again.
  const bytes = (count * 9 + 7) & ~7;
  if (bytes > MAX_SLAB_SERIES_BYTES) return { values: new Float64Array(count), present: new Uint8Array(count) };
  if (slabUsed + bytes > slab.byteLength) {
    slab = new ArrayBuffer(SLAB_BYTES);
    slabUsed = 0;
  }
  const values = new Float64Array(slab, slabUsed, count);
  const present = new Uint8Array(slab, slabUsed + count * 8, count);
  slabUsed += bytes;
  return { values, present };
}

export function newStepSeries(labels: Labels, count: number): StepSeries {
  const { values, present } = newStepArrays(count);
  return { labels, values, present };
}

export function countPresent(series: StepSeries): number {
  return countOnes(series.present);
}

/**
 * The number of 1 bytes in an array of 0 and 1 bytes, four at a time where the array is 4-byte
 * aligned (step arrays are): the top byte of a word times 0x01010101 is the sum of its four bytes.
 */
export function countOnes(present: Uint8Array): number {
  const length = present.length;
  let total = 0;
  let i = 0;
  if (length >= 64 && (present.byteOffset & 3) === 0) {
    const words = new Uint32Array(present.buffer, present.byteOffset, length >>> 2);
    for (let w = 0; w < words.length; w++) total += Math.imul(words[w], 0x01010101) >>> 24;
    i = words.length << 2;
  }
  for (; i < length; i++) total += present[i];
  return total;
}

export function hasAnyPresent(series: StepSeries): boolean {
  const present = series.present;
  for (let i = 0; i < present.length; i++) if (present[i] === 1) return true;
  return false;
}

/** Samples a value holds, as the sample limit counts them. */
export function countPoints(value: Evaluated): number {
  switch (value.type) {
    case 'scalar':
      return value.values.length;
    case 'vector': {
      let total = 0;
      for (const series of value.series) total += countPresent(series);
      return total;
    }
    case 'matrix':
      return value.heldSamples;
    case 'string':
      return 0;
  }
}

/**
 * The labels without the metric's identity: `__name__` and, as Prometheus 3 drops them together,
 * the `__type__` and `__unit__` metadata labels.
 */
export function dropMetricName(labels: Labels): Labels {
  let found = false;
  for (let i = 0; i < labels.length; i += 2) {
    const name = labels[i];
    if (name === METRIC_NAME || name === '__type__' || name === '__unit__') {
      found = true;
      break;
    }
    if (name > '__unit__') break;
  }
  if (!found) return labels;
  const out: string[] = [];
  for (let i = 0; i < labels.length; i += 2) {
    const name = labels[i];
    if (name !== METRIC_NAME && name !== '__type__' && name !== '__unit__') out.push(name, labels[i + 1]);
  }
  return out;
}

export function sameLabelsetError(): QueryError {
  return new QueryError('execution', 'vector cannot contain metrics with the same labelset');
}

/**
 * Builds an instant vector's output series by label set. Writing a step that a series already holds
 * means two inputs ended up with the same labels at the same time, which Prometheus rejects.
 */
export class SeriesCollector {
  private readonly byKey = new Map<string, StepSeries>();
  readonly series: StepSeries[] = [];

  constructor(private readonly count: number) {}

  get(labels: Labels): StepSeries {
    const key = labelsKey(labels);
    let series = this.byKey.get(key);
    if (series === undefined) {
      series = newStepSeries(labels, this.count);
      this.byKey.set(key, series);
      this.series.push(series);
    }
    return series;
  }

  static set(series: StepSeries, step: number, value: number): void {
    if (series.present[step] === 1) throw sameLabelsetError();
    series.present[step] = 1;
    series.values[step] = value;
  }

  /** The series with at least one value, in the order they were first created. */
  finish(): StepSeries[] {
    return this.series.filter(hasAnyPresent);
  }
}

/** Throws when two series of a list share a label set (whatever steps they have values at). */
export function checkUniqueLabelsets(series: readonly { labels: Labels }[]): void {
  if (series.length < 2) return;
  const seen = new Set<string>();
  for (const one of series) {
    const key = labelsKey(one.labels);
    if (seen.has(key)) throw sameLabelsetError();
    seen.add(key);
  }
}

/**
 * Series whose `__name__` is to be dropped at the end of the query (Prometheus's delayed name
 * removal): the name stays visible to label functions and grouping until then. Kept beside the
 * series objects so the shared StepSeries type stays as it is.
 */
const pendingNameDrops = new WeakSet<object>();

export function markNameDrop(series: object): void {
  pendingNameDrops.add(series);
}

export function dropsName(series: object): boolean {
  return pendingNameDrops.has(series);
}

/** Carries the pending name drop of `from` (any of them) over to `to`. */
export function inheritNameDrop(to: object, ...from: object[]): void {
  for (const one of from) {
    if (pendingNameDrops.has(one)) {
      pendingNameDrops.add(to);
      return;
    }
  }
}

/** Repeats a one-step value over every step of `grid` (step-invariant expressions). */
export function broadcast(value: Evaluated, count: number): Evaluated {
  if (value.type === 'scalar') {
    return { type: 'scalar', values: new Float64Array(count).fill(value.values[0]) };
  }
  if (value.type === 'vector') {
    const series: StepSeries[] = [];
    for (const one of value.series) {
      if (one.present[0] !== 1) continue;
      const repeated = { labels: one.labels, values: new Float64Array(count).fill(one.values[0]), present: new Uint8Array(count).fill(1) };
      inheritNameDrop(repeated, one);
      series.push(repeated);
    }
    return { type: 'vector', series };
  }
  return value;
}

/** Labels as Go's `labels.Labels.String()` prints them in error texts: `{__name__="x", a="b"}`. */
export function describeLabels(labels: Labels): string {
  const parts: string[] = [];
  for (let i = 0; i < labels.length; i += 2) {
    const name = /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(labels[i]) ? labels[i] : JSON.stringify(labels[i]);
    parts.push(`${name}=${JSON.stringify(labels[i + 1])}`);
  }
  return `{${parts.join(', ')}}`;
}
