import { dayOfMonth, dayOfWeek, dayOfYear, daysInMonth, hour, minute, month, year } from './date.ts';
import { histogramFraction, histogramQuantile } from './histogram-quantile.ts';
import { prepareLabelJoin, prepareLabelReplace } from './labels.ts';
import { clamp, clampIsEmpty, clampMax, clampMin, degrees, radians, round, sgn } from './math.ts';
import {
  avgOverTime,
  countOverTime,
  firstOverTime,
  lastOverTime,
  madOverTime,
  maxOverTime,
  minOverTime,
  presentOverTime,
  quantileOverTime,
  stddevOverTime,
  stdvarOverTime,
  sumOverTime,
  tsOfFirstOverTime,
  tsOfLastOverTime,
  tsOfMaxOverTime,
  tsOfMinOverTime,
} from './over-time.ts';
import { changes, delta, idelta, increase, irate, rate, resets } from './rate.ts';
import { deriv, doubleExponentialSmoothing, predictLinear } from './regression.ts';
import type { ElementwiseFunction, FunctionImplementation, RangeFunction } from './types.ts';

/**
 * PromQL's function implementations, by name, for the engine (the signatures live in the parser).
 * Functions the engine evaluates itself (time, pi, scalar, vector, timestamp, absent,
 * absent_over_time, sort, sort_desc, …) are not here.
 */

export { quantile } from './quantile.ts';
/** For the quantile aggregation's warning (same text as quantile_over_time's). */
export { invalidQuantileWarning } from './over-time.ts';
/** Go's %g, %.Ng, %f and %q, for annotation and error texts worded as Prometheus's. */

function range(apply: RangeFunction, keepName = false): FunctionImplementation {
  return keepName ? { kind: 'range', apply, keepName } : { kind: 'range', apply };
}

function elementwise(apply: ElementwiseFunction): FunctionImplementation {
  return { kind: 'elementwise', apply };
}

const doubleExponentialSmoothingImplementation = range(doubleExponentialSmoothing);

export const FUNCTIONS: ReadonlyMap<string, FunctionImplementation> = new Map<string, FunctionImplementation>([
  // Range vector functions.
  ['rate', range(rate)],
  ['increase', range(increase)],
  ['delta', range(delta)],
  ['irate', range(irate)],
  ['idelta', range(idelta)],
  ['deriv', range(deriv)],
  ['predict_linear', range(predictLinear)],
  ['resets', range(resets)],
  ['changes', range(changes)],
  ['avg_over_time', range(avgOverTime)],
  ['min_over_time', range(minOverTime)],
  ['max_over_time', range(maxOverTime)],
  ['sum_over_time', range(sumOverTime)],
  ['count_over_time', range(countOverTime)],
  ['quantile_over_time', range(quantileOverTime)],
  ['stddev_over_time', range(stddevOverTime)],
  ['stdvar_over_time', range(stdvarOverTime)],
  ['last_over_time', range(lastOverTime, true)],
  ['present_over_time', range(presentOverTime)],
  ['mad_over_time', range(madOverTime)],
  ['first_over_time', range(firstOverTime, true)],
  ['ts_of_min_over_time', range(tsOfMinOverTime)],
  ['ts_of_max_over_time', range(tsOfMaxOverTime)],
  ['ts_of_first_over_time', range(tsOfFirstOverTime)],
  ['ts_of_last_over_time', range(tsOfLastOverTime)],
  ['double_exponential_smoothing', doubleExponentialSmoothingImplementation],
  ['holt_winters', doubleExponentialSmoothingImplementation],

  // Elementwise math.
  ['abs', elementwise(Math.abs)],
  ['ceil', elementwise(Math.ceil)],
  ['floor', elementwise(Math.floor)],
  ['exp', elementwise(Math.exp)],
  ['sqrt', elementwise(Math.sqrt)],
  ['ln', elementwise(Math.log)],
  ['log2', elementwise(Math.log2)],
  ['log10', elementwise(Math.log10)],
  ['round', elementwise(round)],
  ['sgn', elementwise(sgn)],
  ['clamp', { kind: 'elementwise', apply: clamp, skipStep: clampIsEmpty }],
  ['clamp_min', elementwise(clampMin)],
  ['clamp_max', elementwise(clampMax)],
  ['deg', elementwise(degrees)],
  ['rad', elementwise(radians)],
  ['acos', elementwise(Math.acos)],
  ['acosh', elementwise(Math.acosh)],
  ['asin', elementwise(Math.asin)],
  ['asinh', elementwise(Math.asinh)],
  ['atan', elementwise(Math.atan)],
  ['atanh', elementwise(Math.atanh)],
  ['cos', elementwise(Math.cos)],
  ['cosh', elementwise(Math.cosh)],
  ['sin', elementwise(Math.sin)],
  ['sinh', elementwise(Math.sinh)],
  ['tan', elementwise(Math.tan)],
  ['tanh', elementwise(Math.tanh)],

  // Date functions (the value is seconds since the epoch).
  ['day_of_month', elementwise(dayOfMonth)],
  ['day_of_week', elementwise(dayOfWeek)],
  ['day_of_year', elementwise(dayOfYear)],
  ['days_in_month', elementwise(daysInMonth)],
  ['hour', elementwise(hour)],
  ['minute', elementwise(minute)],
  ['month', elementwise(month)],
  ['year', elementwise(year)],

  // Label manipulation.
  ['label_replace', { kind: 'labels', prepare: prepareLabelReplace }],
  ['label_join', { kind: 'labels', prepare: prepareLabelJoin }],

  // Functions over a whole vector.
  ['histogram_quantile', { kind: 'series', apply: histogramQuantile }],
  ['histogram_fraction', { kind: 'series', apply: histogramFraction }],
]);
