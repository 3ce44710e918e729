import { performance } from 'node:perf_hooks';
import { compareLabels, labelsKey } from '../../../model/index.ts';
import type { Querier } from '../../../store/types.ts';
import type { Expr } from '../ast.ts';
import { exprType } from '../ast.ts';
import type { StepGrid, StepSeries } from '../functions/types.ts';
import { parseExpr } from '../parser/index.ts';
import { QueryError } from '../value.ts';
import type { MatrixSeries, QueryResult, QueryValue } from '../value.ts';
import { Evaluator, mergeSameLabelsets } from './evaluator.ts';
import { ConcurrencyGate } from './gate.ts';
import { windowSamples } from './range-windows.ts';
import { selectorTimeBounds } from './time-bounds.ts';
import { checkUniqueLabelsets, countOnes, dropMetricName, dropsName, sameLabelsetError, stepTime } from './values.ts';
import type { RangeSeries } from './values.ts';
import type { Evaluated } from './values.ts';

/** Where samples come from; a Storage satisfies it. */
export interface Queryable {
  querier(mint: number, maxt: number): Querier;
}

export interface EngineOptions {
  /** How far back an instant selector looks for a sample, ms (default 300000). */
  lookbackDelta?: number;
  /** Most samples a query may hold in memory at once (default 50e6). */
  maxSamples?: number;
  /** ms (default 120000), queueing included. */
  timeout?: number;
  /** Queries evaluated at the same time; more wait in a queue (default 20). */
  maxConcurrent?: number;
  /** Accept Prometheus's experimental functions and aggregations (limitk, …). */
  experimentalFunctions?: boolean;
  /**
   * Prometheus's `promql-delayed-name-removal` feature (off by default, as in Prometheus; its
   * conformance tests run with it on): `__name__` is removed at the end of the query instead of where
   * an operation stops applying to the metric, so label functions and grouping can still see it.
   */
  delayedNameRemoval?: boolean;
  /** Resolution of subqueries written without a step, ms (default 60000, Prometheus's evaluation interval). */
  defaultEvaluationInterval?: number;
}

export interface QueryOptions {
  signal?: AbortSignal;
  lookbackDelta?: number;
  timeout?: number;
}

interface QueryRange {
  start: number;
  end: number;
  /** 0 for an instant query. */
  step: number;
}

const DOCUMENTED_TYPES: Record<string, string> = {
  scalar: 'scalar',
  vector: 'instant vector',
  matrix: 'range vector',
  string: 'string',
};

/**
 * The PromQL engine: parses (when given text), evaluates per series across all steps, and turns the
 * result into the API's values. Queries are independent: one failing or being canceled never touches
 * another, and at most `maxConcurrent` run at once.
 */
export class Engine {
  private readonly lookbackDelta: number;
  private readonly maxSamples: number;
  private readonly timeout: number;
  private readonly experimentalFunctions: boolean;
  private readonly defaultEvaluationInterval: number;
  private readonly delayedNameRemoval: boolean;
  private readonly gate: ConcurrencyGate;

  constructor(options: EngineOptions = {}) {
    this.lookbackDelta = options.lookbackDelta ?? 300_000;
    this.maxSamples = options.maxSamples ?? 50_000_000;
    this.timeout = options.timeout ?? 120_000;
    this.experimentalFunctions = options.experimentalFunctions ?? false;
    this.defaultEvaluationInterval = options.defaultEvaluationInterval ?? 60_000;
    this.delayedNameRemoval = options.delayedNameRemoval ?? false;
    this.gate = new ConcurrencyGate(options.maxConcurrent ?? 20);
  }

  async instantQuery(queryable: Queryable, query: string | Expr, time: number, options: QueryOptions = {}): Promise<QueryResult> {
    const expr = await this.parse(query);
    return this.execute(queryable, expr, typeof query === 'string' ? query : '', { start: time, end: time, step: 0 }, options);
  }

  async rangeQuery(queryable: Queryable, query: string | Expr, start: number, end: number, step: number, options: QueryOptions = {}): Promise<QueryResult> {
    const expr = await this.parse(query);
    const type = exprType(expr);
    if (type !== 'vector' && type !== 'scalar') {
      throw new QueryError('bad_data', `invalid expression type "${DOCUMENTED_TYPES[type]}" for range query, must be Scalar or instant Vector`);
    }
    if (!(step > 0)) throw new QueryError('bad_data', 'zero or negative query resolution step widths are not accepted. Try a positive integer');
    if (end < start) throw new QueryError('bad_data', 'end timestamp must not be before start time');
    // Every series holds a slot per step: more steps than the sample limit cannot be evaluated.
    if (Math.floor((end - start) / step) + 1 > this.maxSamples) {
      throw new QueryError('execution', 'query processing would load too many samples into memory in query execution');
    }
    return this.execute(queryable, expr, typeof query === 'string' ? query : '', { start, end, step }, options);
  }

  private async parse(query: string | Expr): Promise<Expr> {
    return typeof query === 'string' ? parseExpr(query, { experimentalFunctions: this.experimentalFunctions }) : query;
  }

