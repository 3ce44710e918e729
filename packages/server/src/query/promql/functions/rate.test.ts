import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { changes, delta, idelta, increase, irate, rate, resets } from './rate.ts';
import { testContext, windowOf as window } from './test-windows.ts';

const context = (metricName = 'requests_total') => testContext(metricName);

/** Samples every 5 minutes starting at minute 0 with the given values. */
function everyFiveMinutes(values: number[]): Array<[number, number]> {
  return values.map((value, i) => [i * 300, value]);
}

const counter10 = everyFiveMinutes([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);

describe('extrapolated rate, increase and delta', () => {
  const cases: Array<{
    name: string;
    samples: Array<[number, number]>;
    range: [number, number];
    increase: number | undefined;
    delta: number | undefined;
  }> = [
    // (0, 50m] holds 10..100: 90 raw, extrapolated by 5m at the start (below the 1.1×avg threshold).
    { name: 'regular counter, start extrapolated', samples: counter10, range: [0, 3000], increase: 100, delta: 100 },
    // Prometheus testdata: "bumms" 1+10x10 over [100m] at 50m: only 30s to the zero point.
    {
      name: 'counter not extrapolated below zero',
      samples: everyFiveMinutes([1, 11, 21, 31, 41, 51, 61, 71, 81, 91, 101]),
      range: [-3000, 3000],
      increase: 101,
      delta: 105,
    },
    // "dings" 10+10x10: zero point is 5m away, half an interval (2.5m) is closer.
    {
      name: 'counter extrapolated by half an interval',
      samples: everyFiveMinutes([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110]),
      range: [-3000, 3000],
      increase: 105,
      delta: 105,
    },
    // "bar" 0+18x5 0+18x5: the reset adds the 90 lost; starting at 0 means no start extrapolation.
    {
      name: 'counter reset',
      samples: everyFiveMinutes([0, 18, 36, 54, 72, 90, 0, 18, 36, 54, 72]),
      range: [-3000, 3000],
      increase: 162,
      delta: 72 * (3000 + 150) / 3000,
    },
    // 5, 8, 2 at 10s, 20s, 30s in (0, 60]: raw 5 after reset; start 10s kept (< 11s), end 30s → 5s.
    { name: 'reset and end gap', samples: [[10, 5], [20, 8], [30, 2]], range: [0, 60], increase: 8.75, delta: -5.25 },
    // A negative first value disables the zero-point limit.
    { name: 'negative first value', samples: [[10, -5], [20, 5]], range: [0, 30], increase: 30, delta: 30 },
    { name: 'one sample', samples: [[10, 5]], range: [0, 30], increase: undefined, delta: undefined },
    { name: 'no samples', samples: [], range: [0, 30], increase: undefined, delta: undefined },
    // 1 and 3 at 10s and 20s in (0, 20]: delta extrapolates the full 10s to the start, the counter
    // only the 5s to its zero point.
    { name: 'two samples, zero point inside the start gap', samples: [[10, 1], [20, 3]], range: [0, 20], increase: 3, delta: 4 },
    { name: 'NaN propagates', samples: [[10, 1], [20, NaN]], range: [0, 20], increase: NaN, delta: NaN },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      const w = window(testCase.samples, testCase.range[0], testCase.range[1]);
      const seconds = testCase.range[1] - testCase.range[0];
      const gotIncrease = increase(w, [], context());
      const gotRate = rate(w, [], context());
      const gotDelta = delta(w);
      if (testCase.increase === undefined) {
        assert.equal(gotIncrease, undefined);
        assert.equal(gotRate, undefined);
      } else {
        assert.ok(gotIncrease !== undefined && gotRate !== undefined);
        assertClose(gotIncrease, testCase.increase);
        assertClose(gotRate, testCase.increase / seconds);
      }
      if (testCase.delta === undefined) assert.equal(gotDelta, undefined);
      else assertClose(gotDelta as number, testCase.delta);
    });
  }

  it('rate over (0, 50m] of 0+80 every 5m matches Prometheus', () => {
    const samples = everyFiveMinutes([0, 80, 160, 240, 320, 400, 480, 560, 640, 720, 800]);
    assert.equal(rate(window(samples, 0, 3000), [], context()), 0.26666666666666666);
  });
});

