/**
 * Prometheus's quantile estimation: linear interpolation between the closest ranks of the sorted
 * values (`quantile` aggregation, quantile_over_time, mad_over_time), and the classic-histogram
 * bucket interpolation of histogram_quantile.
 */

/**
 * The φ-quantile of the first `count` values (φ < 0 → -Inf, φ > 1 → +Inf, NaN φ or no values → NaN).
 * Sorts those values in place, NaNs first as Prometheus's value heap orders them.
 */
export function quantile(q: number, values: Float64Array, count: number): number {
  if (count === 0 || q !== q) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  sortNaNFirst(values, 0, count - 1);
  const rank = q * (count - 1);
  const lowerIndex = Math.max(0, Math.floor(rank));
  const upperIndex = Math.min(count - 1, lowerIndex + 1);
  const weight = rank - Math.floor(rank);
  return values[lowerIndex] * (1 - weight) + values[upperIndex] * weight;
}

/** a < b with NaN below every number (and not below another NaN). */
function before(a: number, b: number): boolean {
  if (a !== a) return b === b;
  return a < b;
}

/**
 * Sorts values[low..high] in place: quicksort with median-of-three pivots and insertion sort for
 * short ranges, recursing into the smaller half so the stack stays logarithmic. No allocation.
 */
function sortNaNFirst(values: Float64Array, low: number, high: number): void {
  while (high - low > 16) {
    const middle = (low + high) >>> 1;
    if (before(values[middle], values[low])) swap(values, middle, low);
    if (before(values[high], values[low])) swap(values, high, low);
    if (before(values[high], values[middle])) swap(values, high, middle);
    const pivot = values[middle];
    let i = low;
    let j = high;
    while (i <= j) {
      while (before(values[i], pivot)) i++;
      while (before(pivot, values[j])) j--;
      if (i <= j) {
        swap(values, i, j);
        i++;
        j--;
      }
    }
    if (j - low < high - i) {
      sortNaNFirst(values, low, j);
      low = i;
    } else {
      sortNaNFirst(values, i, high);
      high = j;
    }
  }
  for (let i = low + 1; i <= high; i++) {
    const value = values[i];
    let j = i - 1;
    while (j >= low && before(value, values[j])) {
      values[j + 1] = values[j];
      j--;
    }
    values[j + 1] = value;
  }
}

function swap(values: Float64Array, a: number, b: number): void {
  const held = values[a];
  values[a] = values[b];
  values[b] = held;
}

/** Relative difference below which neighbouring cumulative bucket counts are taken as equal (float noise). */
const SMALL_DELTA_TOLERANCE = 1e-12;
const MIN_NORMAL = 2.2250738585072014e-308;

/** Prometheus's almost.Equal (the stale marker is not expected among bucket counts). */
function almostEqual(a: number, b: number, epsilon: number): boolean {
  if (a !== a && b !== b) return true;
  if (a === b) return true;
  const absSum = Math.abs(a) + Math.abs(b);
  const diff = Math.abs(a - b);
  if (a === 0 || b === 0 || absSum < MIN_NORMAL) return diff < epsilon * MIN_NORMAL;
  return diff / Math.min(absSum, Number.MAX_VALUE) < epsilon;
}

/** What bucketQuantile reports besides the value, for the monotonicity info annotation. */
export interface BucketQuantileDetails {
  forcedMonotonic: boolean;
  minBucket: number;
  maxBucket: number;
  maxDiff: number;
}

/**
 * The φ-quantile of one classic histogram at one step. `upperBounds`/`counts` hold `length`
 * buckets in any order; both arrays are reordered and modified in place (sorted by upper bound,
 * equal bounds merged, counts forced monotonic). `details` is filled in.
 */
export function bucketQuantile(
  q: number,
  upperBounds: Float64Array,
  counts: Float64Array,
  length: number,
  details: BucketQuantileDetails,
): number {
  details.forcedMonotonic = false;
  details.minBucket = Infinity;
  details.maxBucket = -Infinity;
  details.maxDiff = 0;
  if (q !== q) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;

  sortBucketsByUpperBound(upperBounds, counts, length);
  if (upperBounds[length - 1] !== Infinity) return NaN;

  const bucketCount = mergeEqualBounds(upperBounds, counts, length);

  // Cumulative counts must not decrease: tiny relative differences are float noise and are
  // flattened silently; real decreases are flattened and reported.
  let previous = counts[0];
  for (let i = 1; i < bucketCount; i++) {
    const current = counts[i];
    if (current === previous) continue;
    if (almostEqual(previous, current, SMALL_DELTA_TOLERANCE)) {
      counts[i] = previous;
      continue;
    }
    if (current < previous) {
      counts[i] = previous;
      details.forcedMonotonic = true;
      if (upperBounds[i] < details.minBucket) details.minBucket = upperBounds[i];
      if (upperBounds[i] > details.maxBucket) details.maxBucket = upperBounds[i];
      const difference = previous - current;
      if (difference > details.maxDiff) details.maxDiff = difference;
      continue;
    }
    previous = current;
  }

  if (bucketCount < 2) return NaN;
  const observations = counts[bucketCount - 1];
  if (observations === 0) return NaN;
  let rank = q * observations;
  // First bucket (excluding +Inf) whose cumulative count reaches the rank.
  let low = 0;
  let high = bucketCount - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (counts[middle] >= rank) high = middle;
    else low = middle + 1;
  }
  const bucket = low;
  if (bucket === bucketCount - 1) return upperBounds[bucketCount - 2];
  if (bucket === 0 && upperBounds[0] <= 0) return upperBounds[0];
  let bucketStart = 0;
  const bucketEnd = upperBounds[bucket];
  let count = counts[bucket];
  if (bucket > 0) {
    bucketStart = upperBounds[bucket - 1];
    count -= counts[bucket - 1];
    rank -= counts[bucket - 1];
  }
  return bucketStart + (bucketEnd - bucketStart) * (rank / count);
}

