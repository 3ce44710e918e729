import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
import { everyTenSeconds, isClose, testContext, windowOf } from './test-windows.ts';
import type { RangeWindow } from './types.ts';

const MAX = Number.MAX_VALUE;

type Aggregation = (window: RangeWindow) => number | undefined;

const FUNCTIONS: Record<string, Aggregation> = {
  avg: avgOverTime,
  sum: sumOverTime,
  count: countOverTime,
  min: minOverTime,
  max: maxOverTime,
  stdvar: stdvarOverTime,
  stddev: stddevOverTime,
  last: lastOverTime,
  first: firstOverTime,
  present: presentOverTime,
  ts_of_min: tsOfMinOverTime,
  ts_of_max: tsOfMaxOverTime,
  ts_of_first: tsOfFirstOverTime,
  ts_of_last: tsOfLastOverTime,
  mad: madOverTime,
};

// Values are at 10s, 20s, 30s, …; expected values worked out by hand.
const aggregationCases: Array<{ name: string; values: number[]; expected: Partial<Record<keyof typeof FUNCTIONS, number | undefined>> }> = [
  {
    name: '1 2 3 4',
    values: [1, 2, 3, 4],
    expected: {
      avg: 2.5, sum: 10, count: 4, min: 1, max: 4, stdvar: 1.25, stddev: Math.sqrt(1.25), last: 4, first: 1, present: 1,
      ts_of_min: 10, ts_of_max: 40, ts_of_first: 10, ts_of_last: 40, mad: 1,
    },
  },
  {
    name: 'empty window',
    values: [],
    expected: {
      avg: undefined, sum: undefined, count: undefined, min: undefined, max: undefined, stdvar: undefined, stddev: undefined,
      last: undefined, first: undefined, present: undefined, ts_of_min: undefined, ts_of_max: undefined,
      ts_of_first: undefined, ts_of_last: undefined, mad: undefined,
    },
  },
  {
    name: 'one sample',
    values: [7],
    expected: { avg: 7, sum: 7, count: 1, min: 7, max: 7, stdvar: 0, stddev: 0, mad: 0, ts_of_min: 10, ts_of_max: 10 },
  },
  // Ties go to the latest sample for ts_of_min/ts_of_max.
  { name: 'ties', values: [2, 1, 3, 1, 3], expected: { ts_of_min: 40, ts_of_max: 50, min: 1, max: 3 } },
  // A NaN is replaced by any later value; NaN after a number is skipped.
  { name: 'NaN first', values: [NaN, 1, NaN], expected: { min: 1, max: 1, ts_of_min: 20, ts_of_max: 20, avg: NaN, sum: NaN, mad: NaN } },
  { name: 'NaN last', values: [1, 2, NaN], expected: { min: 1, max: 2, ts_of_min: 10, ts_of_max: 20, last: NaN, stdvar: NaN } },
  // All NaN: min/max NaN, ts_of_* the last sample (every comparison with a NaN best succeeds).
  { name: 'all NaN', values: [NaN, NaN], expected: { min: NaN, max: NaN, ts_of_min: 20, ts_of_max: 20, count: 2 } },
  { name: 'infinities', values: [-Infinity, 1, Infinity], expected: { min: -Infinity, max: Infinity, sum: NaN, avg: NaN } },
  { name: 'positive infinity', values: [Infinity, 1], expected: { sum: Infinity, avg: Infinity, max: Infinity } },
  // Compensated summation keeps the small terms that a plain sum loses.
  { name: 'ill-conditioned sum', values: [1, 1e100, 1, -1e100], expected: { sum: 2, avg: 0.5 } },
  // The plain sum overflows: the mean continues incrementally and stays finite.
  { name: 'overflowing average', values: [MAX, MAX, MAX], expected: { avg: MAX, sum: Infinity } },
  { name: 'mad with spread', values: [1, 1, 2, 2, 4, 6, 9], expected: { mad: 1 } },
];

describe('*_over_time', () => {
  for (const testCase of aggregationCases) {
    for (const [name, expected] of Object.entries(testCase.expected)) {
      it(`${name}_over_time of ${testCase.name}`, () => {
        const actual = FUNCTIONS[name](windowOf(everyTenSeconds(testCase.values), 0, 100));
        assert.ok(isClose(actual, expected), `expected ${expected}, got ${actual}`);
      });
    }
  }
});

describe('avg_over_time after an overflow', () => {
  it('comes back to about zero, within rounding of the huge terms', () => {
    const actual = avgOverTime(windowOf(everyTenSeconds([MAX, MAX, -MAX, -MAX]), 0, 100)) as number;
    assert.ok(Number.isFinite(actual) && Math.abs(actual) < MAX * 1e-15, `got ${actual}`);
  });
});

describe('quantile_over_time', () => {
  const cases: Array<{ q: number; values: number[]; expected: number | undefined; warning?: string }> = [
    { q: 0.5, values: [3, 1, 2], expected: 2 },
    { q: 0.25, values: [4, 3, 2, 1], expected: 1.75 },
    { q: 0.75, values: [1, 2, 3, 4], expected: 3.25 },
    { q: 0, values: [5, 3, 9], expected: 3 },
    { q: 1, values: [5, 3, 9], expected: 9 },
    // NaNs sort first.
    { q: 0, values: [2, NaN, 1], expected: NaN },
    { q: 0.5, values: [2, NaN, 1], expected: 1 },
    { q: 1, values: [2, NaN, 1], expected: 2 },
    { q: 0.5, values: [], expected: undefined },
    { q: 2, values: [1, 2], expected: Infinity, warning: 'PromQL warning: quantile value should be between 0 and 1, got 2' },
    { q: -0.5, values: [1, 2], expected: -Infinity, warning: 'PromQL warning: quantile value should be between 0 and 1, got -0.5' },
    { q: NaN, values: [1, 2], expected: NaN, warning: 'PromQL warning: quantile value should be between 0 and 1, got NaN' },
    // No samples, no call in Prometheus, so no warning either.
    { q: 2, values: [], expected: undefined },
  ];
  for (const testCase of cases) {
    it(`φ=${testCase.q} of [${testCase.values.join(', ')}]`, () => {
      const context = testContext();
      const window = windowOf(everyTenSeconds(testCase.values), 0, 100);
      const before = window.values.slice();
      const actual = quantileOverTime(window, [testCase.q], context);
      assert.ok(isClose(actual, testCase.expected), `expected ${testCase.expected}, got ${actual}`);
      assert.deepEqual([...context.annotations.warnings], testCase.warning === undefined ? [] : [testCase.warning]);
      assert.deepEqual(window.values, before, 'the window is not reordered');
    });
  }

  it('handles windows larger than the scratch buffer', () => {
    const values = Array.from({ length: 1001 }, (_, i) => 1000 - i);
    assert.equal(quantileOverTime(windowOf(everyTenSeconds(values), 0, 20000), [0.5], testContext()), 500);
  });
});
