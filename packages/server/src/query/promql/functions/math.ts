/**
 * Elementwise math functions of an instant vector. JavaScript's Math functions follow IEEE 754 as
 * Go's math package does for every special case (NaN, ±Inf, ±0, out-of-domain inputs → NaN).
 */

/** round(v, to_nearest): Prometheus multiplies by the inverse so that e.g. to_nearest=0.1 rounds cleanly. */
export function round(value: number, params: readonly number[]): number {
  const toNearest = params.length > 0 ? params[0] : 1;
  const inverse = 1 / toNearest;
  return Math.floor(value * inverse + 0.5) / inverse;
}

/** Sign: -1, 1, or the value itself for ±0 and NaN. */
export function sgn(value: number): number {
  if (value < 0) return -1;
  if (value > 0) return 1;
  return value;
}

/** Go's math.Max: +Inf wins over everything (even NaN), then NaN, and +0 is above -0. */
function goMax(a: number, b: number): number {
  if (a === Infinity || b === Infinity) return Infinity;
  if (a !== a || b !== b) return NaN;
  if (a === 0 && b === 0) return Object.is(a, -0) ? b : a;
  return a > b ? a : b;
}

/** Go's math.Min: -Inf wins over everything (even NaN), then NaN, and -0 is below +0. */
function goMin(a: number, b: number): number {
  if (a === -Infinity || b === -Infinity) return -Infinity;
  if (a !== a || b !== b) return NaN;
  if (a === 0 && b === 0) return Object.is(a, -0) ? a : b;
  return a < b ? a : b;
}

/** Go's math.Max(min, math.Min(max, v)), the exact expression Prometheus evaluates. */
export function clampValue(value: number, min: number, max: number): number {
  return goMax(min, goMin(max, value));
}

/**
 * clamp(v, min, max). When min > max Prometheus returns an empty vector for that step: the
 * implementation's `skipStep` says so to the engine, which then leaves the step empty. If called
 * anyway it returns NaN.
 */
export function clamp(value: number, params: readonly number[]): number {
  const min = params[0];
  const max = params[1];
  if (max < min) return NaN;
  return clampValue(value, min, max);
}

export function clampIsEmpty(params: readonly number[]): boolean {
  return params[1] < params[0];
}

export function clampMin(value: number, params: readonly number[]): number {
  return clampValue(value, params[0], Infinity);
}

export function clampMax(value: number, params: readonly number[]): number {
  return clampValue(value, -Infinity, params[0]);
}

export function degrees(value: number): number {
  return (value * 180) / Math.PI;
}

export function radians(value: number): number {
  return (value * Math.PI) / 180;
}
