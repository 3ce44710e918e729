import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Labels } from '../../../model/labels.ts';
import { Annotations } from '../value.ts';
import { FUNCTIONS } from './index.ts';
import type { StepGrid, StepSeries } from './types.ts';

/** A series with a value per step; null marks a step without a sample. */
function series(labels: Labels, values: Array<number | null>): StepSeries {
  return {
    labels,
    values: Float64Array.from(values.map((value) => value ?? 0)),
    present: Uint8Array.from(values.map((value) => (value === null ? 0 : 1))),
  };
}

function run(input: StepSeries[], quantiles: number[], grid: StepGrid) {
  const implementation = FUNCTIONS.get('histogram_quantile');
  assert.ok(implementation !== undefined && implementation.kind === 'series');
  const annotations = new Annotations();
  const output = implementation.apply(input, [Float64Array.from(quantiles)], grid, {
    annotations,
    metricName: '',
    position: { start: 0, end: 0 },
  });
  const result = output
    .map((out) => ({ labels: [...out.labels], values: [...out.values].map((value, i) => (out.present[i] === 1 ? value : null)) }))
    .sort((a, b) => a.labels.join(',').localeCompare(b.labels.join(',')));
  return { result, warnings: [...annotations.warnings], infos: [...annotations.infos] };
}

const oneStep: StepGrid = { start: 3_000_000, interval: 0, count: 1 };

function bucket(le: string, value: number | null, extra: string[] = []): StepSeries {
  return series(['__name__', 'request_duration_seconds_bucket', ...extra, 'le', le], [value]);
}

describe('histogram_quantile', () => {
  it('groups by the labels without le and drops the metric name', () => {
    const input = [
      series(['__name__', 'h_bucket', 'job', 'a', 'le', '1'], [10]),
      series(['__name__', 'h_bucket', 'job', 'a', 'le', '2'], [20]),
      series(['__name__', 'h_bucket', 'job', 'a', 'le', '+Inf'], [20]),
      series(['__name__', 'h_bucket', 'job', 'b', 'le', '0.5'], [4]),
      series(['__name__', 'h_bucket', 'job', 'b', 'le', '+Inf'], [8]),
    ];
    const { result, warnings, infos } = run(input, [0.75], oneStep);
    assert.deepEqual(result, [
      { labels: ['job', 'a'], values: [1.5] },
      // Rank 6 of 8 falls into +Inf: the highest finite bound.
      { labels: ['job', 'b'], values: [0.5] },
    ]);
    assert.deepEqual(warnings, []);
    assert.deepEqual(infos, []);
  });

  it('evaluates every step with the buckets present at that step', () => {
    const grid: StepGrid = { start: 0, interval: 60_000, count: 4 };
    const input = [
      series(['le', '1'], [10, null, 0, 5]),
      series(['le', '2'], [20, 10, 0, null]),
      series(['le', '+Inf'], [20, 10, 0, null]),
    ];
    const { result } = run(input, [0.5, 0.5, 0.5, 0.5], grid);
    // Step 1 lacks le=1: 10 observations in (0, 2]; step 2 has none: NaN; step 3 has no +Inf: NaN.
    assert.deepEqual(result, [{ labels: [], values: [1, 1, NaN, NaN] }]);
  });

  it('follows φ per step and warns about φ outside [0, 1]', () => {
    const grid: StepGrid = { start: 0, interval: 60_000, count: 4 };
    const input = [series(['le', '1'], [10, 10, 10, 10]), series(['le', '+Inf'], [20, 20, 20, 20])];
    const { result, warnings } = run(input, [0.25, -1, 2, NaN], grid);
    assert.deepEqual(result, [{ labels: [], values: [0.5, -Infinity, Infinity, NaN] }]);
    assert.deepEqual(warnings.sort(), [
      'PromQL warning: quantile value should be between 0 and 1, got -1',
      'PromQL warning: quantile value should be between 0 and 1, got 2',
      'PromQL warning: quantile value should be between 0 and 1, got NaN',
    ]);
  });

  it('warns about φ outside [0, 1] even without input', () => {
    const { result, warnings } = run([], [1.5], oneStep);
    assert.deepEqual(result, []);
    assert.deepEqual(warnings, ['PromQL warning: quantile value should be between 0 and 1, got 1.5']);
  });

  it('skips series whose le cannot be parsed, with a warning', () => {
    const input = [
      bucket('1', 10),
      bucket('+Inf', 20),
      series(['__name__', 'series', 'ale', '0.1'], [2]),
      series(['__name__', 'series', 'le', 'Hello World'], [2]),
      // Present at no step: nothing to warn about.
      series(['__name__', 'quiet', 'le', 'bad'], [null]),
    ];
    const { result, warnings } = run(input, [0.5], oneStep);
    assert.deepEqual(result, [{ labels: [], values: [1] }]);
    assert.deepEqual(warnings.sort(), [
      'PromQL warning: bucket label "le" is missing or has a malformed value of "" for metric name "series"',
      'PromQL warning: bucket label "le" is missing or has a malformed value of "Hello World" for metric name "series"',
    ]);
  });

  it('accepts Go float syntax in le and merges equal bounds', () => {
    const input = [bucket('1', 5), bucket('1.0', 5), bucket('0x1p1', 20), bucket('+inf', 20)];
    assert.deepEqual(run(input, [0.5], oneStep).result, [{ labels: [], values: [1] }]);
  });

  it('fixes non-monotonic counts and reports it once, merged over steps', () => {
    // Prometheus testdata nonmonotonic_bucket, at 50m and (×2 counts) at 51m.
    const grid: StepGrid = { start: 3_000_000, interval: 60_000, count: 2 };
    const name = ['__name__', 'nonmonotonic_bucket'];
    const input = [
      series([...name, 'le', '0.1'], [20, 40]),
      series([...name, 'le', '1'], [10, 20]),
      series([...name, 'le', '10'], [50, 100]),
      series([...name, 'le', '100'], [40, 80]),
      series([...name, 'le', '1000'], [90, 180]),
      series([...name, 'le', '+Inf'], [80, 160]),
    ];
    const { result, infos } = run(input, [0.5, 0.5], grid);
    assert.deepEqual(result, [{ labels: [], values: [8.5, 8.5] }]);
    assert.deepEqual(infos, [
      'PromQL info: input to histogram_quantile needed to be fixed for monotonicity ' +
        '(see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name "nonmonotonic_bucket", ' +
        'from buckets 1 to +Inf, with a max diff of 20, over 2 samples from 1970-01-01T00:50:00Z to 1970-01-01T00:51:00Z',
    ]);
  });

  it('gives NaN for zero counts and for a lone +Inf bucket', () => {
    assert.deepEqual(run([bucket('1', 0), bucket('+Inf', 0)], [0.5], oneStep).result, [{ labels: [], values: [NaN] }]);
    assert.deepEqual(run([bucket('+Inf', 7)], [0.5], oneStep).result, [{ labels: [], values: [NaN] }]);
  });
});

