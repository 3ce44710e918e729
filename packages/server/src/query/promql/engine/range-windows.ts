import { METRIC_NAME, getLabel } from '../../../model/index.ts';
import type { Expr, MatrixSelector } from '../ast.ts';
import type { FunctionContext, RangeFunction, RangeWindow, StepGrid, StepSeries } from '../functions/types.ts';
import type { Annotations } from '../value.ts';
import type { Evaluator } from './evaluator.ts';
import { loadSelectorSeries, lookupTimes, rangeSelectorBounds, streamSelectorSeries } from './selectors.ts';
import { labelsKey } from '../../../model/index.ts';
import { checkUniqueLabelsets, dropMetricName, dropsName, hasAnyPresent, inheritNameDrop, sameLabelsetError } from './values.ts';
import type { RangeInput, RangeSeries, RangeSteps, VectorSteps } from './values.ts';

/**
 * A range selector `x[r]` over the grid: each series' samples (stale markers dropped) loaded once
 * for the union of all steps' windows, plus where each step's window ends. Windows are left-open:
 * `(end - r, end]`.
 */
export async function evaluateMatrixSelector(evaluator: Evaluator, node: MatrixSelector, grid: StepGrid): Promise<RangeSteps> {
  const selector = node.vectorSelector;
  const windowEnds = lookupTimes(evaluator, selector, grid);
  const { mint, maxt } = rangeSelectorBounds(windowEnds, node.range);
  const series = await loadSelectorSeries(evaluator, selector, mint, maxt, false);
  return { type: 'matrix', series, range: node.range, windowEnds, heldSamples: 0 };
}

/**
 * A range selector read as a stream for a range function: one series in memory at a time, so
 * `sum(rate(x[5m]))` over any number of series holds one series' samples, not the selector's.
 */
export function streamMatrixSelector(evaluator: Evaluator, node: MatrixSelector, grid: StepGrid): RangeInput {
  const selector = node.vectorSelector;
  const windowEnds = lookupTimes(evaluator, selector, grid);
  const { mint, maxt } = rangeSelectorBounds(windowEnds, node.range);
  return { series: streamSelectorSeries(evaluator, selector, mint, maxt, false), range: node.range, windowEnds };
}

/**
 * Moves a window over one series across all steps: two indexes that only go forward, so a series
 * costs O(samples + steps). Calls `visit(step, first, end)` for every step whose window holds at
 * least one sample.
 */
export function slideWindows(series: RangeSeries, windowEnds: Float64Array, range: number, visit: (step: number, first: number, end: number) => void): void {
  const { timestamps, count } = series;
  let first = 0;
  let end = 0;
  for (let i = 0; i < windowEnds.length; i++) {
    const windowEnd = windowEnds[i];
    const windowStart = windowEnd - range;
    if (i > 0 && windowEnd < windowEnds[i - 1]) {
      // Never happens for steps moving forward; kept so a caller's odd grid cannot read wrong samples.
      first = 0;
      end = 0;
    }
    while (end < count && timestamps[end] <= windowEnd) end++;
    while (first < end && timestamps[first] <= windowStart) first++;
    if (first < end) visit(i, first, end);
  }
}

/**
 * Receives a range function's output series one by one instead of a list (an aggregation over the
 * function consumes them at once, so they are never all in memory). `pendingNameDrop`: delayed
 * name removal will drop the name.
 */
export type RangeOutputSink = (series: StepSeries, pendingNameDrop: boolean) => void;

/**
 * Applies a range function (rate, *_over_time, …) to every series of a range vector and every step.
 * `params` are the function's scalar arguments, one value per step. The window slides forward with
 * two indexes (as slideWindows, inlined: this loop runs once per series and step).
 */
