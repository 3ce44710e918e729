import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FUNCTIONS } from './index.ts';

function apply(name: string, value: number, params: number[] = []): number {
  const implementation = FUNCTIONS.get(name);
  assert.ok(implementation !== undefined && implementation.kind === 'elementwise', `${name} is elementwise`);
  return implementation.apply(value, params, 0);
}

function same(actual: number, expected: number): boolean {
  if (Number.isNaN(expected)) return Number.isNaN(actual);
  if (expected === 0 || !Number.isFinite(expected)) return Object.is(actual, expected);
  return Math.abs(actual - expected) <= 1e-15 * Math.abs(expected);
}

const cases: Array<[name: string, value: number, params: number[], expected: number]> = [
  ['abs', -2.5, [], 2.5],
  ['abs', -0, [], 0],
  ['abs', -Infinity, [], Infinity],
  ['ceil', 1.2, [], 2],
  ['ceil', -1.2, [], -1],
  ['floor', -1.2, [], -2],
  ['exp', 0, [], 1],
  ['exp', -Infinity, [], 0],
  ['exp', 1000, [], Infinity],
  ['sqrt', 16, [], 4],
  ['sqrt', -1, [], NaN],
  ['ln', Math.E, [], 1],
  ['ln', 0, [], -Infinity],
  ['ln', -1, [], NaN],
  ['log2', 1024, [], 10],
  ['log10', 1000, [], 3],
  ['log10', NaN, [], NaN],
  // Go's rounding: half up, via the inverse of to_nearest.
  ['round', 2.5, [], 3],
  ['round', -2.5, [], -2],
  ['round', 1.49, [], 1],
  ['round', 0.15, [0.1], 0.2],
  ['round', 17, [5], 15],
  ['round', 18, [5], 20],
  ['round', 5, [0], NaN],
  ['round', NaN, [], NaN],
  ['round', Infinity, [], Infinity],
  ['sgn', -3, [], -1],
  ['sgn', 3, [], 1],
  ['sgn', 0, [], 0],
  ['sgn', -0, [], -0],
  ['sgn', NaN, [], NaN],
  ['clamp', 5, [0, 3], 3],
  ['clamp', -5, [0, 3], 0],
  ['clamp', 2, [0, 3], 2],
  ['clamp', NaN, [0, 3], NaN],
  ['clamp', 2, [NaN, 3], NaN],
  // Go's math.Max(min, math.Min(max, v)): +Inf wins over NaN in Max.
  ['clamp', NaN, [-Infinity, Infinity], NaN],
  ['clamp_min', NaN, [Infinity], Infinity],
  ['clamp_max', NaN, [-Infinity], -Infinity],
  ['clamp_min', 1, [2], 2],
  ['clamp_min', 3, [2], 3],
  ['clamp_max', 1, [2], 1],
  ['clamp_max', 3, [2], 2],
  ['clamp_max', -0, [0], -0],
  ['deg', Math.PI, [], 180],
  ['rad', 180, [], Math.PI],
  ['deg', NaN, [], NaN],
  ['acos', 1, [], 0],
  ['acos', 2, [], NaN],
  ['acosh', 1, [], 0],
  ['acosh', 0.5, [], NaN],
  ['asin', 1, [], Math.PI / 2],
  ['asinh', 0, [], 0],
  ['atan', Infinity, [], Math.PI / 2],
  ['atanh', 1, [], Infinity],
  ['atanh', 2, [], NaN],
  ['cos', 0, [], 1],
  ['cosh', 0, [], 1],
  ['sin', 0, [], 0],
  ['sin', Infinity, [], NaN],
  ['sinh', 0, [], 0],
  ['tan', 0, [], 0],
  ['tanh', Infinity, [], 1],
];

describe('elementwise math', () => {
  for (const [name, value, params, expected] of cases) {
    it(`${name}(${value}${params.length > 0 ? `, ${params.join(', ')}` : ''}) = ${expected}`, () => {
      const actual = apply(name, value, params);
      assert.ok(same(actual, expected), `expected ${expected}, got ${actual}`);
    });
  }

  it('clamp with min > max leaves the step empty', () => {
    const implementation = FUNCTIONS.get('clamp');
    assert.ok(implementation !== undefined && implementation.kind === 'elementwise' && implementation.skipStep !== undefined);
    assert.equal(implementation.skipStep([3, 0]), true);
    assert.equal(implementation.skipStep([0, 3]), false);
    assert.equal(implementation.skipStep([1, 1]), false);
    assert.equal(implementation.skipStep([NaN, 0]), false);
    assert.ok(Number.isNaN(implementation.apply(1, [3, 0], 0)));
  });
});
