import { METRIC_NAME, goQuote, labelsFromPairs, labelsKey } from '../../../model/index.ts';
import type { Labels } from '../../../model/index.ts';
import type { AggregateExpr, Expr } from '../ast.ts';
import { quantile } from '../functions/index.ts';
import { kahanAdd } from '../functions/kahan.ts';
import { isValidUtf8LabelName } from '../functions/labels.ts';
import type { StepGrid, StepSeries } from '../functions/types.ts';
import { QueryError } from '../value.ts';
import { streamRangeCall } from './calls.ts';
import type { Evaluator } from './evaluator.ts';
import { isStepInvariant } from './step-invariant.ts';
import { formatFloat } from '../../../model/index.ts';
import { keepForRatio, sampleOffset } from './ratio-sampler.ts';
import { SeriesCollector, dropsName, hasAnyPresent, inheritNameDrop, markNameDrop, newStepSeries } from './values.ts';
import type { VectorSteps } from './values.ts';

/** The labels an input series is grouped under: the `by` labels, or all but the `without` labels and the name. */
function groupingLabels(labels: Labels, grouping: ReadonlySet<string>, without: boolean): Labels {
  const out: string[] = [];
  for (let i = 0; i < labels.length; i += 2) {
    const name = labels[i];
    const listed = grouping.has(name);
    if (without ? !listed && name !== METRIC_NAME : listed) out.push(name, labels[i + 1]);
  }
  return out;
}

interface Groups {
  /** Group index of every input series. */
  ofSeries: Int32Array;
  labels: Labels[];
}

function assignGroups(series: readonly StepSeries[], grouping: ReadonlySet<string>, without: boolean): Groups {
  const byKey = new Map<string, number>();
  const ofSeries = new Int32Array(series.length);
  const labels: Labels[] = [];
  for (let s = 0; s < series.length; s++) {
    const groupLabels = groupingLabels(series[s].labels, grouping, without);
    const key = labelsKey(groupLabels);
    let index = byKey.get(key);
    if (index === undefined) {
      index = labels.length;
      byKey.set(key, index);
      labels.push(groupLabels);
    }
    ofSeries[s] = index;
  }
  return { ofSeries, labels };
}

/** Groups with an input series whose name is still to be dropped (delayed name removal): their output drops it too. */
function namePendingByGroup(input: readonly StepSeries[], groups: Groups): Uint8Array {
  const out = new Uint8Array(groups.labels.length);
  for (let s = 0; s < input.length; s++) if (dropsName(input[s])) out[groups.ofSeries[s]] = 1;
  return out;
}

interface Parameter {
  values: Float64Array;
  min: number;
  max: number;
  hasNaN: boolean;
}

async function evaluateParameter(evaluator: Evaluator, node: AggregateExpr, grid: StepGrid): Promise<Parameter> {
  const values = (await evaluator.evaluateScalar(node.param as NonNullable<AggregateExpr['param']>, grid)).values;
  let min = Number.MAX_VALUE;
  let max = -Number.MAX_VALUE;
  let hasNaN = false;
  for (let i = 0; i < values.length; i++) {
    // Math.max/min propagate NaN as Go's math.Max/Min do.
    max = Math.max(max, values[i]);
    min = Math.min(min, values[i]);
    if (values[i] !== values[i]) hasNaN = true;
  }
  return { values, min, max, hasNaN };
}

export async function evaluateAggregation(evaluator: Evaluator, node: AggregateExpr, grid: StepGrid): Promise<VectorSteps> {
  const grouping = new Set(node.grouping);
  switch (node.op) {
    case 'count_values':
      return countValues(evaluator, node, grid, grouping);
    case 'topk':
    case 'bottomk':
    case 'limitk':
    case 'limit_ratio':
      return selectK(evaluator, node, grid, grouping);
    case 'quantile':
      return quantileAggregation(evaluator, node, grid, grouping);
    default:
      return simpleAggregation(evaluator, node, grid, grouping);
  }
}

