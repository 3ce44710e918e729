import type { FunctionSignature, ValueType } from '../ast.ts';

/**
 * The functions of PromQL with their argument and return types, as Prometheus 3 declares them. The
 * parser checks calls against this table; the implementations live apart (../functions/). `variadic`
 * and `experimental` follow Prometheus's meaning (see FunctionSignature in ../ast.ts).
 */

type Row = [name: string, argTypes: ValueType[], variadic: number, returnType: ValueType, experimental: boolean];

const ROWS: Row[] = [
  ['abs', ['vector'], 0, 'vector', false],
  ['absent', ['vector'], 0, 'vector', false],
  ['absent_over_time', ['matrix'], 0, 'vector', false],
  ['acos', ['vector'], 0, 'vector', false],
  ['acosh', ['vector'], 0, 'vector', false],
  ['asin', ['vector'], 0, 'vector', false],
  ['asinh', ['vector'], 0, 'vector', false],
  ['atan', ['vector'], 0, 'vector', false],
  ['atanh', ['vector'], 0, 'vector', false],
  ['avg_over_time', ['matrix'], 0, 'vector', false],
  ['ceil', ['vector'], 0, 'vector', false],
  ['changes', ['matrix'], 0, 'vector', false],
  ['clamp', ['vector', 'scalar', 'scalar'], 0, 'vector', false],
  ['clamp_max', ['vector', 'scalar'], 0, 'vector', false],
  ['clamp_min', ['vector', 'scalar'], 0, 'vector', false],
  ['cos', ['vector'], 0, 'vector', false],
  ['cosh', ['vector'], 0, 'vector', false],
  ['count_over_time', ['matrix'], 0, 'vector', false],
  ['day_of_month', ['vector'], 1, 'vector', false],
  ['day_of_week', ['vector'], 1, 'vector', false],
  ['day_of_year', ['vector'], 1, 'vector', false],
  ['days_in_month', ['vector'], 1, 'vector', false],
  ['deg', ['vector'], 0, 'vector', false],
  ['delta', ['matrix'], 0, 'vector', false],
  ['deriv', ['matrix'], 0, 'vector', false],
  ['double_exponential_smoothing', ['matrix', 'scalar', 'scalar'], 0, 'vector', true],
  ['end', [], 0, 'scalar', true],
  ['exp', ['vector'], 0, 'vector', false],
  ['first_over_time', ['matrix'], 0, 'vector', false],
  ['floor', ['vector'], 0, 'vector', false],
  ['histogram_avg', ['vector'], 0, 'vector', false],
  ['histogram_count', ['vector'], 0, 'vector', false],
  ['histogram_fraction', ['scalar', 'scalar', 'vector'], 0, 'vector', false],
  ['histogram_quantile', ['scalar', 'vector'], 0, 'vector', false],
  ['histogram_quantiles', ['vector', 'string', 'scalar', 'scalar'], 9, 'vector', true],
  ['histogram_stddev', ['vector'], 0, 'vector', false],
  ['histogram_stdvar', ['vector'], 0, 'vector', false],
  ['histogram_sum', ['vector'], 0, 'vector', false],
  ['hour', ['vector'], 1, 'vector', false],
  ['idelta', ['matrix'], 0, 'vector', false],
  ['increase', ['matrix'], 0, 'vector', false],
  ['info', ['vector', 'vector'], 1, 'vector', true],
  ['irate', ['matrix'], 0, 'vector', false],
  ['label_join', ['vector', 'string', 'string', 'string'], -1, 'vector', false],
  ['label_replace', ['vector', 'string', 'string', 'string', 'string'], 0, 'vector', false],
  ['last_over_time', ['matrix'], 0, 'vector', false],
  ['ln', ['vector'], 0, 'vector', false],
  ['log10', ['vector'], 0, 'vector', false],
  ['log2', ['vector'], 0, 'vector', false],
  ['mad_over_time', ['matrix'], 0, 'vector', true],
  ['max_of', ['scalar', 'scalar'], 0, 'scalar', true],
  ['max_over_time', ['matrix'], 0, 'vector', false],
  ['min_of', ['scalar', 'scalar'], 0, 'scalar', true],
  ['min_over_time', ['matrix'], 0, 'vector', false],
  ['minute', ['vector'], 1, 'vector', false],
  ['month', ['vector'], 1, 'vector', false],
  ['pi', [], 0, 'scalar', false],
  ['predict_linear', ['matrix', 'scalar'], 0, 'vector', false],
  ['present_over_time', ['matrix'], 0, 'vector', false],
  ['quantile_over_time', ['scalar', 'matrix'], 0, 'vector', false],
  ['rad', ['vector'], 0, 'vector', false],
  ['range', [], 0, 'scalar', true],
  ['rate', ['matrix'], 0, 'vector', false],
  ['resets', ['matrix'], 0, 'vector', false],
  ['round', ['vector', 'scalar'], 1, 'vector', false],
  ['scalar', ['vector'], 0, 'scalar', false],
  ['sgn', ['vector'], 0, 'vector', false],
  ['sin', ['vector'], 0, 'vector', false],
  ['sinh', ['vector'], 0, 'vector', false],
  ['sort', ['vector'], 0, 'vector', false],
  ['sort_by_label', ['vector', 'string'], -1, 'vector', true],
  ['sort_by_label_desc', ['vector', 'string'], -1, 'vector', true],
  ['sort_desc', ['vector'], 0, 'vector', false],
  ['sqrt', ['vector'], 0, 'vector', false],
  ['start', [], 0, 'scalar', true],
  ['start_timestamp', ['vector'], 0, 'vector', true],
  ['stddev_over_time', ['matrix'], 0, 'vector', false],
  ['stdvar_over_time', ['matrix'], 0, 'vector', false],
  ['step', [], 0, 'scalar', true],
  ['sum_over_time', ['matrix'], 0, 'vector', false],
  ['tan', ['vector'], 0, 'vector', false],
  ['tanh', ['vector'], 0, 'vector', false],
  ['time', [], 0, 'scalar', false],
  ['timestamp', ['vector'], 0, 'vector', false],
  ['ts_of_first_over_time', ['matrix'], 0, 'vector', true],
  ['ts_of_last_over_time', ['matrix'], 0, 'vector', true],
  ['ts_of_max_over_time', ['matrix'], 0, 'vector', true],
  ['ts_of_min_over_time', ['matrix'], 0, 'vector', true],
  ['vector', ['scalar'], 0, 'vector', false],
  ['year', ['vector'], 1, 'vector', false],
  // Prometheus 2.x's name for double_exponential_smoothing. Dashboards written for 2.x still use it,
  // so Vigil accepts it as a stable spelling (Prometheus 3 dropped it).
  ['holt_winters', ['matrix', 'scalar', 'scalar'], 0, 'vector', false],
];