/**
 * Sorts the buckets by upper bound. Insertion order is kept among equal bounds, which does not
 * matter since equal bounds are merged right after.
 */
function sortBucketsByUpperBound(upperBounds: Float64Array, counts: Float64Array, length: number): void {
  let sorted = true;
  for (let i = 1; i < length; i++) {
    if (upperBounds[i] < upperBounds[i - 1]) {
      sorted = false;
      break;
    }
  }
  if (sorted) return;
  // Insertion sort: classic histograms have few buckets, usually already nearly in order.
  for (let i = 1; i < length; i++) {
    const bound = upperBounds[i];
    const count = counts[i];
    let j = i - 1;
    while (j >= 0 && upperBounds[j] > bound) {
      upperBounds[j + 1] = upperBounds[j];
      counts[j + 1] = counts[j];
      j--;
    }
    upperBounds[j + 1] = bound;
    counts[j + 1] = count;
  }
}

/**
 * Merges sorted buckets with the same upper bound (e.g. le="1" and le="1.0") by adding their
 * counts, in place; returns the number of buckets left.
 */
function mergeEqualBounds(upperBounds: Float64Array, counts: Float64Array, length: number): number {
  let merged = 0;
  for (let i = 1; i < length; i++) {
    if (upperBounds[i] === upperBounds[merged]) {
      counts[merged] += counts[i];
    } else {
      merged++;
      upperBounds[merged] = upperBounds[i];
      counts[merged] = counts[i];
    }
  }
  return merged + 1;
}

/**
 * The fraction of a classic histogram's observations between `lower` and `upper` (Prometheus's
 * BucketFraction). Sorts and merges the first `length` buckets in place.
 */
export function bucketFraction(lower: number, upper: number, upperBounds: Float64Array, counts: Float64Array, length: number): number {
  sortBucketsByUpperBound(upperBounds, counts, length);
  if (upperBounds[length - 1] !== Infinity) return NaN;
  const bucketCount = mergeEqualBounds(upperBounds, counts, length);
  const total = counts[bucketCount - 1];
  if (total === 0 || lower !== lower || upper !== upper) return NaN;
  if (lower >= upper) return 0;

  // The share below a value inside bucket i: linear between the bucket's bounds. A bucket reaching
  // down to -Inf cannot be interpolated and counts whole, as the +Inf bucket counts not at all.
  const rankAt = (value: number, i: number, lowerBound: number, rank: number): number =>
    lowerBound === -Infinity ? counts[i] : rank + ((counts[i] - rank) * (value - lowerBound)) / (upperBounds[i] - lowerBound);

  let rank = 0;
  let lowerRank = 0;
  let upperRank = 0;
  let lowerSet = false;
  let upperSet = false;
  // Positive-only buckets start at 0; otherwise the first bucket reaches down to -Inf.
  let lowerBound = upperBounds[0] <= 0 ? -Infinity : 0;
  for (let i = 0; i < bucketCount; i++) {
    if (i > 0) lowerBound = upperBounds[i - 1];
    const upperBound = upperBounds[i];
    if (!lowerSet && lowerBound >= lower) {
      lowerRank = rank;
      lowerSet = true;
    }
    if (!upperSet && lowerBound >= upper) {
      upperRank = rank;
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    if (!lowerSet && lowerBound < lower && upperBound > lower) {
      lowerRank = rankAt(lower, i, lowerBound, rank);
      lowerSet = true;
    }
    if (!upperSet && lowerBound < upper && upperBound > upper) {
      upperRank = rankAt(upper, i, lowerBound, rank);
      upperSet = true;
    }
    if (lowerSet && upperSet) break;
    rank = counts[i];
  }
  if (!lowerSet || lowerRank > total) lowerRank = total;
  if (!upperSet || upperRank > total) upperRank = total;
  return (upperRank - lowerRank) / total;
}