/** One group's running state over all steps. */
interface GroupState {
  labels: Labels;
  seen: Uint8Array;
  value: Float64Array;
  compensation: Float64Array;
  count: Float64Array;
  mean: Float64Array;
  incrementalMean: Uint8Array;
  dropsName: boolean;
}

function newGroupState(labels: Labels, steps: number): GroupState {
  return {
    labels,
    seen: new Uint8Array(steps),
    value: new Float64Array(steps),
    compensation: new Float64Array(steps),
    count: new Float64Array(steps),
    mean: new Float64Array(steps),
    incrementalMean: new Uint8Array(steps),
    dropsName: false,
  };
}

function unwrapParens(expr: Expr): Expr {
  while (expr.type === 'ParenExpr') expr = expr.expr;
  return expr;
}

/**
 * sum, avg, min, max, count, group, stddev, stdvar: one pass per input series over all steps, into
 * per-group state arrays. Series are visited in the order Prometheus visits them at each step, so
 * compensated sums come out bit for bit the same. Over a range function (`sum(rate(x[5m]))`) the
 * function's output series are folded in as they are computed, never held all at once.
 */
async function simpleAggregation(evaluator: Evaluator, node: AggregateExpr, grid: StepGrid, grouping: ReadonlySet<string>): Promise<VectorSteps> {
  const steps = grid.count;
  const groupIndex = new Map<string, number>();
  const groups: GroupState[] = [];
  const kahan = new Float64Array(2);
  const op = node.op;
  const accumulate = (series: StepSeries, pendingNameDrop: boolean): void => {
    const labels = groupingLabels(series.labels, grouping, node.without);
    const key = labelsKey(labels);
    let index = groupIndex.get(key);
    if (index === undefined) {
      index = groups.length;
      groupIndex.set(key, index);
      groups.push(newGroupState(labels, steps));
    }
    const group = groups[index];
    if (pendingNameDrop) group.dropsName = true;
    const { seen, value, compensation, count: groupCount, mean, incrementalMean } = group;
    const present = series.present;
    const values = series.values;
    for (let i = 0; i < steps; i++) {
      if (present[i] !== 1) continue;
      const f = values[i];
      if (seen[i] === 0) {
        seen[i] = 1;
        value[i] = f;
        mean[i] = f;
        groupCount[i] = 1;
        compensation[i] = 0;
        if (op === 'stddev' || op === 'stdvar') value[i] = f !== f || f === Infinity || f === -Infinity ? NaN : 0;
        else if (op === 'group') value[i] = 1;
        continue;
      }
      switch (op) {
        case 'sum':
          kahan[0] = value[i];
          kahan[1] = compensation[i];
          kahanAdd(kahan, f);
          value[i] = kahan[0];
          compensation[i] = kahan[1];
          break;
        case 'avg': {
          const count = ++groupCount[i];
          if (incrementalMean[i] === 0) {
            kahan[0] = value[i];
            kahan[1] = compensation[i];
            kahanAdd(kahan, f);
            if (kahan[0] !== Infinity && kahan[0] !== -Infinity) {
              value[i] = kahan[0];
              compensation[i] = kahan[1];
              break;
            }
            // The running sum would overflow: continue with an incremental mean from here on.
            incrementalMean[i] = 1;
            mean[i] = value[i] / (count - 1);
            compensation[i] /= count - 1;
          }
          const q = (count - 1) / count;
          kahan[0] = q * mean[i];
          kahan[1] = q * compensation[i];
          kahanAdd(kahan, f / count);
          mean[i] = kahan[0];
          compensation[i] = kahan[1];
          break;
        }
        case 'max':
          if (value[i] < f || value[i] !== value[i]) value[i] = f;
          break;
        case 'min':
          if (value[i] > f || value[i] !== value[i]) value[i] = f;
          break;
        case 'count':
          groupCount[i]++;
          break;
        case 'group':
          break;
        case 'stddev':
        case 'stdvar': {
          const count = ++groupCount[i];
          const delta = f - mean[i];
          mean[i] += delta / count;
          value[i] += delta * (f - mean[i]);
          break;
        }
        default:
          throw new QueryError('execution', `aggregation ${op} is not supported yet`);
      }
    }
  };

  const inner = unwrapParens(node.expr);
  const streamable = inner.type === 'Call' && !(grid.count > 1 && isStepInvariant(inner));
  if (!(streamable && (await streamRangeCall(evaluator, inner, grid, accumulate)))) {
    const input = (await evaluator.evaluateVector(node.expr, grid)).series;
    for (const series of input) {
      await evaluator.checkpoint();
      accumulate(series, dropsName(series));
    }
  }

  const out: StepSeries[] = [];
  for (const group of groups) {
    const series = newStepSeries(group.labels, steps);
    if (group.dropsName) markNameDrop(series);
    const { seen, value, compensation, count, mean, incrementalMean } = group;
    for (let i = 0; i < steps; i++) {
      if (seen[i] === 0) continue;
      let result = value[i];
      switch (op) {
        case 'sum':
          result = value[i] + compensation[i];
          break;
        case 'avg':
          result = incrementalMean[i] === 1 ? mean[i] + compensation[i] : value[i] / count[i] + compensation[i] / count[i];
          break;
        case 'count':
          result = count[i];
          break;
        case 'stdvar':
          result = value[i] / count[i];
          break;
        case 'stddev':
          result = Math.sqrt(value[i] / count[i]);
          break;
        default:
          break;
      }
      series.present[i] = 1;
      series.values[i] = result;
    }
    if (hasAnyPresent(series)) out.push(series);
  }
  return { type: 'vector', series: out };
}