describe('histogram_fraction', () => {
  function fraction(input: StepSeries[], lower: number, upper: number) {
    const implementation = FUNCTIONS.get('histogram_fraction');
    assert.ok(implementation !== undefined && implementation.kind === 'series');
    const output = implementation.apply(input, [Float64Array.of(lower), Float64Array.of(upper)], oneStep, {
      annotations: new Annotations(),
      metricName: '',
      position: { start: 0, end: 0 },
    });
    return output.map((out) => ({ labels: [...out.labels], value: out.values[0] }));
  }
  // 10 observations ≤ 1, 20 ≤ 2, 40 in all.
  const positive = [bucket('2', 20), bucket('1', 10), bucket('+Inf', 40)];

  const cases: [string, StepSeries[], number, number, number][] = [
    ['whole buckets', positive, 0, 2, 0.5],
    ['interpolated inside a bucket', positive, 0.5, 1.5, 0.25],
    ['no interpolation inside the +Inf bucket', positive, 1, 3, 0.25],
    ['an infinite upper bound takes the +Inf bucket', positive, 1, Infinity, 0.75],
    ['everything', positive, -Infinity, Infinity, 1],
    ['lower ≥ upper', positive, 2, 1, 0],
    ['NaN bound', positive, NaN, 1, NaN],
    ['no +Inf bucket', [bucket('1', 10), bucket('2', 20)], 0, 1, NaN],
    ['no observations', [bucket('1', 0), bucket('+Inf', 0)], 0, 1, NaN],
    // First bucket reaches down to -Inf: it counts whole below any value in it.
    ['negative first bucket', [bucket('-1', 5), bucket('1', 10), bucket('+Inf', 10)], -Infinity, -2, 0.5],
    ['equal bounds merged', [bucket('1', 5), bucket('1.0', 5), bucket('+Inf', 20)], 0, 1, 0.5],
  ];
  for (const [name, input, lower, upper, expected] of cases) {
    it(name, () => {
      const result = fraction(input, lower, upper);
      assert.equal(result.length, 1);
      assert.deepEqual(result[0].labels, []);
      assert.ok(Object.is(result[0].value, expected) || Math.abs(result[0].value - expected) < 1e-12, `${result[0].value} ≠ ${expected}`);
    });
  }
});
