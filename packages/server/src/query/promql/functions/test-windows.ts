import { Annotations } from '../value.ts';
import type { FunctionContext, RangeWindow } from './types.ts';

/**
 * Test helpers: a window over [seconds, value] samples, with one extra sample before and after it
 * so that functions must respect first/end.
 */
export function windowOf(samples: ReadonlyArray<readonly [number, number]>, rangeStartSeconds: number, rangeEndSeconds: number): RangeWindow {
  const timestamps = new Float64Array(samples.length + 2);
  const values = new Float64Array(samples.length + 2);
  timestamps[0] = rangeStartSeconds * 1000 - 1;
  values[0] = 1e9;
  samples.forEach(([seconds, value], i) => {
    timestamps[i + 1] = seconds * 1000;
    values[i + 1] = value;
  });
  timestamps[samples.length + 1] = rangeEndSeconds * 1000 + 1;
  values[samples.length + 1] = -1e9;
  return { timestamps, values, first: 1, end: samples.length + 1, rangeStart: rangeStartSeconds * 1000, rangeEnd: rangeEndSeconds * 1000 };
}

/** Samples at 10s, 20s, … with the given values. */
export function everyTenSeconds(values: readonly number[]): Array<[number, number]> {
  return values.map((value, i) => [(i + 1) * 10, value]);
}

export function testContext(metricName = 'metric'): FunctionContext {
  return { annotations: new Annotations(), metricName, position: { start: 0, end: 0 } };
}

/** Equal within a relative 1e-12, NaN equal to NaN, undefined only to undefined. */
export function isClose(actual: number | undefined, expected: number | undefined): boolean {
  if (expected === undefined || actual === undefined) return actual === expected;
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return actual === expected;
  return Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected));
}