export async function applyRangeFunction(
  evaluator: Evaluator,
  matrix: RangeInput,
  apply: RangeFunction,
  keepName: boolean,
  params: readonly Float64Array[],
  grid: StepGrid,
  matrixArgument: Expr,
  annotations: Annotations,
  sink: RangeOutputSink | null = null,
): Promise<VectorSteps> {
  const out: StepSeries[] = [];
  const delayed = evaluator.settings.delayedNameRemoval;
  // Streaming into a sink reuses one pair of arrays; the sink must not keep them.
  const sharedValues = sink === null ? null : new Float64Array(grid.count);
  const sharedPresent = sink === null ? null : new Uint8Array(grid.count);
  const streamedKeys = sink !== null && !delayed ? new Set<string>() : null;
  const stepParams: number[] = new Array(params.length).fill(0);
  const { windowEnds, range } = matrix;
  const steps = windowEnds.length;
  const window: RangeWindow = { timestamps: new Float64Array(0), values: new Float64Array(0), first: 0, end: 0, rangeStart: 0, rangeEnd: 0, stepTime: 0 };
  const context: FunctionContext = { annotations, metricName: '', position: matrixArgument.position };
  for await (const series of matrix.series) {
    await evaluator.checkpoint();
    const { timestamps, count } = series;
    window.timestamps = timestamps;
    window.values = series.values;
    context.metricName = getLabel(series.labels, METRIC_NAME);
    const values = sharedValues ?? new Float64Array(grid.count);
    const present = sharedPresent ?? new Uint8Array(grid.count);
    if (sharedPresent !== null) sharedPresent.fill(0);
    let points = 0;
    let largestWindow = 0;
    let first = 0;
    let end = 0;
    for (let i = 0; i < steps; i++) {
      const windowEnd = windowEnds[i];
      const windowStart = windowEnd - range;
      if (i > 0 && windowEnd < windowEnds[i - 1]) {
        first = 0;
        end = 0;
      }
      while (end < count && timestamps[end] <= windowEnd) end++;
      while (first < end && timestamps[first] <= windowStart) first++;
      if (first === end) continue;
      if (end - first > largestWindow) largestWindow = end - first;
      for (let p = 0; p < params.length; p++) stepParams[p] = params[p][i];
      window.first = first;
      window.end = end;
      window.rangeEnd = windowEnd;
      window.rangeStart = windowStart;
      window.stepTime = grid.start + i * grid.interval;
      const result = apply(window, stepParams, context);
      if (result === undefined) continue;
      values[i] = result;
      present[i] = 1;
      points++;
    }
    // What Prometheus holds for a series: its largest window while computing, then the output points.
    evaluator.trackOutput(largestWindow);
    evaluator.currentSamples -= largestWindow;
    if (points === 0) continue;
    // A subquery's series may already carry a pending name drop (delayed name removal).
    const dropName = !keepName || dropsName(series);
    if (sink !== null) {
      const labels = dropName && !delayed ? dropMetricName(series.labels) : series.labels;
      if (streamedKeys !== null) {
        const key = labelsKey(labels);
        if (streamedKeys.has(key)) throw sameLabelsetError();
        streamedKeys.add(key);
      }
      sink({ labels, values, present }, dropName && delayed);
      continue;
    }
    evaluator.countProduced(points);
    const output = { labels: series.labels, values, present };
    if (dropName) evaluator.nameDropped(output);
    out.push(output);
  }
  // Prometheus checks the whole result of a range function, not step by step.
  if (!evaluator.settings.delayedNameRemoval) checkUniqueLabelsets(out);
  return { type: 'vector', series: out };
}

/** absent_over_time: 1 at the steps where no series has a sample in its window. */
export function absentOverTime(matrix: RangeSteps, grid: StepGrid, labels: readonly string[]): VectorSteps {
  const covered = new Uint8Array(grid.count);
  for (const series of matrix.series) {
    slideWindows(series, matrix.windowEnds, matrix.range, (step) => {
      covered[step] = 1;
    });
  }
  const values = new Float64Array(grid.count);
  const present = new Uint8Array(grid.count);
  for (let i = 0; i < grid.count; i++) {
    if (covered[i] === 1) continue;
    present[i] = 1;
    values[i] = 1;
  }
  const series: StepSeries = { labels, values, present };
  return { type: 'vector', series: hasAnyPresent(series) ? [series] : [] };
}

/** The samples of the single step's window of each series, for a top-level range vector of an instant query. */
export function windowSamples(matrix: RangeSteps, step: number): RangeSeries[] {
  const out: RangeSeries[] = [];
  for (const series of matrix.series) {
    const windowEnd = matrix.windowEnds[step];
    const windowStart = windowEnd - matrix.range;
    let first = 0;
    while (first < series.count && series.timestamps[first] <= windowStart) first++;
    let end = first;
    while (end < series.count && series.timestamps[end] <= windowEnd) end++;
    if (end === first) continue;
    const samples = {
      labels: series.labels,
      timestamps: series.timestamps.slice(first, end),
      values: series.values.slice(first, end),
      count: end - first,
    };
    inheritNameDrop(samples, series);
    out.push(samples);
  }
  return out;
}
