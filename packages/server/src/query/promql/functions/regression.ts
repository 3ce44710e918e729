import { formatFloat } from '../../../model/index.ts';
import { kahanAdd } from './kahan.ts';
import type { FunctionContext, RangeWindow } from './types.ts';
import { QueryError } from '../value.ts';

/**
 * Trend functions over a range window: deriv and predict_linear (least-squares line, compensated
 * sums, x in seconds relative to an intercept time) and double_exponential_smoothing (Holt's
 * linear smoothing, formerly holt_winters).
 */

const sumX = new Float64Array(2);
const sumY = new Float64Array(2);
const sumXY = new Float64Array(2);
const sumX2 = new Float64Array(2);

let regressionSlope = 0;
let regressionIntercept = 0;

/**
 * Fits the window's samples to a line, with x = (t - interceptTime) seconds. Sets
 * regressionSlope and regressionIntercept (module state, to return two numbers without an object).
 * A constant series has slope 0 (NaN if the constant is infinite).
 */
function linearRegression(window: RangeWindow, interceptTime: number): void {
  const { timestamps, values, first, end } = window;
  sumX[0] = sumX[1] = sumY[0] = sumY[1] = sumXY[0] = sumXY[1] = sumX2[0] = sumX2[1] = 0;
  const initialY = values[first];
  let constantY = true;
  let n = 0;
  for (let i = first; i < end; i++) {
    const y = values[i];
    if (constantY && i > first && y !== initialY) constantY = false;
    n += 1;
    const x = (timestamps[i] - interceptTime) / 1e3;
    kahanAdd(sumX, x);
    kahanAdd(sumY, y);
    kahanAdd(sumXY, x * y);
    kahanAdd(sumX2, x * x);
  }
  if (constantY) {
    if (initialY === Infinity || initialY === -Infinity) {
      regressionSlope = NaN;
      regressionIntercept = NaN;
    } else {
      regressionSlope = 0;
      regressionIntercept = initialY;
    }
    return;
  }
  const totalX = sumX[0] + sumX[1];
  const totalY = sumY[0] + sumY[1];
  const totalXY = sumXY[0] + sumXY[1];
  const totalX2 = sumX2[0] + sumX2[1];
  const covarianceXY = totalXY - (totalX * totalY) / n;
  const varianceX = totalX2 - (totalX * totalX) / n;
  regressionSlope = covarianceXY / varianceX;
  regressionIntercept = totalY / n - (regressionSlope * totalX) / n;
}

/** Per-second slope of the least-squares line. */
export function deriv(window: RangeWindow): number | undefined {
  if (window.end - window.first < 2) return undefined;
  linearRegression(window, window.timestamps[window.first]);
  return regressionSlope;
}

/**
 * The least-squares line's value `params[0]` seconds after the step's time. Prometheus puts the
 * intercept at the evaluation time of the step (not shifted by offset or @).
 */
export function predictLinear(window: RangeWindow, params: readonly number[]): number | undefined {
  if (window.end - window.first < 2) return undefined;
  linearRegression(window, window.stepTime ?? window.rangeEnd);
  return regressionSlope * params[0] + regressionIntercept;
}

/**
 * Double exponential smoothing with smoothing factor params[0] and trend factor params[1], both
 * required to lie strictly between 0 and 1 (a NaN factor passes the check, as in Prometheus).
 */
export function doubleExponentialSmoothing(window: RangeWindow, params: readonly number[], _context: FunctionContext): number | undefined {
  const { values, first, end } = window;
  if (end === first) return undefined;
  const smoothingFactor = params[0];
  const trendFactor = params[1];
  if (smoothingFactor <= 0 || smoothingFactor >= 1) {
    throw new QueryError('execution', `invalid smoothing factor. Expected: 0 < sf < 1, got: ${formatFloat(smoothingFactor, 'f', 6)}`);
  }
  if (trendFactor <= 0 || trendFactor >= 1) {
    throw new QueryError('execution', `invalid trend factor. Expected: 0 < tf < 1, got: ${formatFloat(trendFactor, 'f', 6)}`);
  }
  if (end - first < 2) return undefined;
  let previousSmoothed = 0;
  let smoothed = values[first];
  let trend = values[first + 1] - values[first];
  for (let i = first + 1; i < end; i++) {
    const weightedValue = smoothingFactor * values[i];
    // The first step keeps the initial trend (difference of the first two samples).
    if (i - 1 > first) trend = trendFactor * (smoothed - previousSmoothed) + (1 - trendFactor) * trend;
    const weightedEstimate = (1 - smoothingFactor) * (smoothed + trend);
    previousSmoothed = smoothed;
    smoothed = weightedValue + weightedEstimate;
  }
  return smoothed;
}
