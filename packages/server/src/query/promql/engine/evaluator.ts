import { performance } from 'node:perf_hooks';
import type { Querier } from '../../../store/types.ts';
import type { Expr, PositionRange, VectorSelector } from '../ast.ts';
import { exprType } from '../ast.ts';
import type { StepGrid } from '../functions/types.ts';
import { Annotations, QueryError } from '../value.ts';
import { evaluateAggregation } from './aggregations.ts';
import { evaluateBinary } from './binary.ts';
import { evaluateCall } from './calls.ts';
import { evaluateMatrixSelector } from './range-windows.ts';
import { evaluateVectorSelector } from './selectors.ts';
import { isStepInvariant } from './step-invariant.ts';
import { evaluateSubquery } from './subqueries.ts';
import { broadcast, countPoints, dropMetricName, inheritNameDrop, markNameDrop, sameLabelsetError } from './values.ts';
import type { Evaluated, ScalarSteps, VectorSteps } from './values.ts';
import type { StepSeries } from '../functions/types.ts';
import { labelsKey } from '../../../model/index.ts';
import type { Labels } from '../../../model/index.ts';

/** Everything an evaluation needs that does not change from node to node. */
export interface EvaluationSettings {
  /** A querier covering [mint, maxt], opened on first use (a query without selectors never touches storage). */
  querier: (mint: number, maxt: number) => Querier;
  /** The query's start and end (what `@ start()` and `@ end()` mean), ms. */
  queryStart: number;
  queryEnd: number;
  /** The range query's step (0 for an instant query), for step(). */
  queryStep: number;
  lookbackDelta: number;
  maxSamples: number;
  /** Default resolution of subqueries written without a step, ms. */
  defaultEvaluationInterval: number;
  /** Absolute deadline on performance.now()'s clock. */
  deadline: number;
  signal: AbortSignal | undefined;
  /** Prometheus's `promql-delayed-name-removal`: names are dropped at the end of the query, not where they stop applying. */
  delayedNameRemoval: boolean;
  /** The query text, to point annotations at a line and column; '' when the query came as a syntax tree. */
  queryText: string;
}

/** How often (in work units) the evaluator looks at the clock, and how long it works before yielding. */
const CHECK_EVERY = 64;
const YIELD_AFTER_MS = 15;

/**
 * Evaluates a syntax tree over a step grid. One instance per query; the per-kind evaluation lives
 * in sibling modules (selectors, range windows, subqueries, binary operators, aggregations, calls)
 * and calls back into `evaluate` for child nodes.
 */
export class Evaluator {
  readonly annotations = new Annotations();
  /** Samples currently held by evaluated values, as Prometheus counts them against maxSamples. */
  currentSamples = 0;
  private workUnits = 0;
  /** Samples the node being evaluated has counted itself (see countProduced). */
  private producedHere = 0;
  private lastYield = performance.now();

  constructor(readonly settings: EvaluationSettings) {}

  async evaluate(expr: Expr, grid: StepGrid): Promise<Evaluated> {
    await this.checkpoint();
    const type = exprType(expr);
    if (grid.count > 1 && (type === 'vector' || type === 'scalar') && expr.type !== 'NumberLiteral' && isStepInvariant(expr)) {
      // Prometheus evaluates step-invariant parts (everything under `@`, constants) once, at the
      // first step, and repeats the result.
      const single = await this.evaluate(expr, { start: grid.start, interval: grid.interval, count: 1 });
      const repeated = broadcast(single, grid.count);
      this.trackOutput(countPoints(repeated) - countPoints(single));
      return repeated;
    }
    const before = this.currentSamples;
    const outerProduced = this.producedHere;
    this.producedHere = 0;
    const result = await this.dispatch(expr, grid);
    const alreadyCounted = this.producedHere;
    this.producedHere = outerProduced;
    const points = countPoints(result);
    // At its peak a node holds its children's values and its own.
    this.trackOutput(Math.max(0, points - alreadyCounted));
    // The children's values are released once this node's value exists.
    this.currentSamples = before + points;
    return result;
  }

  private async dispatch(expr: Expr, grid: StepGrid): Promise<Evaluated> {
    switch (expr.type) {
      case 'NumberLiteral':
        return { type: 'scalar', values: new Float64Array(grid.count).fill(expr.value) };
      case 'StringLiteral':
        return { type: 'string', value: expr.value };
      case 'ParenExpr':
        return this.evaluate(expr.expr, grid);
      case 'UnaryExpr':
        return this.evaluateUnary(expr.op, expr.expr, grid);
      case 'VectorSelector':
        return evaluateVectorSelector(this, expr, grid);
      case 'MatrixSelector':
        return evaluateMatrixSelector(this, expr, grid);
      case 'SubqueryExpr':
        return evaluateSubquery(this, expr, grid);
      case 'BinaryExpr':
        return evaluateBinary(this, expr, grid);
      case 'AggregateExpr':
        return evaluateAggregation(this, expr, grid);
      case 'Call':
        return evaluateCall(this, expr, grid);
    }
  }

  async evaluateScalar(expr: Expr, grid: StepGrid): Promise<ScalarSteps> {
    const value = await this.evaluate(expr, grid);
    if (value.type !== 'scalar') throw new QueryError('execution', `expected scalar, got ${value.type}`);
    return value;
  }

