import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quantile } from './index.ts';
import { bucketQuantile } from './quantile.ts';
import type { BucketQuantileDetails } from './quantile.ts';

function same(actual: number, expected: number): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (!Number.isFinite(expected)) return actual === expected;
  return Math.abs(actual - expected) <= 1e-12 * Math.max(1, Math.abs(expected));
}

describe('quantile', () => {
  const cases: Array<{ q: number; values: number[]; count?: number; expected: number }> = [
    { q: 0.5, values: [3, 1, 2], expected: 2 },
    { q: 0.5, values: [4, 1, 3, 2], expected: 2.5 },
    { q: 0.75, values: [1, 2, 3, 4], expected: 3.25 },
    { q: 0.9, values: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100], expected: 91 },
    { q: 0, values: [5, -3, 9], expected: -3 },
    { q: 1, values: [5, -3, 9], expected: 9 },
    { q: 0.5, values: [7], expected: 7 },
    { q: 0.5, values: [], expected: NaN },
    { q: NaN, values: [1, 2], expected: NaN },
    { q: -0.1, values: [1, 2], expected: -Infinity },
    { q: 1.1, values: [1, 2], expected: Infinity },
    { q: NaN, values: [], expected: NaN },
    { q: 2, values: [], expected: NaN },
    // NaNs sort before every number.
    { q: 0, values: [2, NaN, 1], expected: NaN },
    { q: 0.5, values: [2, NaN, 1], expected: 1 },
    { q: 0.25, values: [2, NaN, 1], expected: NaN },
    // The interpolation multiplies the upper neighbour by a zero weight: Inf × 0 is NaN, as in Prometheus.
    { q: 0.5, values: [Infinity, -Infinity, 0], expected: NaN },
    { q: 0.25, values: [Infinity, -Infinity, 0, 1], expected: -Infinity },
    // Only the first `count` values count.
    { q: 1, values: [1, 2, 3, 100, 200], count: 3, expected: 3 },
  ];
  for (const testCase of cases) {
    it(`φ=${testCase.q} of [${testCase.values.join(', ')}]${testCase.count === undefined ? '' : ` (first ${testCase.count})`}`, () => {
      const values = Float64Array.from(testCase.values);
      const actual = quantile(testCase.q, values, testCase.count ?? values.length);
      assert.ok(same(actual, testCase.expected), `expected ${testCase.expected}, got ${actual}`);
    });
  }

  it('sorts like a reference sort with NaNs first, for many sizes and duplicates', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let size = 1; size < 300; size += 7) {
      const values = Float64Array.from({ length: size }, () => {
        const r = random();
        if (r < 0.1) return NaN;
        if (r < 0.15) return Infinity;
        if (r < 0.2) return -Infinity;
        return Math.floor(random() * 20) - 10;
      });
      const reference = [...values].sort((a, b) => (Number.isNaN(a) ? (Number.isNaN(b) ? 0 : -1) : Number.isNaN(b) ? 1 : a - b));
      quantile(0.5, values, size);
      assert.deepEqual([...values], reference);
    }
  });

  it('sorts only the first count values, in place', () => {
    const values = Float64Array.from([3, 1, 2, 0, -1]);
    quantile(0.5, values, 3);
    assert.deepEqual([...values], [1, 2, 3, 0, -1]);
  });
});

describe('bucketQuantile', () => {
  const cases: Array<{ name: string; q: number; buckets: Array<[number, number]>; expected: number; forced?: [number, number, number] }> = [
    { name: 'middle of a bucket', q: 0.5, buckets: [[1, 10], [2, 20], [Infinity, 20]], expected: 1 },
    { name: 'interpolated', q: 0.75, buckets: [[1, 10], [2, 20], [Infinity, 20]], expected: 1.5 },
    { name: 'first bucket from zero', q: 0.25, buckets: [[1, 10], [2, 20], [Infinity, 20]], expected: 0.5 },
    { name: 'unsorted input', q: 0.75, buckets: [[Infinity, 20], [2, 20], [1, 10]], expected: 1.5 },
    // The rank falls into +Inf: the highest finite bound.
    { name: 'rank in the +Inf bucket', q: 0.9, buckets: [[1, 10], [2, 10], [Infinity, 20]], expected: 2 },
    // A first bucket with a bound ≤ 0 returns that bound.
    { name: 'negative first bound', q: 0, buckets: [[-0.2, 10], [-0.1, 20], [0.3, 20], [Infinity, 30]], expected: -0.2 },
    { name: 'between negative bounds', q: 0.5, buckets: [[-0.2, 10], [-0.1, 20], [0.3, 20], [Infinity, 30]], expected: -0.15 },
    { name: 'no +Inf bucket', q: 0.5, buckets: [[1, 10], [2, 20]], expected: NaN },
    { name: 'only +Inf', q: 0.5, buckets: [[Infinity, 20]], expected: NaN },
    { name: 'no observations', q: 0.5, buckets: [[1, 0], [Infinity, 0]], expected: NaN },
    { name: 'NaN φ', q: NaN, buckets: [[1, 10], [Infinity, 20]], expected: NaN },
    { name: 'φ below 0', q: -1, buckets: [[1, 10], [Infinity, 20]], expected: -Infinity },
    { name: 'φ above 1', q: 1.5, buckets: [[1, 10], [Infinity, 20]], expected: Infinity },
    // Equal bounds (le="1" and le="1.0") are merged by adding their counts.
    { name: 'duplicate bounds merged', q: 0.5, buckets: [[1, 5], [1, 5], [2, 20], [Infinity, 20]], expected: 1 },
    // Prometheus testdata nonmonotonic_bucket at 50m: counts 20 10 50 40 90 80.
    ...[
      [0.01, 0.0045],
      [0.5, 8.5],
      [0.99, 979.75],
    ].map(([q, expected]) => ({
      name: `non-monotonic counts fixed, φ=${q}`,
      q,
      buckets: [[0.1, 20], [1, 10], [10, 50], [100, 40], [1000, 90], [Infinity, 80]] as Array<[number, number]>,
      expected,
      forced: [1, Infinity, 10] as [number, number, number],
    })),
    // A relative difference below 1e-12 is float noise: flattened without being reported.
    { name: 'tiny decrease ignored', q: 0.5, buckets: [[1, 10], [2, 10 - 1e-12], [Infinity, 20]], expected: 1 },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      const bounds = Float64Array.from(testCase.buckets.map(([bound]) => bound));
      const counts = Float64Array.from(testCase.buckets.map(([, count]) => count));
      const details: BucketQuantileDetails = { forcedMonotonic: false, minBucket: 0, maxBucket: 0, maxDiff: 0 };
      const actual = bucketQuantile(testCase.q, bounds, counts, bounds.length, details);
      assert.ok(same(actual, testCase.expected), `expected ${testCase.expected}, got ${actual}`);
      if (testCase.forced === undefined) {
        assert.equal(details.forcedMonotonic, false);
      } else {
        assert.equal(details.forcedMonotonic, true);
        assert.deepEqual([details.minBucket, details.maxBucket, details.maxDiff], testCase.forced);
      }
    });
  }
});