async function quantileAggregation(evaluator: Evaluator, node: AggregateExpr, grid: StepGrid, grouping: ReadonlySet<string>): Promise<VectorSteps> {
  const parameter = await evaluateParameter(evaluator, node, grid);
  const position = (node.param as NonNullable<AggregateExpr['param']>).position;
  if (parameter.hasNaN) evaluator.warn('quantile value should be between 0 and 1, got NaN', position);
  if (parameter.max > 1) evaluator.warn(`quantile value should be between 0 and 1, got ${formatFloat(parameter.max, 'g', -1)}`, position);
  if (parameter.min < 0) evaluator.warn(`quantile value should be between 0 and 1, got ${formatFloat(parameter.min, 'g', -1)}`, position);
  const input = (await evaluator.evaluateVector(node.expr, grid)).series;
  const groups = assignGroups(input, grouping, node.without);
  const groupCount = groups.labels.length;
  const buffers: Float64Array[] = [];
  const counts = new Int32Array(groupCount);
  const members = new Int32Array(groupCount);
  for (let s = 0; s < input.length; s++) members[groups.ofSeries[s]]++;
  for (let g = 0; g < groupCount; g++) buffers.push(new Float64Array(Math.max(1, members[g])));
  const groupDropsName = namePendingByGroup(input, groups);
  const out = groups.labels.map((labels, g) => {
    const series = newStepSeries(labels, grid.count);
    if (groupDropsName[g] === 1) markNameDrop(series);
    return series;
  });
  for (let i = 0; i < grid.count; i++) {
    await evaluator.checkpoint();
    counts.fill(0);
    for (let s = 0; s < input.length; s++) {
      if (input[s].present[i] !== 1) continue;
      const g = groups.ofSeries[s];
      buffers[g][counts[g]++] = input[s].values[i];
    }
    const q = parameter.values[i];
    for (let g = 0; g < groupCount; g++) {
      if (counts[g] === 0) continue;
      out[g].present[i] = 1;
      out[g].values[i] = quantile(q, buffers[g], counts[g]);
    }
  }
  return { type: 'vector', series: out.filter(hasAnyPresent) };
}