  private async execute(queryable: Queryable, expr: Expr, queryText: string, range: QueryRange, options: QueryOptions): Promise<QueryResult> {
    const deadline = performance.now() + (options.timeout ?? this.timeout);
    const release = await this.gate.acquire(options.signal, deadline);
    const queriers: { mint: number; maxt: number; querier: Querier }[] = [];
    try {
      const lookbackDelta = options.lookbackDelta ?? this.lookbackDelta;
      const bounds = selectorTimeBounds(expr, range.start, range.end, lookbackDelta);
      const evaluator = new Evaluator({
        querier: (mint, maxt) => {
          for (const open of queriers) if (open.mint <= mint && open.maxt >= maxt) return open.querier;
          // One querier over every selector's interval normally covers everything; a selector that
          // reaches outside (it should not) gets its own.
          const from = Math.min(mint, bounds.mint);
          const to = Math.max(maxt, bounds.maxt);
          const querier = queryable.querier(from, to);
          queriers.push({ mint: from, maxt: to, querier });
          return querier;
        },
        queryStart: range.start,
        queryEnd: range.end,
        queryStep: range.step,
        lookbackDelta,
        maxSamples: this.maxSamples,
        defaultEvaluationInterval: this.defaultEvaluationInterval,
        deadline,
        signal: options.signal,
        delayedNameRemoval: this.delayedNameRemoval,
        queryText,
      });
      const grid: StepGrid =
        range.step === 0
          ? { start: range.start, interval: 1, count: 1 }
          : { start: range.start, interval: range.step, count: Math.floor((range.end - range.start) / range.step) + 1 };
      let value = await evaluator.evaluate(expr, grid);
      evaluator.checkStopped();
      if (this.delayedNameRemoval) value = removePendingNames(value, range.step === 0);
      const result = range.step === 0 ? instantResult(evaluator, value, range.start, this.delayedNameRemoval) : rangeResult(value, grid);
      return { value: result, warnings: [...evaluator.annotations.warnings], infos: [...evaluator.annotations.infos] };
    } finally {
      for (const open of queriers) open.querier.close();
      release();
    }
  }
}

/**
 * The end of delayed name removal: names marked for dropping go now. Series that become equal merge
 * when their steps do not overlap (a range query); an instant vector must not hold equal label sets.
 */
function removePendingNames(value: Evaluated, instant: boolean): Evaluated {
  if (value.type !== 'vector') return value;
  const series: StepSeries[] = value.series.map((one) => (dropsName(one) ? { labels: dropMetricName(one.labels), values: one.values, present: one.present } : one));
  if (instant) {
    checkUniqueLabelsets(series.filter((one) => one.present[0] === 1));
    return { type: 'vector', series };
  }
  return { type: 'vector', series: mergeSameLabelsets(series) };
}

function sortByLabels(series: MatrixSeries[]): MatrixSeries[] {
  return series.sort((a, b) => compareLabels(a.labels, b.labels));
}

/**
 * A range vector's series after delayed name removal: marked names go, and series that became equal
 * are merged (their samples interleaved); two samples at one time is the same-labelset error.
 */
function removePendingNamesOfSamples(series: RangeSeries[]): RangeSeries[] {
  const byKey = new Map<string, RangeSeries[]>();
  for (const one of series) {
    const labels = dropsName(one) ? dropMetricName(one.labels) : one.labels;
    const key = labelsKey(labels);
    const group = byKey.get(key);
    const renamed = { labels, timestamps: one.timestamps, values: one.values, count: one.count };
    if (group === undefined) byKey.set(key, [renamed]);
    else group.push(renamed);
  }
  const out: RangeSeries[] = [];
  for (const group of byKey.values()) {
    if (group.length === 1) {
      out.push(group[0]);
      continue;
    }
    const points: [number, number][] = [];
    for (const one of group) for (let i = 0; i < one.count; i++) points.push([one.timestamps[i], one.values[i]]);
    points.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < points.length; i++) if (points[i][0] === points[i - 1][0]) throw sameLabelsetError();
    out.push({
      labels: group[0].labels,
      timestamps: Float64Array.from(points, (point) => point[0]),
      values: Float64Array.from(points, (point) => point[1]),
      count: points.length,
    });
  }
  return out;
}

function instantResult(evaluator: Evaluator, value: Evaluated, time: number, delayedNameRemoval: boolean): QueryValue {
  switch (value.type) {
    case 'scalar':
      return { type: 'scalar', timestamp: time, value: value.values[0] };
    case 'string':
      return { type: 'string', timestamp: time, value: value.value };
    case 'vector':
      return {
        type: 'vector',
        samples: value.series.filter((series) => series.present[0] === 1).map((series) => ({ labels: series.labels, timestamp: time, value: series.values[0] })),
      };
    case 'matrix': {
      const window = windowSamples(value, 0);
      const samples = delayedNameRemoval ? removePendingNamesOfSamples(window) : window;
      let total = 0;
      for (const series of samples) total += series.count;
      evaluator.trackOutput(total);
      return { type: 'matrix', series: sortByLabels(samples.map((series) => ({ labels: series.labels, timestamps: series.timestamps, values: series.values }))) };
    }
  }
}

function rangeResult(value: Evaluated, grid: StepGrid): QueryValue {
  if (value.type === 'scalar') {
    const timestamps = new Float64Array(grid.count);
    for (let i = 0; i < grid.count; i++) timestamps[i] = stepTime(grid, i);
    return { type: 'matrix', series: [{ labels: [], timestamps, values: value.values.slice() }] };
  }
  if (value.type !== 'vector') throw new QueryError('bad_data', `invalid expression type "${DOCUMENTED_TYPES[value.type]}" for range query, must be Scalar or instant Vector`);
  const out: MatrixSeries[] = [];
  for (const series of value.series) {
    const present = series.present;
    const count = countOnes(present);
    if (count === 0) continue;
    const timestamps = new Float64Array(count);
    const values = new Float64Array(count);
    // Stops at the last present step: a sparse series (a filter that kept a few steps) is not scanned to the end.
    for (let i = 0, k = 0; k < count && i < grid.count; i++) {
      if (present[i] !== 1) continue;
      timestamps[k] = stepTime(grid, i);
      values[k] = series.values[i];
      k++;
    }
    out.push({ labels: series.labels, timestamps, values });
  }
  return { type: 'matrix', series: sortByLabels(out) };
}
