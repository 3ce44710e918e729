import type { Labels } from '../../../model/labels.ts';
import { formatFloat, goQuote, parseGoFloat } from '../../../model/index.ts';
import { invalidQuantileWarning } from './over-time.ts';
import { bucketFraction, bucketQuantile } from './quantile.ts';
import type { BucketQuantileDetails } from './quantile.ts';
import type { FunctionContext, StepGrid, StepSeries } from './types.ts';

/**
 * histogram_quantile(φ, v) over classic histograms: series are grouped by their labels without
 * `le`, each step's buckets of a group are sorted by upper bound and interpolated as Prometheus's
 * bucketQuantile does. Output labels are the group's labels without `le` and the metric name.
 */

const BUCKET_LABEL = 'le';
/** Labels Prometheus drops from a function's output (the metric name and its type/unit metadata). */
const METADATA_LABELS = new Set(['__name__', '__type__', '__unit__']);

interface BucketGroup {
  /** Output labels: without le and metadata labels. */
  labels: Labels;
  metricName: string;
  members: number[];
  upperBounds: number[];
}

/** Per metric name, the merged details of every forced-monotonicity fix, reported as one info. */
interface MonotonicityReport {
  minTime: number;
  maxTime: number;
  minBucket: number;
  maxBucket: number;
  maxDiff: number;
  occurrences: number;
}

function metricNameOf(labels: Labels): string {
  for (let i = 0; i < labels.length; i += 2) if (labels[i] === '__name__') return labels[i + 1];
  return '';
}

function withMetricName(message: string, metricName: string): string {
  return metricName === '' ? message : `${message} for metric name ${goQuote(metricName)}`;
}

/** Go's `time.Unix(seconds, 0).UTC().Format(time.RFC3339)` for ordinary years. */
function formatRfc3339Seconds(seconds: number): string {
  const iso = new Date(seconds * 1000).toISOString();
  return `${iso.slice(0, 19)}Z`;
}

const MONOTONICITY_INFO =
  'PromQL info: input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile)';

/**
 * Groups classic-histogram bucket series by their labels without `le`, warning about series whose
 * `le` is missing or malformed (they are left out).
 */
function groupBuckets(input: readonly StepSeries[], context: FunctionContext): { groups: Map<string, BucketGroup>; largestGroup: number } {
  const groups = new Map<string, BucketGroup>();
  let largestGroup = 0;

  for (let index = 0; index < input.length; index++) {
    const series = input[index];
    const labels = series.labels;
    let bucketText = '';
    const keyParts: string[] = [];
    for (let i = 0; i < labels.length; i += 2) {
      if (labels[i] === BUCKET_LABEL) bucketText = labels[i + 1];
      else keyParts.push(labels[i], labels[i + 1]);
    }
    const upperBound = parseGoFloat(bucketText);
    if (upperBound === null) {
      if (series.present.includes(1)) {
        context.annotations.warn(
          withMetricName(`PromQL warning: bucket label "le" is missing or has a malformed value of ${goQuote(bucketText)}`, metricNameOf(labels)),
        );
      }
      continue;
    }
    const key = keyParts.join('\xff');
    let group = groups.get(key);
    if (group === undefined) {
      const outputLabels: string[] = [];
      for (let i = 0; i < keyParts.length; i += 2) {
        if (!METADATA_LABELS.has(keyParts[i])) outputLabels.push(keyParts[i], keyParts[i + 1]);
      }
      group = { labels: outputLabels, metricName: metricNameOf(labels), members: [], upperBounds: [] };
      groups.set(key, group);
    }
    group.members.push(index);
    group.upperBounds.push(upperBound);
    if (group.members.length > largestGroup) largestGroup = group.members.length;
  }
  return { groups, largestGroup };
}

/**
 * Runs `compute` for every group and step at which the group has buckets, with the step's buckets
 * copied into scratch arrays (unsorted); returns one output series per group that has a value.
 */