/** count_values: per step, one output series per group and distinct value, the value as a label. */
async function countValues(evaluator: Evaluator, node: AggregateExpr, grid: StepGrid, grouping: ReadonlySet<string>): Promise<VectorSteps> {
  let param = node.param;
  while (param !== null && param.type === 'ParenExpr') param = param.expr;
  if (param === null || param.type !== 'StringLiteral') throw new QueryError('bad_data', 'count_values needs a string parameter');
  const valueLabel = param.value;
  // Any non-empty valid UTF-8 name; an invalid byte from a `\x` escape is a lone surrogate here.
  if (!isValidUtf8LabelName(valueLabel)) throw new QueryError('execution', `invalid label name ${goQuote(valueLabel)}`);
  const input = (await evaluator.evaluateVector(node.expr, grid)).series;
  const effectiveGrouping = node.without ? grouping : new Set([...grouping, valueLabel]);
  const collector = new SeriesCollector(grid.count);
  const counts = new Map<StepSeries, number>();
  for (let i = 0; i < grid.count; i++) {
    await evaluator.checkpoint();
    counts.clear();
    for (const series of input) {
      if (series.present[i] !== 1) continue;
      const withValue = labelsFromPairs([...series.labels, valueLabel, formatFloat(series.values[i], 'f', -1)]);
      const target = collector.get(groupingLabels(withValue, effectiveGrouping, node.without));
      counts.set(target, (counts.get(target) ?? 0) + 1);
    }
    for (const [target, count] of counts) SeriesCollector.set(target, i, count);
  }
  return { type: 'vector', series: collector.finish() };
}

/** Go's container/heap over sample indexes, with the ordering topk/bottomk use (NaN counts as smallest). */
class IndexHeap {
  readonly items: number[] = [];

  constructor(
    private readonly values: Float64Array,
    /** true: the smallest value on top (topk); false: the largest (bottomk). */
    private readonly ascending: boolean,
  ) {}

  /** Less of two items (sample indexes), not positions. */
  lessItems(itemA: number, itemB: number): boolean {
    const va = this.values[itemA];
    const vb = this.values[itemB];
    if (va !== va) return true;
    return this.ascending ? va < vb : va > vb;
  }

  less(a: number, b: number): boolean {
    return this.lessItems(this.items[a], this.items[b]);
  }

  private swap(a: number, b: number): void {
    const item = this.items[a];
    this.items[a] = this.items[b];
    this.items[b] = item;
  }

  private up(j: number): void {
    for (;;) {
      const i = Math.trunc((j - 1) / 2);
      if (i === j || !this.less(j, i)) break;
      this.swap(i, j);
      j = i;
    }
  }

  private down(i0: number, n: number): boolean {
    let i = i0;
    for (;;) {
      const j1 = 2 * i + 1;
      if (j1 >= n || j1 < 0) break;
      let j = j1;
      const j2 = j1 + 1;
      if (j2 < n && this.less(j2, j1)) j = j2;
      if (!this.less(j, i)) break;
      this.swap(i, j);
      i = j;
    }
    return i > i0;
  }

  push(item: number): void {
    this.items.push(item);
    this.up(this.items.length - 1);
  }

  fixTop(): void {
    if (!this.down(0, this.items.length)) this.up(0);
  }

  /** `sort.Sort(sort.Reverse(heap))`: insertion sort as Go uses for short slices (stable), a stable sort beyond. */
  sortReversed(): void {
    const n = this.items.length;
    const reverseLess = (a: number, b: number): boolean => this.less(b, a);
    if (n <= 12) {
      for (let i = 1; i < n; i++) for (let j = i; j > 0 && reverseLess(j, j - 1); j--) this.swap(j, j - 1);
      return;
    }
    this.items.sort((a, b) => (this.lessItems(a, b) ? 1 : this.lessItems(b, a) ? -1 : 0));
  }
}

/**
 * topk, bottomk, limitk, limit_ratio: per step and group, some of the input samples, labels
 * unchanged. The per-group heaps work as Go's container/heap does, so an instant query lists the
 * samples in Prometheus's order.
 */
