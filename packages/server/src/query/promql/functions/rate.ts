import { goQuote } from '../../../model/index.ts';
import type { FunctionContext, RangeWindow } from './types.ts';

/**
 * Counter and gauge change functions over a range window: rate, increase, delta (Prometheus's
 * extrapolated rate), irate, idelta, resets and changes. Float samples only; the window holds the
 * samples in (rangeStart, rangeEnd] without stale markers.
 */

/**
 * Prometheus's extrapolatedRate for float samples. The raw change between the first and last
 * sample (plus the values lost at counter resets) is extrapolated towards the window's edges: all
 * the way when the series seems to continue there (gap below 1.1× the average sample interval),
 * else by half an average interval; a counter is not extrapolated below zero.
 */
function extrapolatedRate(window: RangeWindow, isCounter: boolean, isRate: boolean): number | undefined {
  const { timestamps, values, first, end } = window;
  const sampleCount = end - first;
  if (sampleCount < 2) return undefined;
  const last = end - 1;
  const firstValue = values[first];
  let result = values[last] - firstValue;
  if (isCounter) {
    // A drop means the counter restarted from zero: the value before the drop was lost. The drops
    // inside the window are added in sample order, as Prometheus adds them.
    indexResets(values);
    for (let r = resetCounts[first], to = resetCounts[last]; r < to; r++) result += values[resetAt[r] - 1];
  }
  const firstTime = timestamps[first];
  const lastTime = timestamps[last];
  let durationToStart = (firstTime - window.rangeStart) / 1000;
  let durationToEnd = (window.rangeEnd - lastTime) / 1000;
  const sampledInterval = (lastTime - firstTime) / 1000;
  const averageInterval = sampledInterval / (sampleCount - 1);
  const extrapolationThreshold = averageInterval * 1.1;

  if (durationToStart >= extrapolationThreshold) durationToStart = averageInterval / 2;
  if (isCounter) {
    // Where the line through the samples reaches zero, the counter most likely started.
    let durationToZero = durationToStart;
    if (result > 0 && firstValue >= 0) durationToZero = sampledInterval * (firstValue / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  if (durationToEnd >= extrapolationThreshold) durationToEnd = averageInterval / 2;

  let factor = 1;
  if (sampledInterval !== 0) factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval;
  if (isRate) factor /= (window.rangeEnd - window.rangeStart) / 1000;
  return result * factor;
}

/**
 * Where a series' counter resets are, computed once per series and reused by every step (windows
 * slide forward over one array per series): `resetCounts[i]` is the number of resets among samples
 * 1…i, and `resetAt` lists the index of each reset, so a window visits only its own resets instead
 * of every sample.
 */
let resetsOf: Float64Array | null = null;
let resetCounts = new Uint32Array(0);
let resetAt = new Uint32Array(0);

function indexResets(values: Float64Array): void {
  if (resetsOf === values) return;
  if (resetCounts.length < values.length) {
    resetCounts = new Uint32Array(Math.max(values.length, resetCounts.length * 2));
    resetAt = new Uint32Array(resetCounts.length);
  }
  let count = 0;
  resetCounts[0] = 0;
  for (let k = 1; k < values.length; k++) {
    if (values[k] < values[k - 1]) resetAt[count++] = k;
    resetCounts[k] = count;
  }
  resetsOf = values;
}

let lastCheckedName = '';
/** The info text for lastCheckedName, or '' when its name looks like a counter's. */
let lastCheckedMessage = '';

/**
 * rate() and increase() tell the user when the metric's name does not look like a counter's.
 * Prometheus adds this info for every series with a name that produced output.
 */
function noteIfNotCounter(context: FunctionContext): void {
  const name = context.metricName;
  if (name === '') return;
  if (name !== lastCheckedName) {
    lastCheckedName = name;
    const looksLikeCounter = name.endsWith('_total') || name.endsWith('_sum') || name.endsWith('_count') || name.endsWith('_bucket');
    lastCheckedMessage = looksLikeCounter
      ? ''
      : `PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: ${goQuote(name)}`;
  }
  if (lastCheckedMessage !== '') context.annotations.info(lastCheckedMessage);
}

export function rate(window: RangeWindow, _params: readonly number[], context: FunctionContext): number | undefined {
  const result = extrapolatedRate(window, true, true);
  if (result !== undefined) noteIfNotCounter(context);
  return result;
}

export function increase(window: RangeWindow, _params: readonly number[], context: FunctionContext): number | undefined {
  const result = extrapolatedRate(window, true, false);
  if (result !== undefined) noteIfNotCounter(context);
  return result;
}

export function delta(window: RangeWindow): number | undefined {
  return extrapolatedRate(window, false, false);
}

/** Per-second rate between the last two samples; after a reset the last value itself is the increase. */
export function irate(window: RangeWindow): number | undefined {
  const { timestamps, values, first, end } = window;
  if (end - first < 2) return undefined;
  const interval = timestamps[end - 1] - timestamps[end - 2];
  if (interval === 0) return undefined;
  const previous = values[end - 2];
  const current = values[end - 1];
  const change = current < previous ? current : current - previous;
  return change / (interval / 1000);
}

/** Difference between the last two samples. */
export function idelta(window: RangeWindow): number | undefined {
  const { timestamps, values, first, end } = window;
  if (end - first < 2) return undefined;
  if (timestamps[end - 1] === timestamps[end - 2]) return undefined;
  return values[end - 1] - values[end - 2];
}

/** Number of times the value dropped (counter resets). */
export function resets(window: RangeWindow): number | undefined {
  const { values, first, end } = window;
  if (end === first) return undefined;
  let count = 0;
  for (let i = first + 1; i < end; i++) if (values[i] < values[i - 1]) count++;
  return count;
}

/** Number of times the value changed; NaN followed by NaN is not a change. */
export function changes(window: RangeWindow): number | undefined {
  const { values, first, end } = window;
  if (end === first) return undefined;
  let count = 0;
  for (let i = first + 1; i < end; i++) {
    const previous = values[i - 1];
    const current = values[i];
    if (current !== previous && !(current !== current && previous !== previous)) count++;
  }
  return count;
}