  async evaluateVector(expr: Expr, grid: StepGrid): Promise<VectorSteps> {
    const value = await this.evaluate(expr, grid);
    if (value.type !== 'vector') throw new QueryError('execution', `expected instant vector, got ${value.type}`);
    return value;
  }

  private async evaluateUnary(op: '-' | '+', operand: Expr, grid: StepGrid): Promise<Evaluated> {
    const value = await this.evaluate(operand, grid);
    if (op === '+') return value;
    if (value.type === 'scalar') {
      const values = new Float64Array(value.values.length);
      for (let i = 0; i < values.length; i++) values[i] = -value.values[i];
      return { type: 'scalar', values };
    }
    if (value.type !== 'vector') throw new QueryError('execution', `unary minus on ${value.type}`);
    const negated: StepSeries[] = [];
    for (const series of value.series) {
      const values = new Float64Array(series.values.length);
      for (let i = 0; i < values.length; i++) values[i] = -series.values[i];
      negated.push(this.nameDropped({ labels: series.labels, values, present: series.present }));
    }
    return { type: 'vector', series: this.settings.delayedNameRemoval ? negated : mergeSameLabelsets(negated) };
  }

  /** A series whose name goes: dropped now, or marked for the end with delayed name removal. */
  nameDropped<T extends { labels: Labels }>(series: T): T {
    if (this.settings.delayedNameRemoval) {
      markNameDrop(series);
      return series;
    }
    series.labels = dropMetricName(series.labels);
    return series;
  }

  /** The labels of an output that drops the name: without it now, or unchanged with delayed name removal (mark the output). */
  labelsDroppingName(labels: Labels): Labels {
    return this.settings.delayedNameRemoval ? labels : dropMetricName(labels);
  }

  /** `@ start()`/`@ end()`/`@ t` → the time, or null without `@`. */
  atTime(at: VectorSelector['at']): number | null {
    if (at === null) return null;
    if (at.kind === 'start') return this.settings.queryStart;
    if (at.kind === 'end') return this.settings.queryEnd;
    return at.time;
  }

  /**
   * Output samples a node counts while producing them (so a runaway query stops before it fills the
   * memory); `evaluate` then counts only the rest of the node's value.
   */
  countProduced(points: number): void {
    this.producedHere += points;
    this.trackOutput(points);
  }

  /** Counts samples a value brings into memory; fails as Prometheus does past maxSamples. */
  trackOutput(points: number): void {
    this.currentSamples += points;
    if (this.currentSamples > this.settings.maxSamples) {
      throw new QueryError('execution', 'query processing would load too many samples into memory in query execution');
    }
  }

  /**
   * Called between units of work (a series, a batch of steps). Every so often it checks the abort
   * signal and the deadline, and yields to the event loop so an abort from a disconnected client or
   * other requests get a turn.
   */
  async checkpoint(): Promise<void> {
    if (++this.workUnits % CHECK_EVERY !== 0) return;
    this.checkStopped();
    const now = performance.now();
    if (now - this.lastYield >= YIELD_AFTER_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.lastYield = performance.now();
      this.checkStopped();
    }
  }

  checkStopped(): void {
    if (this.settings.signal?.aborted === true) throw new QueryError('canceled', 'query was canceled in expression evaluation');
    if (performance.now() > this.settings.deadline) throw new QueryError('timeout', 'query timed out in expression evaluation');
  }

  /** Annotation text with Prometheus's ` (line:column)` suffix when the query text is known. */
  withPosition(message: string, position: PositionRange): string {
    const query = this.settings.queryText;
    if (query === '') return message;
    const start = position.start;
    if (start < 0 || start > query.length) return `${message} (invalid position)`;
    let line = 1;
    let lastBreak = -1;
    for (let i = 0; i < start; i++) {
      if (query.charCodeAt(i) === 10) {
        line++;
        lastBreak = i;
      }
    }
    return `${message} (${line}:${start - lastBreak})`;
  }

  warn(message: string, position: PositionRange): void {
    this.annotations.warn(this.withPosition(message, position));
  }

  info(message: string, position: PositionRange): void {
    this.annotations.info(this.withPosition(message, position));
  }
}

/**
 * After the name is dropped, series that differ only in their name are one series: Prometheus merges
 * them when their steps do not overlap and fails when two have a value at the same step.
 */
export function mergeSameLabelsets(series: StepSeries[]): StepSeries[] {
  if (series.length < 2) return series;
  const byKey = new Map<string, StepSeries>();
  const out: StepSeries[] = [];
  for (const one of series) {
    const key = labelsKey(one.labels);
    const existing = byKey.get(key);
    if (existing === undefined) {
      byKey.set(key, one);
      out.push(one);
      continue;
    }
    // Merge into a fresh copy so the inputs are not modified.
    const index = out.indexOf(existing);
    const target = { labels: existing.labels, values: Float64Array.from(existing.values), present: Uint8Array.from(existing.present) };
    inheritNameDrop(target, existing, one);
    for (let i = 0; i < one.present.length; i++) {
      if (one.present[i] !== 1) continue;
      if (target.present[i] === 1) throw sameLabelsetError();
      target.present[i] = 1;
      target.values[i] = one.values[i];
    }
    out[index] = target;
    byKey.set(key, target);
  }
  return out;
}
