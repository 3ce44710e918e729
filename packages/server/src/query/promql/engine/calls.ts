import { AnchoredRegex, METRIC_NAME, compareLabels, getLabel } from '../../../model/index.ts';
import type { Labels } from '../../../model/index.ts';
import type { Call, Expr } from '../ast.ts';
import { exprType } from '../ast.ts';
import { FUNCTIONS } from '../functions/index.ts';
import type { FunctionImplementation, StepGrid, StepSeries } from '../functions/types.ts';
import { Annotations, QueryError } from '../value.ts';
import type { Evaluator } from './evaluator.ts';
import { mergeSameLabelsets } from './evaluator.ts';
import { absentOverTime, applyRangeFunction, streamMatrixSelector } from './range-windows.ts';
import type { RangeOutputSink } from './range-windows.ts';
import { selectInstant } from './selectors.ts';
import { SeriesCollector, inheritNameDrop, markNameDrop, stepTime } from './values.ts';
import type { Evaluated, RangeSteps, ScalarSteps, VectorSteps } from './values.ts';

function unwrapParens(expr: Expr): Expr {
  while (expr.type === 'ParenExpr') expr = expr.expr;
  return expr;
}

/** Functions whose first argument may be omitted, meaning `vector(time())`. */
const DATE_FUNCTIONS = new Set(['day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'hour', 'minute', 'month', 'year']);

/** Functions evaluateCall handles itself before looking at FUNCTIONS. */
const ENGINE_FUNCTIONS = new Set([
  'time', 'pi', 'start', 'end', 'range', 'step', 'scalar', 'vector', 'timestamp', 'absent', 'absent_over_time',
  'sort', 'sort_desc', 'sort_by_label', 'sort_by_label_desc', 'max_of', 'min_of',
]);

function notSupported(name: string): QueryError {
  return new QueryError('execution', `function "${name}" is not supported yet`);
}

export async function evaluateCall(evaluator: Evaluator, call: Call, grid: StepGrid): Promise<Evaluated> {
  const name = call.func.name;
  switch (name) {
    case 'time':
      return scalarOf(grid, (t) => t / 1000);
    case 'pi':
      return scalarOf(grid, () => Math.PI);
    case 'start':
      return scalarOf(grid, () => evaluator.settings.queryStart / 1000);
    case 'end':
      return scalarOf(grid, () => evaluator.settings.queryEnd / 1000);
    case 'range':
      return scalarOf(grid, () => (evaluator.settings.queryEnd - evaluator.settings.queryStart) / 1000);
    case 'step':
      return scalarOf(grid, () => evaluator.settings.queryStep / 1000);
    case 'scalar':
      return scalarFunction(evaluator, call, grid);
    case 'vector': {
      const value = await evaluator.evaluateScalar(call.args[0], grid);
      return { type: 'vector', series: [{ labels: [], values: value.values, present: new Uint8Array(grid.count).fill(1) }] };
    }
    case 'timestamp':
      return timestampFunction(evaluator, call, grid);
    case 'absent':
      return absentFunction(evaluator, call, grid);
    case 'absent_over_time': {
      const matrix = await evaluateMatrixArgument(evaluator, call.args[0], grid);
      return absentOverTime(matrix, grid, absentLabels(unwrapParens(call.args[0])));
    }
    case 'sort':
    case 'sort_desc':
      return sortFunction(evaluator, call, grid);
    case 'sort_by_label':
    case 'sort_by_label_desc':
      return sortByLabelFunction(evaluator, call, grid);
    case 'max_of':
    case 'min_of': {
      const first = await evaluator.evaluateScalar(call.args[0], grid);
      const second = await evaluator.evaluateScalar(call.args[1], grid);
      const values = new Float64Array(grid.count);
      // Math.max/min treat NaN and signed zeros as Go's math.Max/Min do.
      for (let i = 0; i < grid.count; i++) values[i] = name === 'max_of' ? Math.max(first.values[i], second.values[i]) : Math.min(first.values[i], second.values[i]);
      return { type: 'scalar', values };
    }
    default:
      break;
  }
  const implementation = FUNCTIONS.get(name);
  if (implementation === undefined) throw notSupported(name);
  if (DATE_FUNCTIONS.has(name) && call.args.length === 0 && implementation.kind === 'elementwise') {
    const values = new Float64Array(grid.count);
    // As Prometheus: the step's time truncated to whole seconds.
    for (let i = 0; i < grid.count; i++) values[i] = implementation.apply(Math.trunc(stepTime(grid, i) / 1000), [], stepTime(grid, i));
    return { type: 'vector', series: [{ labels: [], values, present: new Uint8Array(grid.count).fill(1) }] };
  }
  return applyImplementation(evaluator, call, implementation, grid);
}

function scalarOf(grid: StepGrid, valueAt: (time: number) => number): ScalarSteps {
  const values = new Float64Array(grid.count);
  for (let i = 0; i < grid.count; i++) values[i] = valueAt(stepTime(grid, i));
  return { type: 'scalar', values };
}

async function evaluateMatrixArgument(evaluator: Evaluator, argument: Expr, grid: StepGrid): Promise<RangeSteps> {
  const value = await evaluator.evaluate(unwrapParens(argument), grid);
  if (value.type !== 'matrix') throw new QueryError('execution', `expected range vector, got ${value.type}`);
  return value;
}

/** The arguments other than the vector/range one, as one scalar per step; string arguments are read as written. */
async function scalarArguments(evaluator: Evaluator, call: Call, skip: number, grid: StepGrid): Promise<Float64Array[]> {
  const out: Float64Array[] = [];
  for (let a = 0; a < call.args.length; a++) {
    if (a === skip || exprType(call.args[a]) === 'string') continue;
    out.push((await evaluator.evaluateScalar(call.args[a], grid)).values);
  }
  return out;
}

/**
 * Runs a function of functions/. Its annotations are collected apart and then given the position
 * suffix Prometheus prints (` (1:6)`, the argument's place in the query).
 */
async function applyImplementation(evaluator: Evaluator, call: Call, implementation: FunctionImplementation, grid: StepGrid, sink: RangeOutputSink | null = null): Promise<Evaluated> {
  const annotations = new Annotations();
  const argument = call.args.find((one) => exprType(one) === 'matrix' || exprType(one) === 'vector') ?? call;
  try {
    return await applyWithAnnotations(evaluator, call, implementation, grid, annotations, sink);
  } finally {
    // Prometheus points a bad quantile at the φ argument, everything else at the series argument.
    const positionOf = (message: string) => (message.includes('quantile value should be between') ? call.args[0].position : argument.position);
    for (const message of annotations.warnings) evaluator.warn(message, positionOf(message));
    for (const message of annotations.infos) evaluator.info(message, positionOf(message));
  }
}

/**
 * Evaluates a range function call (rate, *_over_time, …) straight into `sink`, series by series,
 * for an aggregation over it. False when the call is not one (the caller evaluates it as usual).
 */
export async function streamRangeCall(evaluator: Evaluator, call: Call, grid: StepGrid, sink: RangeOutputSink): Promise<boolean> {
  if (ENGINE_FUNCTIONS.has(call.func.name)) return false;
  const implementation = FUNCTIONS.get(call.func.name);
  if (implementation === undefined || implementation.kind !== 'range') return false;
  await applyImplementation(evaluator, call, implementation, grid, sink);
  return true;
}

async function applyWithAnnotations(evaluator: Evaluator, call: Call, implementation: FunctionImplementation, grid: StepGrid, annotations: Annotations, sink: RangeOutputSink | null): Promise<Evaluated> {
  const name = call.func.name;
  switch (implementation.kind) {
    case 'range': {
      const index = call.args.findIndex((argument) => exprType(argument) === 'matrix');
      if (index < 0) throw new QueryError('execution', `function "${name}" needs a range vector argument`);
      const params = await scalarArguments(evaluator, call, index, grid);
      const argument = unwrapParens(call.args[index]);
      const matrix = argument.type === 'MatrixSelector' ? streamMatrixSelector(evaluator, argument, grid) : await evaluateMatrixArgument(evaluator, argument, grid);
      return applyRangeFunction(evaluator, matrix, implementation.apply, implementation.keepName === true, params, grid, call.args[index], annotations, sink);
    }
    case 'elementwise': {
      const index = call.args.findIndex((argument) => exprType(argument) === 'vector');
      if (index < 0) throw new QueryError('execution', `function "${name}" needs an instant vector argument`);
      const params = await scalarArguments(evaluator, call, index, grid);
      const input = await evaluator.evaluateVector(call.args[index], grid);
      const collector = new SeriesCollector(grid.count);
      const stepParams: number[] = new Array(params.length).fill(0);
      for (const series of input.series) {
        await evaluator.checkpoint();
        const target = collector.get(evaluator.labelsDroppingName(series.labels));
        if (evaluator.settings.delayedNameRemoval) markNameDrop(target);
        for (let i = 0; i < grid.count; i++) {
          if (series.present[i] !== 1) continue;
          for (let p = 0; p < params.length; p++) stepParams[p] = params[p][i];
          if (implementation.skipStep !== undefined && implementation.skipStep(stepParams)) continue;
          SeriesCollector.set(target, i, implementation.apply(series.values[i], stepParams, stepTime(grid, i)));
        }
      }
      return { type: 'vector', series: collector.finish() };
    }
    case 'labels': {
      const strings: string[] = [];
      for (let a = 1; a < call.args.length; a++) {
        const argument = unwrapParens(call.args[a]);
        if (argument.type !== 'StringLiteral') throw new QueryError('execution', `function "${name}" needs string arguments`);
        strings.push(argument.value);
      }
      const transform = implementation.prepare(strings);
      const input = await evaluator.evaluateVector(call.args[0], grid);
      // Writing `__name__` keeps it (a pending drop is cancelled), as Prometheus does: always for
      // label_join, when the regex matched for label_replace.
      const setsName = strings[0] === METRIC_NAME;
      const replaceRegex = setsName && name === 'label_replace' ? new AnchoredRegex(strings[3]) : null;
      const out: StepSeries[] = input.series.map((series) => {
        const labels = transform(series.labels);
        const output = { labels, values: series.values, present: series.present };
        const keepsName = setsName && (replaceRegex === null || replaceRegex.matches(getLabel(series.labels, strings[2])));
        if (!keepsName) inheritNameDrop(output, series);
        return output;
      });
      return { type: 'vector', series: mergeSameLabelsets(out) };
    }
    case 'series': {
      const index = call.args.findIndex((argument) => exprType(argument) === 'vector');
      if (index < 0) throw new QueryError('execution', `function "${name}" needs an instant vector argument`);
      const params = await scalarArguments(evaluator, call, index, grid);
      const input = await evaluator.evaluateVector(call.args[index], grid);
      const metricName = '';
      const series = implementation.apply(input.series, params, grid, { annotations, metricName, position: call.args[index].position });
      const collector = new SeriesCollector(grid.count);
      for (const one of series) {
        const target = collector.get(one.labels);
        for (let i = 0; i < grid.count; i++) if (one.present[i] === 1) SeriesCollector.set(target, i, one.values[i]);
      }
      return { type: 'vector', series: collector.finish() };
    }
  }
}

async function scalarFunction(evaluator: Evaluator, call: Call, grid: StepGrid): Promise<ScalarSteps> {
  const input = await evaluator.evaluateVector(call.args[0], grid);
  const values = new Float64Array(grid.count).fill(NaN);
  const found = new Uint8Array(grid.count);
  for (const series of input.series) {
    for (let i = 0; i < grid.count; i++) {
      if (series.present[i] !== 1) continue;
      // More than one value at a step: NaN.
      values[i] = found[i] === 1 ? NaN : series.values[i];
      found[i] = 1;
    }
  }
  return { type: 'scalar', values };
}

/**
 * timestamp(v): for a selector argument, the timestamp of the sample each step picked (Prometheus
 * special-cases it); for anything else, the step's time. The name is dropped.
 */
async function timestampFunction(evaluator: Evaluator, call: Call, grid: StepGrid): Promise<VectorSteps> {
  const argument = unwrapParens(call.args[0]);
  let result: VectorSteps;
  if (argument.type === 'VectorSelector') {
    result = await selectInstant(evaluator, argument, grid, true);
  } else {
    const input = await evaluator.evaluateVector(argument, grid);
    const series: StepSeries[] = input.series.map((one) => {
      const values = new Float64Array(grid.count);
      for (let i = 0; i < grid.count; i++) if (one.present[i] === 1) values[i] = stepTime(grid, i) / 1000;
      return { labels: one.labels, values, present: one.present };
    });
    result = { type: 'vector', series };
  }
  const collector = new SeriesCollector(grid.count);
  for (const one of result.series) {
    const target = collector.get(evaluator.labelsDroppingName(one.labels));
    if (evaluator.settings.delayedNameRemoval) markNameDrop(target);
    for (let i = 0; i < grid.count; i++) if (one.present[i] === 1) SeriesCollector.set(target, i, one.values[i]);
  }
  return { type: 'vector', series: collector.finish() };
}

/** The labels absent() and absent_over_time() report: the selector's equality matchers (a name matched twice is left out). */
function absentLabels(argument: Expr): Labels {
  const selector = argument.type === 'VectorSelector' ? argument : argument.type === 'MatrixSelector' ? argument.vectorSelector : null;
  if (selector === null) return [];
  const values = new Map<string, string>();
  const seen = new Set<string>();
  for (const matcher of selector.matchers) {
    if (matcher.name === METRIC_NAME) continue;
    if (matcher.type === '=' && !seen.has(matcher.name)) {
      values.set(matcher.name, matcher.value);
      seen.add(matcher.name);
    } else {
      values.delete(matcher.name);
    }
  }
  const names = [...values.keys()].sort();
  const out: string[] = [];
  for (const name of names) {
    const value = values.get(name) as string;
    if (value !== '') out.push(name, value);
  }
  return out;
}

async function absentFunction(evaluator: Evaluator, call: Call, grid: StepGrid): Promise<VectorSteps> {
  const input = await evaluator.evaluateVector(call.args[0], grid);
  const covered = new Uint8Array(grid.count);
  for (const series of input.series) for (let i = 0; i < grid.count; i++) covered[i] |= series.present[i];
  const values = new Float64Array(grid.count);
  const present = new Uint8Array(grid.count);
  let any = false;
  for (let i = 0; i < grid.count; i++) {
    if (covered[i] === 1) continue;
    values[i] = 1;
    present[i] = 1;
    any = true;
  }
  return { type: 'vector', series: any ? [{ labels: absentLabels(unwrapParens(call.args[0])), values, present }] : [] };
}

/** Natural order as the natsort package Prometheus uses: digit runs compare as integers, other runs as text. */
export function naturalLess(a: string, b: string): boolean {
  const chunksA = a.match(/\d+|\D+/g) ?? [];
  const chunksB = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < chunksA.length; i++) {
    if (i >= chunksB.length) return false;
    const numberA = /^\d+$/.test(chunksA[i]) ? Number(chunksA[i]) : NaN;
    const numberB = /^\d+$/.test(chunksB[i]) ? Number(chunksB[i]) : NaN;
    const equal = numberA === numberA && numberB === numberB ? numberA === numberB : chunksA[i] === chunksB[i];
    if (equal) {
      if (i === chunksA.length - 1) return true;
      if (i === chunksB.length - 1) return false;
      continue;
    }
    if (numberA === numberA && numberB === numberB) return numberA < numberB;
    return chunksA[i] < chunksB[i];
  }
  return false;
}

/** sort_by_label(_desc): an instant query's result ordered by the given labels' values, then by all labels. */
async function sortByLabelFunction(evaluator: Evaluator, call: Call, grid: StepGrid): Promise<VectorSteps> {
  const input = await evaluator.evaluateVector(call.args[0], grid);
  if (grid.count !== 1) {
    evaluator.warn('sort is ineffective for range queries since results are always ordered by labels', call.position);
    return input;
  }
  const names: string[] = [];
  for (const argument of call.args.slice(1)) {
    const literal = unwrapParens(argument);
    if (literal.type === 'StringLiteral') names.push(literal.value);
  }
  const direction = call.func.name === 'sort_by_label_desc' ? -1 : 1;
  const sorted = input.series.filter((series) => series.present[0] === 1);
  sorted.sort((a, b) => {
    for (const label of names) {
      const valueA = getLabel(a.labels, label);
      const valueB = getLabel(b.labels, label);
      if (valueA === valueB) continue;
      return (naturalLess(valueA, valueB) ? -1 : 1) * direction;
    }
    return compareLabels(a.labels, b.labels) * direction;
  });
  return { type: 'vector', series: sorted };
}

/**
 * sort/sort_desc order an instant query's result by value (NaN last); a range query's result is
 * sorted by labels anyway, so there they only warn as Prometheus does.
 */
async function sortFunction(evaluator: Evaluator, call: Call, grid: StepGrid): Promise<VectorSteps> {
  const input = await evaluator.evaluateVector(call.args[0], grid);
  if (grid.count !== 1) {
    evaluator.warn('sort is ineffective for range queries since results are always ordered by labels', call.position);
    return input;
  }
  const descending = call.func.name === 'sort_desc';
  const present = input.series.filter((series) => series.present[0] === 1);
  // Go sorts with "NaN first" and reverses; NaN ends up last either way. Ties keep their order.
  const rank = (value: number): number => (value !== value ? 1 : 0);
  const sorted = present
    .map((series, index) => ({ series, index }))
    .sort((a, b) => {
      const va = a.series.values[0];
      const vb = b.series.values[0];
      const byNaN = rank(va) - rank(vb);
      if (byNaN !== 0) return byNaN;
      if (va !== vb) return descending ? (va > vb ? -1 : 1) : va < vb ? -1 : 1;
      return a.index - b.index;
    })
    .map((entry) => entry.series);
  return { type: 'vector', series: sorted };
}