export const FUNCTION_SIGNATURES: ReadonlyMap<string, FunctionSignature> = new Map(
  ROWS.map(([name, argTypes, variadic, returnType, experimental]) => [
    name,
    Object.freeze({ name, argTypes: Object.freeze(argTypes) as ValueType[], variadic, returnType, experimental }),
  ]),
);

/** The signature of a function by its exact (case-sensitive) name, or undefined when PromQL has none. */
export function getFunction(name: string): FunctionSignature | undefined {
  return FUNCTION_SIGNATURES.get(name);
}

/**
 * Functions Prometheus has (behind feature flags) whose semantics Vigil does not implement at all:
 * the parser rejects them with "not supported yet" whatever the options say.
 */
export const UNSUPPORTED_FUNCTIONS: ReadonlySet<string> = new Set(['info']);

/**
 * Functions whose result depends on the evaluation time itself even when their arguments do not
 * (Prometheus's `AtModifierUnsafeFunctions`): an expression calling them is not step-invariant.
 */
export const TIME_DEPENDENT_FUNCTIONS: ReadonlySet<string> = new Set([
  'days_in_month',
  'day_of_month',
  'day_of_week',
  'day_of_year',
  'end',
  'hour',
  'minute',
  'month',
  'year',
  'predict_linear',
  'range',
  'start',
  'step',
  'time',
  'timestamp',
]);
