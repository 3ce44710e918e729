import { formatFloat } from '../../../model/index.ts';
import { kahanAdd } from './kahan.ts';
import { quantile } from './quantile.ts';
import type { FunctionContext, RangeWindow } from './types.ts';

/**
 * The *_over_time aggregations of one series' window, as Prometheus computes them for float
 * samples: compensated sums, an incremental mean once a plain sum would overflow, NaN handling of
 * min/max, and the same tie rules for the ts_of_* variants. No allocation per call: sums use
 * module-level state, quantiles copy into one reusable scratch array.
 */

const sumState = new Float64Array(2);
const meanState = new Float64Array(2);
const auxState = new Float64Array(2);

let scratch = new Float64Array(64);

/** The window's values copied into the shared scratch array (valid until the next call). */
function copyToScratch(window: RangeWindow): Float64Array {
  const count = window.end - window.first;
  if (scratch.length < count) scratch = new Float64Array(Math.max(count, scratch.length * 2));
  const values = window.values;
  for (let i = 0, j = window.first; i < count; i++, j++) scratch[i] = values[j];
  return scratch;
}

export function avgOverTime(window: RangeWindow): number | undefined {
  const { values, first, end } = window;
  if (end === first) return undefined;
  sumState[0] = values[first];
  sumState[1] = 0;
  let count = 1;
  let incrementalMean = false;
  let mean = 0;
  let compensation = 0;
  for (let i = first + 1; i < end; i++) {
    const value = values[i];
    count = i - first + 1;
    if (!incrementalMean) {
      const previousSum = sumState[0];
      const previousCompensation = sumState[1];
      kahanAdd(sumState, value);
      const sum = sumState[0];
      if (sum !== Infinity && sum !== -Infinity) continue;
      // The plain sum overflowed: continue with a running mean, which stays finite.
      incrementalMean = true;
      mean = previousSum / (count - 1);
      compensation = previousCompensation / (count - 1);
    }
    const keep = (count - 1) / count;
    meanState[0] = keep * mean;
    meanState[1] = keep * compensation;
    kahanAdd(meanState, value / count);
    mean = meanState[0];
    compensation = meanState[1];
  }
  if (incrementalMean) return mean + compensation;
  return sumState[0] / count + sumState[1] / count;
}

export function sumOverTime(window: RangeWindow): number | undefined {
  const { values, first, end } = window;
  if (end === first) return undefined;
  sumState[0] = 0;
  sumState[1] = 0;
  for (let i = first; i < end; i++) kahanAdd(sumState, values[i]);
  const sum = sumState[0];
  if (sum === Infinity || sum === -Infinity) return sum;
  return sum + sumState[1];
}

export function countOverTime(window: RangeWindow): number | undefined {
  if (window.end === window.first) return undefined;
  return window.end - window.first;
}

export function presentOverTime(window: RangeWindow): number | undefined {
  if (window.end === window.first) return undefined;
  return 1;
}

export function lastOverTime(window: RangeWindow): number | undefined {
  if (window.end === window.first) return undefined;
  return window.values[window.end - 1];
}

export function firstOverTime(window: RangeWindow): number | undefined {
  if (window.end === window.first) return undefined;
  return window.values[window.first];
}

export function tsOfFirstOverTime(window: RangeWindow): number | undefined {
  if (window.end === window.first) return undefined;
  return window.timestamps[window.first] / 1000;
}

export function tsOfLastOverTime(window: RangeWindow): number | undefined {
  if (window.end === window.first) return undefined;
  return window.timestamps[window.end - 1] / 1000;
}

// min/max: a NaN so far is replaced by any later value, so NaN results only when all are NaN.
export function maxOverTime(window: RangeWindow): number | undefined {
  const { values, first, end } = window;
  if (end === first) return undefined;
  let best = values[first];
  for (let i = first; i < end; i++) {
    const value = values[i];
    if (value > best || best !== best) best = value;
  }
  return best;
}

export function minOverTime(window: RangeWindow): number | undefined {
  const { values, first, end } = window;
  if (end === first) return undefined;
  let best = values[first];
  for (let i = first; i < end; i++) {
    const value = values[i];
    if (value < best || best !== best) best = value;
  }
  return best;
}

// ts_of_max/min: ties go to the latest sample.
export function tsOfMaxOverTime(window: RangeWindow): number | undefined {
  const { values, timestamps, first, end } = window;
  if (end === first) return undefined;
  let best = values[first];
  let time = timestamps[first];
  for (let i = first; i < end; i++) {
    const value = values[i];
    if (value >= best || best !== best) {
      best = value;
      time = timestamps[i];
    }
  }
  return time / 1000;
}

export function tsOfMinOverTime(window: RangeWindow): number | undefined {
  const { values, timestamps, first, end } = window;
  if (end === first) return undefined;
  let best = values[first];
  let time = timestamps[first];
  for (let i = first; i < end; i++) {
    const value = values[i];
    if (value <= best || best !== best) {
      best = value;
      time = timestamps[i];
    }
  }
  return time / 1000;
}

/** Population variance with compensated Welford updates, as Prometheus's stdvar_over_time. */
function varianceOverTime(window: RangeWindow): number {
  const { values, first, end } = window;
  meanState[0] = 0;
  meanState[1] = 0;
  auxState[0] = 0;
  auxState[1] = 0;
  let count = 0;
  for (let i = first; i < end; i++) {
    const value = values[i];
    count++;
    const deviation = value - (meanState[0] + meanState[1]);
    kahanAdd(meanState, deviation / count);
    kahanAdd(auxState, deviation * (value - (meanState[0] + meanState[1])));
  }
  return (auxState[0] + auxState[1]) / count;
}

export function stdvarOverTime(window: RangeWindow): number | undefined {
  if (window.end === window.first) return undefined;
  return varianceOverTime(window);
}

export function stddevOverTime(window: RangeWindow): number | undefined {
  if (window.end === window.first) return undefined;
  return Math.sqrt(varianceOverTime(window));
}

/** The warning Prometheus gives for a φ outside [0, 1] (or NaN). */
export function invalidQuantileWarning(q: number): string {
  return `PromQL warning: quantile value should be between 0 and 1, got ${formatFloat(q, 'g', -1)}`;
}

export function quantileOverTime(window: RangeWindow, params: readonly number[], context: FunctionContext): number | undefined {
  if (window.end === window.first) return undefined;
  const q = params[0];
  if (q !== q || q < 0 || q > 1) context.annotations.warn(invalidQuantileWarning(q));
  const values = copyToScratch(window);
  return quantile(q, values, window.end - window.first);
}

/** Median absolute deviation from the median; NaN when any value is NaN. */
export function madOverTime(window: RangeWindow): number | undefined {
  const { values: windowValues, first, end } = window;
  if (end === first) return undefined;
  for (let i = first; i < end; i++) if (windowValues[i] !== windowValues[i]) return NaN;
  const count = end - first;
  const values = copyToScratch(window);
  const median = quantile(0.5, values, count);
  for (let i = 0; i < count; i++) values[i] = Math.abs(values[i] - median);
  return quantile(0.5, values, count);
}
