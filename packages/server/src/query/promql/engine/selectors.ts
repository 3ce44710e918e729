import { isStaleNaN } from '../../../model/index.ts';
import type { Labels } from '../../../model/index.ts';
import type { VectorSelector } from '../ast.ts';
import type { StepGrid, StepSeries } from '../functions/types.ts';
import type { Evaluator } from './evaluator.ts';
import { newStepArrays, stepTime } from './values.ts';
import type { VectorSteps } from './values.ts';

/** One series of a selector as loaded from storage: samples in time order in typed arrays. */
export interface LoadedSeries {
  labels: Labels;
  timestamps: Float64Array;
  values: Float64Array;
  count: number;
}

/**
 * Scratch arrays lent to one stream at a time: concurrent queries interleave at their checkpoints
 * while a consumer still holds a stream's views, so two streams must never share a pair.
 */
const scratchPool: { timestamps: Float64Array; values: Float64Array }[] = [];

/**
 * Reads every series matching the selector, samples in [mint, maxt], one series at a time: each is
 * read in bulk (SampleIterator.readInto) into scratch arrays that grow to the longest series, and
 * stale markers are dropped in one pass when not kept. The yielded arrays are views of the scratch
 * arrays, valid only until the next series is read: a consumer that keeps them must copy them, one
 * that evaluates a series and moves on holds a single series in memory whatever the selector's size.
 */
export async function* streamSelectorSeries(
  evaluator: Evaluator,
  selector: VectorSelector,
  mint: number,
  maxt: number,
  keepStale: boolean,
): AsyncGenerator<LoadedSeries> {
  if (maxt < mint) return;
  const querier = evaluator.settings.querier(mint, maxt);
  const lent = scratchPool.pop();
  let timestamps = lent?.timestamps ?? new Float64Array(1024);
  let values = lent?.values ?? new Float64Array(1024);
  try {
    for (const series of querier.select(selector.matchers)) {
      await evaluator.checkpoint();
      const iterator = series.iterator();
      let count = 0;
      for (;;) {
        count += iterator.readInto(maxt, timestamps, values, count);
        if (count < timestamps.length) break;
        const grownTimestamps = new Float64Array(count * 2);
        grownTimestamps.set(timestamps);
        timestamps = grownTimestamps;
        const grownValues = new Float64Array(count * 2);
        grownValues.set(values);
        values = grownValues;
      }
      // The querier keeps to [mint, maxt]; a store that hands back earlier samples loses them here.
      let first = 0;
      while (first < count && timestamps[first] < mint) first++;
      let end = count;
      if (!keepStale) end = dropStaleMarkers(timestamps, values, first, count);
      if (end === first) continue;
      yield { labels: series.labels, timestamps: timestamps.subarray(first, end), values: values.subarray(first, end), count: end - first };
    }
  } finally {
    // Keep a few moderately sized scratch pairs for the next streams; drop huge ones.
    if (timestamps.length <= 1 << 16 && scratchPool.length < 4) scratchPool.push({ timestamps, values });
  }
}

/** Every series of the selector with arrays of its own (see streamSelectorSeries). */
export async function loadSelectorSeries(
  evaluator: Evaluator,
  selector: VectorSelector,
  mint: number,
  maxt: number,
  keepStale: boolean,
): Promise<LoadedSeries[]> {
  const out: LoadedSeries[] = [];
  for await (const series of streamSelectorSeries(evaluator, selector, mint, maxt, keepStale)) {
    out.push({ labels: series.labels, timestamps: series.timestamps.slice(), values: series.values.slice(), count: series.count });
  }
  return out;
}

/** Removes stale markers from [from, to) in place, moving runs with copyWithin (value bits exact); returns the new end. */
function dropStaleMarkers(timestamps: Float64Array, values: Float64Array, from: number, to: number): number {
  let write = from;
  let runStart = from;
  for (let read = from; read < to; read++) {
    const value = values[read];
    if (value === value || !isStaleNaN(value)) continue;
    if (write !== runStart) {
      timestamps.copyWithin(write, runStart, read);
      values.copyWithin(write, runStart, read);
    }
    write += read - runStart;
    runStart = read + 1;
  }
  if (write !== runStart) {
    timestamps.copyWithin(write, runStart, to);
    values.copyWithin(write, runStart, to);
  }
  return write + (to - runStart);
}

