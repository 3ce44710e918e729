/**
 * Template functions as Go sees them: a parameter list (so untyped constants convert and wrong
 * types fail with Go's messages) and an implementation that may be async. Throwing an Error is Go's
 * non-nil error result: execution stops with `error calling NAME: MESSAGE`.
 */

/**
 * - `value`: Go's reflect.Value parameter (builtins): receives the raw value, `undefined` included.
 * - `any`: interface{}; a missing value arrives as `null`.
 * - `string`, `int` (bigint), `float64` (number), `bool`: Go's basic types, checked.
 */
export type ParameterType = 'value' | 'any' | 'string' | 'int' | 'float64' | 'bool';

export interface TemplateFunction {
  readonly parameters: readonly ParameterType[];
  /** Type of the `...` parameter, when the function is variadic. */
  readonly variadic?: ParameterType;
  call(...args: unknown[]): unknown;
}

export type FunctionMap = Record<string, TemplateFunction>;

/** Declares a template function. */
export function templateFunction(parameters: readonly ParameterType[], call: (...args: never[]) => unknown, variadic?: ParameterType): TemplateFunction {
  return { parameters, variadic, call: call as (...args: unknown[]) => unknown };
}
