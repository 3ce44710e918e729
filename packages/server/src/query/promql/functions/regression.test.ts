import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueryError } from '../value.ts';
import { deriv, doubleExponentialSmoothing, predictLinear } from './regression.ts';
import { isClose, testContext, windowOf } from './test-windows.ts';

/** Prometheus testdata testcounter_reset_middle_total (0+10x4 0+10x5), every 5 minutes from 0. */
const resetMiddle: Array<[number, number]> = [0, 10, 20, 30, 40, 0, 10, 20, 30, 40, 50].map((value, i) => [i * 300, value]);

describe('deriv', () => {
  const cases: Array<{ name: string; samples: Array<[number, number]>; expected: number | undefined }> = [
    { name: 'a line of slope 1', samples: [[0, 0], [10, 10], [20, 20]], expected: 1 },
    { name: 'a falling line', samples: [[0, 10], [10, 5]], expected: -0.5 },
    { name: 'constant', samples: [[0, 5], [10, 5], [20, 5]], expected: 0 },
    { name: 'constant infinity', samples: [[0, Infinity], [10, Infinity]], expected: NaN },
    { name: 'infinity among values', samples: [[0, -Infinity], [10, 0], [20, Infinity]], expected: NaN },
    { name: 'one sample', samples: [[0, 5]], expected: undefined },
    // Cross-checked with Prometheus's testdata: deriv(testcounter_reset_middle_total[100m]) at 50m.
    { name: 'least squares through a reset', samples: resetMiddle, expected: 0.010606060606060607 },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      const actual = deriv(windowOf(testCase.samples, -1, 10000));
      assert.ok(isClose(actual, testCase.expected), `expected ${testCase.expected}, got ${actual}`);
    });
  }
});

describe('predict_linear', () => {
  const cases: Array<{ name: string; samples: Array<[number, number]>; stepTime?: number; rangeEnd: number; duration: number; expected: number | undefined }> = [
    { name: 'a line, from the step time', samples: [[0, 0], [10, 10], [20, 20]], stepTime: 30, rangeEnd: 20, duration: 10, expected: 40 },
    { name: 'without a step time, from the range end', samples: [[0, 0], [10, 10], [20, 20]], rangeEnd: 20, duration: 10, expected: 30 },
    { name: 'constant', samples: [[0, 5], [10, 5]], rangeEnd: 20, duration: 1000, expected: 5 },
    { name: 'one sample', samples: [[0, 5]], rangeEnd: 20, duration: 10, expected: undefined },
    // Prometheus testdata: predict_linear(testcounter_reset_middle_total[50m], 3600) at 50m.
    { name: 'through a reset', samples: resetMiddle.slice(1), stepTime: 3000, rangeEnd: 3000, duration: 3600, expected: 70 },
    // predict_linear(testcounter_reset_middle_total[55m] @ 3000, 3600) evaluated at 10m: the
    // intercept is at the step time (600s), not at the @ time.
    { name: 'with @, intercept at the step time', samples: resetMiddle, stepTime: 600, rangeEnd: 3000, duration: 3600, expected: 51.36363636363637 },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      const window = windowOf(testCase.samples, -1, testCase.rangeEnd);
      if (testCase.stepTime !== undefined) window.stepTime = testCase.stepTime * 1000;
      const actual = predictLinear(window, [testCase.duration]);
      assert.ok(isClose(actual, testCase.expected), `expected ${testCase.expected}, got ${actual}`);
    });
  }
});

describe('double_exponential_smoothing', () => {
  const cases: Array<{ name: string; values: number[]; sf: number; tf: number; expected: number | undefined }> = [
    // A straight line is reproduced exactly (Prometheus testdata: 0+10x1000 over [1m] at 8000s).
    { name: 'a straight line', values: [7950, 7960, 7970, 7980, 7990, 8000], sf: 0.01, tf: 0.1, expected: 8000 },
    // s1=1, b=2; x=0.5*3, b kept, y=0.5*(1+2) → 3; then b=0.5*(3-1)+0.5*2=2, y=0.5*(3+2), x=0.5*4 → 4.5.
    { name: 'worked by hand', values: [1, 3, 4], sf: 0.5, tf: 0.5, expected: 4.5 },
    { name: 'one sample', values: [5], sf: 0.5, tf: 0.5, expected: undefined },
    { name: 'NaN factor passes the check', values: [1, 2], sf: NaN, tf: 0.5, expected: NaN },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      const samples = testCase.values.map((value, i): [number, number] => [i * 10, value]);
      const actual = doubleExponentialSmoothing(windowOf(samples, -1, 10000), [testCase.sf, testCase.tf], testContext());
      assert.ok(isClose(actual, testCase.expected), `expected ${testCase.expected}, got ${actual}`);
    });
  }

  const errors: Array<{ sf: number; tf: number; message: string }> = [
    { sf: 0, tf: 0.5, message: 'invalid smoothing factor. Expected: 0 < sf < 1, got: 0.000000' },
    { sf: 1, tf: 0.5, message: 'invalid smoothing factor. Expected: 0 < sf < 1, got: 1.000000' },
    { sf: -Infinity, tf: 0.5, message: 'invalid smoothing factor. Expected: 0 < sf < 1, got: -Inf' },
    { sf: 0.5, tf: 1.5, message: 'invalid trend factor. Expected: 0 < tf < 1, got: 1.500000' },
    { sf: 0.5, tf: 0, message: 'invalid trend factor. Expected: 0 < tf < 1, got: 0.000000' },
  ];
  for (const testCase of errors) {
    it(`rejects sf=${testCase.sf}, tf=${testCase.tf}`, () => {
      assert.throws(
        () => doubleExponentialSmoothing(windowOf([[0, 1], [10, 2]], -1, 100), [testCase.sf, testCase.tf], testContext()),
        (error: unknown) => error instanceof QueryError && error.kind === 'execution' && error.message === testCase.message,
      );
    });
  }

  it('checks the factors even with one sample, but not with none', () => {
    assert.throws(() => doubleExponentialSmoothing(windowOf([[0, 1]], -1, 100), [2, 0.5], testContext()), QueryError);
    assert.equal(doubleExponentialSmoothing(windowOf([], -1, 100), [2, 0.5], testContext()), undefined);
  });
});
