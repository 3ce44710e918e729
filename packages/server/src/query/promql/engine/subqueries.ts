import type { SubqueryExpr } from '../ast.ts';
import type { StepGrid } from '../functions/types.ts';
import { QueryError } from '../value.ts';
import type { Evaluator } from './evaluator.ts';
import { lookupTimes } from './selectors.ts';
import { gridEnd, inheritNameDrop, stepTime } from './values.ts';
import type { RangeSeries, RangeSteps } from './values.ts';

/**
 * The grid a subquery evaluates its inner expression on. As Prometheus 3 does, its steps are
 * absolute multiples of the subquery's step: the first one is the first multiple after
 * `start - offset - range` (left-open), the last one is at or before the parent's last step minus
 * the offset. With `@`, the parent's time is the `@` time.
 */
export function subqueryGrid(evaluator: Evaluator, node: SubqueryExpr, parent: StepGrid): StepGrid {
  const at = evaluator.atTime(node.at);
  const parentStart = at ?? parent.start;
  const parentEnd = at ?? gridEnd(parent);
  const interval = node.step !== 0 ? node.step : evaluator.settings.defaultEvaluationInterval;
  const end = parentEnd - node.offset;
  const earliest = parentStart - node.offset - node.range;
  // Go's integer division truncates toward zero; either way the result is the first multiple of the
  // step after `earliest`.
  let start = interval * Math.trunc(earliest / interval);
  if (start <= earliest) start += interval;
  const count = end < start ? 0 : Math.floor((end - start) / interval) + 1;
  // Every series of the inner expression holds a slot per step: a grid longer than the sample limit
  // cannot be evaluated (Prometheus would fail on the first series, or spin through the steps).
  if (count > evaluator.settings.maxSamples) {
    throw new QueryError('execution', 'query processing would load too many samples into memory in query execution');
  }
  return { start, interval, count };
}

export async function evaluateSubquery(evaluator: Evaluator, node: SubqueryExpr, grid: StepGrid): Promise<RangeSteps> {
  const inner = subqueryGrid(evaluator, node, grid);
  const windowEnds = lookupTimes(evaluator, node, grid);
  if (inner.count === 0) return { type: 'matrix', series: [], range: node.range, windowEnds, heldSamples: 0 };
  const value = await evaluator.evaluate(node.expr, inner);
  const series: RangeSeries[] = [];
  if (value.type === 'scalar') {
    const timestamps = new Float64Array(inner.count);
    for (let i = 0; i < inner.count; i++) timestamps[i] = stepTime(inner, i);
    series.push({ labels: [], timestamps, values: value.values, count: inner.count });
  } else if (value.type === 'vector') {
    for (const one of value.series) {
      await evaluator.checkpoint();
      let count = 0;
      for (let i = 0; i < inner.count; i++) count += one.present[i];
      if (count === 0) continue;
      const timestamps = new Float64Array(count);
      const values = new Float64Array(count);
      let k = 0;
      for (let i = 0; i < inner.count; i++) {
        if (one.present[i] !== 1) continue;
        timestamps[k] = stepTime(inner, i);
        values[k] = one.values[i];
        k++;
      }
      const rangeSeries = { labels: one.labels, timestamps, values, count };
      inheritNameDrop(rangeSeries, one);
      series.push(rangeSeries);
    }
  }
  let heldSamples = 0;
  for (const one of series) heldSamples += one.count;
  return { type: 'matrix', series, range: node.range, windowEnds, heldSamples };
}