function evaluateGroups(
  input: readonly StepSeries[],
  buckets: { groups: Map<string, BucketGroup>; largestGroup: number },
  grid: StepGrid,
  compute: (group: BucketGroup, step: number, upperBounds: Float64Array, counts: Float64Array, length: number) => number,
): StepSeries[] {
  const upperBounds = new Float64Array(buckets.largestGroup);
  const counts = new Float64Array(buckets.largestGroup);
  const output: StepSeries[] = [];
  for (const group of buckets.groups.values()) {
    const values = new Float64Array(grid.count);
    const present = new Uint8Array(grid.count);
    let any = false;
    for (let step = 0; step < grid.count; step++) {
      let length = 0;
      for (let m = 0; m < group.members.length; m++) {
        const series = input[group.members[m]];
        if (series.present[step] !== 1) continue;
        upperBounds[length] = group.upperBounds[m];
        counts[length] = series.values[step];
        length++;
      }
      if (length === 0) continue;
      values[step] = compute(group, step, upperBounds, counts, length);
      present[step] = 1;
      any = true;
    }
    if (any) output.push({ labels: group.labels, values, present });
  }
  return output;
}

export function histogramQuantile(
  input: readonly StepSeries[],
  params: readonly Float64Array[],
  grid: StepGrid,
  context: FunctionContext,
): StepSeries[] {
  const quantiles = params[0];
  const buckets = groupBuckets(input, context);

  for (let step = 0; step < grid.count; step++) {
    const q = quantiles[step];
    if (q !== q || q < 0 || q > 1) context.annotations.warn(invalidQuantileWarning(q));
  }

  const details: BucketQuantileDetails = { forcedMonotonic: false, minBucket: 0, maxBucket: 0, maxDiff: 0 };
  const reports = new Map<string, MonotonicityReport>();
  const output = evaluateGroups(input, buckets, grid, (group, step, upperBounds, counts, length) => {
    const value = bucketQuantile(quantiles[step], upperBounds, counts, length, details);
    if (details.forcedMonotonic) {
      const time = grid.start + step * grid.interval;
      const report = reports.get(group.metricName);
      if (report === undefined) {
        reports.set(group.metricName, {
          minTime: time,
          maxTime: time,
          minBucket: details.minBucket,
          maxBucket: details.maxBucket,
          maxDiff: details.maxDiff,
          occurrences: 1,
        });
      } else {
        report.minTime = Math.min(report.minTime, time);
        report.maxTime = Math.max(report.maxTime, time);
        report.minBucket = Math.min(report.minBucket, details.minBucket);
        report.maxBucket = Math.max(report.maxBucket, details.maxBucket);
        report.maxDiff = Math.max(report.maxDiff, details.maxDiff);
        report.occurrences++;
      }
    }
    return value;
  });

  for (const [metricName, report] of reports) {
    context.annotations.info(
      `${withMetricName(MONOTONICITY_INFO, metricName)}, from buckets ${formatFloat(report.minBucket, 'g', -1)} to ${formatFloat(report.maxBucket, 'g', -1)}, ` +
        `with a max diff of ${formatFloat(report.maxDiff, 'g', 2)}, over ${report.occurrences} samples from ` +
        `${formatRfc3339Seconds(Math.trunc(report.minTime / 1000))} to ${formatRfc3339Seconds(Math.trunc(report.maxTime / 1000))}`,
    );
  }
  return output;
}

/**
 * histogram_fraction(lower, upper, v) over classic histograms: the estimated share of observations
 * between lower and upper, interpolating linearly inside the buckets that hold the bounds, as
 * Prometheus's BucketFraction does (no monotonicity fix; buckets with infinite width contribute none).
 */
export function histogramFraction(
  input: readonly StepSeries[],
  params: readonly Float64Array[],
  grid: StepGrid,
  context: FunctionContext,
): StepSeries[] {
  const [lowers, uppers] = params;
  return evaluateGroups(input, groupBuckets(input, context), grid, (_group, step, upperBounds, counts, length) =>
    bucketFraction(lowers[step], uppers[step], upperBounds, counts, length),
  );
}
