import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FUNCTIONS } from './index.ts';

// Every function the functions module owns, with the kind the engine dispatches on.
const expected: Record<string, 'range' | 'elementwise' | 'labels' | 'series'> = {};
for (const name of [
  'rate', 'increase', 'delta', 'irate', 'idelta', 'deriv', 'predict_linear', 'resets', 'changes', 'avg_over_time',
  'min_over_time', 'max_over_time', 'sum_over_time', 'count_over_time', 'quantile_over_time', 'stddev_over_time',
  'stdvar_over_time', 'last_over_time', 'present_over_time', 'mad_over_time', 'first_over_time', 'ts_of_min_over_time',
  'ts_of_max_over_time', 'ts_of_first_over_time', 'ts_of_last_over_time', 'double_exponential_smoothing', 'holt_winters',
]) expected[name] = 'range';
for (const name of [
  'abs', 'ceil', 'floor', 'exp', 'sqrt', 'ln', 'log2', 'log10', 'round', 'sgn', 'clamp', 'clamp_min', 'clamp_max', 'deg', 'rad',
  'acos', 'acosh', 'asin', 'asinh', 'atan', 'atanh', 'cos', 'cosh', 'sin', 'sinh', 'tan', 'tanh', 'day_of_month',
  'day_of_week', 'day_of_year', 'days_in_month', 'hour', 'minute', 'month', 'year',
]) expected[name] = 'elementwise';
expected.label_replace = 'labels';
expected.label_join = 'labels';
expected.histogram_quantile = 'series';
expected.histogram_fraction = 'series';

describe('FUNCTIONS', () => {
  it('holds exactly the expected functions with their kinds', () => {
    const actual: Record<string, string> = {};
    for (const [name, implementation] of FUNCTIONS) actual[name] = implementation.kind;
    assert.deepEqual(actual, expected);
  });

  it('keeps the metric name only for last_over_time and first_over_time', () => {
    const keeping = [...FUNCTIONS].filter(([, implementation]) => implementation.kind === 'range' && implementation.keepName === true).map(([name]) => name);
    assert.deepEqual(keeping.sort(), ['first_over_time', 'last_over_time']);
  });

  it('has holt_winters as the old name of double_exponential_smoothing', () => {
    assert.equal(FUNCTIONS.get('holt_winters'), FUNCTIONS.get('double_exponential_smoothing'));
  });
});