function assertClose(actual: number, expected: number): void {
  if (Number.isNaN(expected)) {
    assert.ok(Number.isNaN(actual), `expected NaN, got ${actual}`);
    return;
  }
  assert.ok(Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `expected ${expected}, got ${actual}`);
}

describe('rate and increase annotation on names that do not look like counters', () => {
  const cases: Array<{ metricName: string; samples: Array<[number, number]>; info: string | null }> = [
    {
      metricName: 'temperature',
      samples: [[10, 1], [20, 2]],
      info: 'PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "temperature"',
    },
    { metricName: 'requests_total', samples: [[10, 1], [20, 2]], info: null },
    { metricName: 'duration_seconds_sum', samples: [[10, 1], [20, 2]], info: null },
    { metricName: 'duration_seconds_count', samples: [[10, 1], [20, 2]], info: null },
    { metricName: 'duration_seconds_bucket', samples: [[10, 1], [20, 2]], info: null },
    { metricName: '', samples: [[10, 1], [20, 2]], info: null },
    // No output, no annotation.
    { metricName: 'temperature', samples: [[10, 1]], info: null },
  ];
  for (const testCase of cases) {
    for (const [name, fn] of [['rate', rate], ['increase', increase]] as const) {
      it(`${name} of ${JSON.stringify(testCase.metricName)} with ${testCase.samples.length} samples`, () => {
        const ctx = context(testCase.metricName);
        fn(window(testCase.samples, 0, 30), [], ctx);
        assert.deepEqual([...ctx.annotations.infos], testCase.info === null ? [] : [testCase.info]);
        assert.deepEqual([...ctx.annotations.warnings], []);
      });
    }
  }

  it('delta never annotates', () => {
    const ctx = context('temperature');
    delta(window([[10, 1], [20, 2]], 0, 30));
    assert.equal(ctx.annotations.infos.size, 0);
  });
});

describe('irate, idelta, resets, changes', () => {
  const cases: Array<{
    name: string;
    samples: Array<[number, number]>;
    irate: number | undefined;
    idelta: number | undefined;
    resets: number | undefined;
    changes: number | undefined;
  }> = [
    { name: 'increasing', samples: [[10, 5], [20, 8], [30, 12]], irate: 0.4, idelta: 4, resets: 0, changes: 2 },
    // After a reset irate takes the last value as the increase.
    { name: 'reset at the end', samples: [[10, 5], [20, 8], [30, 2]], irate: 0.2, idelta: -6, resets: 1, changes: 2 },
    { name: 'one sample', samples: [[10, 5]], irate: undefined, idelta: undefined, resets: 0, changes: 0 },
    { name: 'no samples', samples: [], irate: undefined, idelta: undefined, resets: undefined, changes: undefined },
    // Prometheus testdata http_requests{path="/foo"} over (0, 50m].
    {
      name: 'several resets',
      samples: everyFiveMinutes([1, 2, 3, 0, 1, 0, 0, 1, 2, 0]).slice(1),
      irate: 0,
      idelta: -2,
      resets: 3,
      changes: 7,
    },
    { name: 'NaN runs are not changes', samples: [[0, NaN], [300, NaN], [600, NaN]], irate: NaN, idelta: NaN, resets: 0, changes: 0 },
    { name: 'NaN between equal values', samples: [[0, 0], [300, NaN], [600, 0]], irate: NaN, idelta: NaN, resets: 0, changes: 2 },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      const w = window(testCase.samples, -1, 3000);
      const check = (actual: number | undefined, expected: number | undefined) => {
        if (expected === undefined) assert.equal(actual, undefined);
        else assertClose(actual as number, expected);
      };
      check(irate(w), testCase.irate);
      check(idelta(w), testCase.idelta);
      check(resets(w), testCase.resets);
      check(changes(w), testCase.changes);
    });
  }
});
