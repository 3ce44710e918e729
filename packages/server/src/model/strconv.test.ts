import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatFloat, goQuote, parseGoFloat } from './strconv.ts';

describe('Go number formatting', () => {
  const g: Array<[number, string]> = [
    [0, '0'], [-0, '-0'], [1, '1'], [-2, '-2'], [1.5, '1.5'], [0.1, '0.1'], [100000, '100000'], [123456, '123456'],
    [1e6, '1e+06'], [1234567, '1.234567e+06'], [0.0001, '0.0001'], [0.00001, '1e-05'], [1e21, '1e+21'], [1e-7, '1e-07'],
    [1e100, '1e+100'], [NaN, 'NaN'], [Infinity, '+Inf'], [-Infinity, '-Inf'],
  ];
  for (const [value, expected] of g) it(`%g of ${value} is ${expected}`, () => assert.equal(formatFloat(value, 'g', -1), expected));

  const g2: Array<[number, string]> = [
    [1, '1'], [10, '10'], [100, '1e+02'], [0.5, '0.5'], [12345, '1.2e+04'], [0.00001234, '1.2e-05'],
    // Exact ties round half to even: 1.25 is exact, 1.35 is slightly below 1.35.
    [1.25, '1.2'], [1.75, '1.8'], [1.35, '1.4'], [99.5, '1e+02'], [9.96, '10'], [0, '0'], [NaN, 'NaN'],
  ];
  for (const [value, expected] of g2) it(`%.2g of ${value} is ${expected}`, () => assert.equal(formatFloat(value, 'g', 2), expected));

  const f: Array<[number, string]> = [
    [1, '1.000000'], [-0.5, '-0.500000'], [0.0078125, '0.007812'], [0.0234375, '0.023438'], [1.0000005, '1.000001'],
    [1e21, '1000000000000000000000.000000'], [2.5e-7, '0.000000'], [NaN, 'NaN'], [Infinity, '+Inf'], [-Infinity, '-Inf'],
  ];
  for (const [value, expected] of f) it(`%f of ${value} is ${expected}`, () => assert.equal(formatFloat(value, 'f', 6), expected));

  const shortestF: Array<[number, string]> = [
    [1e21, '1000000000000000000000'], [1e-7, '0.0000001'], [-0.25, '-0.25'], [123456789012345680000, '123456789012345680000'],
  ];
  for (const [value, expected] of shortestF) it(`'f', -1 of ${value} is ${expected}`, () => assert.equal(formatFloat(value, 'f', -1), expected));

  it('quotes like strconv.Quote', () => {
    assert.equal(goQuote('plain'), '"plain"');
    assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
    assert.equal(goQuote('\n\t\x07\x01\x7f'), '"\\n\\t\\a\\x01\\x7f"');
    assert.equal(goQuote('é☃'), '"é☃"');
    assert.equal(goQuote('\u200b'), '"\\u200b"');
    // An invalid byte carried as a lone surrogate prints as the byte, as Go prints it.
    assert.equal(goQuote('a\udcc5z'), '"a\\xc5z"');
  });
});

describe('Go float parsing', () => {
  const cases: Array<[string, number | null]> = [
    ['1', 1], ['-1.5', -1.5], ['.5', 0.5], ['5.', 5], ['1e3', 1000], ['1E-2', 0.01], ['+Inf', Infinity], ['-inf', -Infinity],
    ['Infinity', Infinity], ['NaN', NaN], ['nan', NaN], ['1_000', 1000], ['0x1p-2', 0.25], ['0x_1p0', 1], ['0X1.8P1', 3],
    ['1e-400', 0], ['1e400', null], ['+nan', null], ['1__0', null], ['_1', null], ['1_', null], ['0x1', null], ['', null],
    ['Hello World', null], [' 1', null], ['1 ', null], ['infinit', null], ['0x', null],
  ];
  for (const [text, expected] of cases) {
    it(`ParseFloat(${JSON.stringify(text)})`, () => {
      const actual = parseGoFloat(text);
      if (expected !== null && Number.isNaN(expected)) assert.ok(actual !== null && Number.isNaN(actual));
      else assert.equal(actual, expected);
    });
  }
});
