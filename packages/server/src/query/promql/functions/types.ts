import type { Labels } from '../../../model/index.ts';
import type { PositionRange } from '../ast.ts';
import type { Annotations } from '../value.ts';

/**
 * The contract between the evaluator (engine/) and the function implementations (functions/).
 *
 * The engine evaluates a query per series across all of its steps, not step by step: an instant
 * vector is a list of StepSeries, each holding one value slot per step. An instant query is the
 * one-step case. Functions that the engine must treat specially (time, pi, scalar, vector,
 * timestamp, absent, absent_over_time, sort, sort_desc) live in the engine, not here.
 */

/** The steps of an evaluation: step i is at `start + i * interval` (ms). An instant query has count 1. */
export interface StepGrid {
  start: number;
  interval: number;
  count: number;
}

/** An instant vector's series over every step: `values[i]` is meaningful where `present[i] === 1`. */
export interface StepSeries {
  labels: Labels;
  values: Float64Array;
  present: Uint8Array;
}

/**
 * The samples of one series inside one step's range: indexes `first` (inclusive) to `end`
 * (exclusive) of `timestamps`/`values`, which hold the series' samples in time order (stale markers
 * already removed). The window covers the left-open interval (rangeStart, rangeEnd], offset and `@`
 * already applied.
 */
export interface RangeWindow {
  timestamps: Float64Array;
  values: Float64Array;
  first: number;
  end: number;
  rangeStart: number;
  rangeEnd: number;
  /**
   * The step's evaluation time before offset and `@` are applied (predict_linear puts its
   * intercept there, as Prometheus does). When absent, rangeEnd is used.
   */
  stepTime?: number;
}

export interface FunctionContext {
  annotations: Annotations;
  /** The `__name__` of the series being evaluated ('' when it has none), for annotations. */
  metricName: string;
  /** Position of the function's argument, for annotations. */
  position: PositionRange;
}

/**
 * A function of a range vector (rate, *_over_time, …). Called once per series and step with that
 * step's window. `params` are the function's scalar arguments evaluated at this step, in argument
 * order, without the range vector (quantile_over_time(φ, v) → [φ]; predict_linear(v, t) → [t]).
 * Returns the value, or undefined when the step has no output (e.g. rate over fewer than 2 samples).
 */
export type RangeFunction = (window: RangeWindow, params: readonly number[], context: FunctionContext) => number | undefined;

/** A function applied to each value of an instant vector (abs, clamp, round, hour, …). `time` is the step's time. */
export type ElementwiseFunction = (value: number, params: readonly number[], time: number) => number;

export type FunctionImplementation =
  /** Output drops `__name__` unless keepName (last_over_time, first_over_time keep it, as in Prometheus 3). */
  | { kind: 'range'; apply: RangeFunction; keepName?: boolean }
  /** Output drops `__name__`. Date functions receive the sample value as seconds since the epoch. */
  | {
      kind: 'elementwise';
      apply: ElementwiseFunction;
      /**
       * When present and true for a step's params, the function's output at that step is empty
       * (clamp with min > max returns an empty vector in Prometheus); apply is not called.
       */
      skipStep?: (params: readonly number[]) => boolean;
    }
  /**
   * label_replace, label_join: `prepare` receives the string arguments (the vector argument left out),
   * validates them once per query (throwing QueryError('execution', …) as Prometheus words it) and
   * returns the label transformation applied to every series. The engine checks the result for
   * duplicate label sets.
   */
  | { kind: 'labels'; prepare: (stringArgs: readonly string[]) => (labels: Labels) => Labels }
  /**
   * Functions that combine series (histogram_quantile): the whole input vector over all steps, the
   * scalar arguments as one value per step, in argument order without the vector.
   */
  | { kind: 'series'; apply: (input: readonly StepSeries[], params: readonly Float64Array[], grid: StepGrid, context: FunctionContext) => StepSeries[] };