/** The time each step looks up: the step's time (or the `@` time) minus the offset. */
export function lookupTimes(evaluator: Evaluator, selector: { at: VectorSelector['at']; offset: number }, grid: StepGrid): Float64Array {
  const times = new Float64Array(grid.count);
  const at = evaluator.atTime(selector.at);
  for (let i = 0; i < grid.count; i++) times[i] = (at ?? stepTime(grid, i)) - selector.offset;
  return times;
}

/**
 * The samples an instant selector needs for the whole grid, (first lookup - lookback, last lookup],
 * read as a stream: one series' samples in memory at a time.
 */
function instantSelectorData(evaluator: Evaluator, selector: VectorSelector, times: Float64Array): AsyncGenerator<LoadedSeries> {
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < times.length; i++) {
    if (times[i] < first) first = times[i];
    if (times[i] > last) last = times[i];
  }
  return streamSelectorSeries(evaluator, selector, first - evaluator.settings.lookbackDelta + 1, last, true);
}

/**
 * For one series, the value each step selects (the newest sample in the left-open window
 * `(t - lookback, t]`, unless it is a stale marker) into `values`/`present`; returns how many steps
 * have one. `times` must not decrease (they do not: steps move forward, or stay at the `@` time), so
 * one index moves forward over the samples. With `sampleTimestamps` the value is the sample's
 * timestamp in seconds. One tight loop, no intermediate index array.
 */
function selectSamples(
  series: LoadedSeries,
  times: Float64Array,
  lookbackDelta: number,
  sampleTimestamps: boolean,
  values: Float64Array,
  present: Uint8Array,
): number {
  const { timestamps, count } = series;
  const sampleValues = series.values;
  const steps = times.length;
  let next = 0;
  let points = 0;
  for (let i = 0; i < steps; i++) {
    const t = times[i];
    while (next < count && timestamps[next] <= t) next++;
    const index = next - 1;
    if (index < 0 || timestamps[index] <= t - lookbackDelta) continue;
    const value = sampleValues[index];
    // Only a NaN can be a stale marker: the common number skips the bit test.
    if (value !== value && isStaleNaN(value)) continue;
    present[i] = 1;
    values[i] = sampleTimestamps ? timestamps[index] / 1000 : value;
    points++;
  }
  return points;
}

export async function evaluateVectorSelector(evaluator: Evaluator, selector: VectorSelector, grid: StepGrid): Promise<VectorSteps> {
  return selectInstant(evaluator, selector, grid, false);
}

/**
 * An instant selector over the grid. With `sampleTimestamps` the value is the chosen sample's
 * timestamp in seconds and the name is dropped: `timestamp(x)` reports when the sample was taken,
 * not the step time.
 */
export async function selectInstant(evaluator: Evaluator, selector: VectorSelector, grid: StepGrid, sampleTimestamps: boolean): Promise<VectorSteps> {
  const times = lookupTimes(evaluator, selector, grid);
  const out: StepSeries[] = [];
  const lookbackDelta = evaluator.settings.lookbackDelta;
  // A series with no step selected leaves its arrays (still all zeros) to the next one.
  let values: Float64Array | null = null;
  let present: Uint8Array | null = null;
  for await (const series of instantSelectorData(evaluator, selector, times)) {
    await evaluator.checkpoint();
    if (values === null || present === null) ({ values, present } = newStepArrays(grid.count));
    const points = selectSamples(series, times, lookbackDelta, sampleTimestamps, values, present);
    if (points === 0) continue;
    // Counted as they are produced, so a runaway query stops before it fills the memory.
    evaluator.countProduced(points);
    out.push({ labels: series.labels, values, present });
    values = null;
    present = null;
  }
  return { type: 'vector', series: out };
}

/** The interval of samples a range selector needs for the whole grid. */
export function rangeSelectorBounds(windowEnds: Float64Array, range: number): { mint: number; maxt: number } {
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < windowEnds.length; i++) {
    if (windowEnds[i] < first) first = windowEnds[i];
    if (windowEnds[i] > last) last = windowEnds[i];
  }
  return { mint: first - range + 1, maxt: last };
}