async function selectK(evaluator: Evaluator, node: AggregateExpr, grid: StepGrid, grouping: ReadonlySet<string>): Promise<VectorSteps> {
  const parameter = await evaluateParameter(evaluator, node, grid);
  const input = (await evaluator.evaluateVector(node.expr, grid)).series;
  const ratio = node.op === 'limit_ratio';
  if (ratio) {
    if (parameter.max === 0 && parameter.min === 0) return { type: 'vector', series: [] };
    if (parameter.hasNaN) throw new QueryError('execution', 'Ratio value is NaN');
    const position = (node.param as NonNullable<AggregateExpr['param']>).position;
    if (parameter.max > 1) evaluator.warn(`ratio value should be between -1 and 1, got ${formatFloat(parameter.max, 'g', -1)}, capping to 1`, position);
    if (parameter.min < -1) evaluator.warn(`ratio value should be between -1 and 1, got ${formatFloat(parameter.min, 'g', -1)}, capping to -1`, position);
  } else {
    if (parameter.max < 1) return { type: 'vector', series: [] };
    if (parameter.hasNaN) throw new QueryError('execution', 'Parameter value is NaN');
    if (parameter.min <= -(2 ** 63)) throw new QueryError('execution', `Scalar value ${formatFloat(parameter.min, 'g', -1)} underflows int64`);
    if (parameter.max >= 2 ** 63) throw new QueryError('execution', `Scalar value ${formatFloat(parameter.max, 'g', -1)} overflows int64`);
  }
  const offsets = ratio ? new Float64Array(input.length).fill(NaN) : null;
  const groups = assignGroups(input, grouping, node.without);
  const steps = grid.count;
  const stepValues = new Float64Array(input.length);
  const outputs: (StepSeries | undefined)[] = new Array(input.length);
  const order: StepSeries[] = [];
  const instantOrder: StepSeries[] = [];
  for (let i = 0; i < steps; i++) {
    await evaluator.checkpoint();
    const k = ratio ? Infinity : Math.min(Math.trunc(parameter.values[i]), input.length);
    if (k < 1) continue;
    const ratioLimit = Math.max(-1, Math.min(1, parameter.values[i]));
    if (ratio && parameter.values[i] === 0) continue;
    const heaps: (IndexHeap | undefined)[] = new Array(groups.labels.length);
    const groupOrder: number[] = [];
    for (let s = 0; s < input.length; s++) {
      if (input[s].present[i] !== 1) continue;
      const value = input[s].values[i];
      stepValues[s] = value;
      const g = groups.ofSeries[s];
      let heap = heaps[g];
      if (offsets !== null) {
        if (offsets[s] !== offsets[s]) offsets[s] = sampleOffset(input[s].labels);
        if (heap === undefined) {
          heap = new IndexHeap(stepValues, true);
          heaps[g] = heap;
          groupOrder.push(g);
        }
        if (keepForRatio(ratioLimit, offsets[s])) heap.push(s);
        continue;
      }
      if (heap === undefined) {
        heap = new IndexHeap(stepValues, node.op !== 'bottomk');
        heaps[g] = heap;
        groupOrder.push(g);
        heap.push(s);
        continue;
      }
      if (node.op === 'limitk') {
        if (heap.items.length < k) heap.push(s);
        continue;
      }
      if (heap.items.length < k) {
        heap.push(s);
        continue;
      }
      const top = stepValues[heap.items[0]];
      const replaces = node.op === 'topk' ? top < value || (top !== top && value === value) : top > value || (top !== top && value === value);
      if (replaces) {
        heap.items[0] = s;
        if (k > 1) heap.fixTop();
      }
    }
    groupOrder.sort((a, b) => a - b);
    for (const g of groupOrder) {
      const heap = heaps[g] as IndexHeap;
      if ((node.op === 'topk' || node.op === 'bottomk') && heap.items.length > 1) heap.sortReversed();
      for (const s of heap.items) {
        let target = outputs[s];
        if (target === undefined) {
          target = newStepSeries(input[s].labels, steps);
          inheritNameDrop(target, input[s]);
          outputs[s] = target;
          order.push(target);
        }
        target.present[i] = 1;
        target.values[i] = input[s].values[i];
        if (steps === 1) instantOrder.push(target);
      }
    }
  }
  return { type: 'vector', series: steps === 1 ? instantOrder : order };
}
