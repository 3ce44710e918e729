import { test } from 'node:test';
import assert from 'node:assert/strict';
import { floatParseOk, formatOpenMetricsFloat, parseGoFloat } from './float.ts';
import { SCRAPE_ACCEPT_HEADER, formatFromContentType } from './content-type.ts';

function parse(s: string): number | 'invalid' {
  const v = parseGoFloat(s, 0, s.length);
  return floatParseOk() ? v : 'invalid';
}

test('parseGoFloat accepts what Go ParseFloat accepts (minus hex and underscores)', () => {
  const cases: Array<[string, number]> = [
    ['0', 0],
    ['-0', -0],
    ['+0', 0],
    ['1', 1],
    ['+1', 1],
    ['-1', -1],
    ['007', 7],
    ['1.', 1],
    ['.5', 0.5],
    ['-.5', -0.5],
    ['1.5e3', 1500],
    ['1.5E+3', 1500],
    ['15e-1', 1.5],
    ['4.9351e-05', 4.9351e-5],
    ['7.424100000000001e-05', 7.424100000000001e-5],
    ['1e22', 1e22],
    ['1e23', 1e23],
    ['1e-400', 0],
    ['0e99999999', 0],
    ['123456789012345678901234567890', 1.2345678901234568e29],
    ['0.000000000000000000000000000001', 1e-30],
    ['9007199254740993', 9007199254740992],
    ['1000000000000000000000', 1e21],
    ['2.2250738585072014e-308', 2.2250738585072014e-308],
    ['4.9e-324', 5e-324],
    ['1.7976931348623157e308', 1.7976931348623157e308],
    ['Inf', Infinity],
    ['inf', Infinity],
    ['+Inf', Infinity],
    ['-Inf', -Infinity],
    ['INF', Infinity],
    ['infinity', Infinity],
    ['-Infinity', -Infinity],
    ['NaN', NaN],
    ['nan', NaN],
    ['nAn', NaN],
  ];
  for (const [input, want] of cases) assert.equal(Object.is(parse(input), want), true, `${input} → ${parse(input)}, want ${want}`);
});

test('parseGoFloat rejects malformed and overflowing input', () => {
  for (const input of [
    '',
    '+',
    '-',
    '.',
    '-.',
    'e5',
    '1e',
    '1e+',
    '1e-',
    '1.2.3',
    '1..2',
    '--1',
    '+-1',
    '1_000',
    '0x1p-3',
    '0x1P-3',
    '0x10',
    '0X1',
    '0b1',
    '0o1',
    '+NaN',
    '-nan',
    'nann',
    'infinit',
    'infin',
    'Infinityy',
    'i',
    'true',
    '1 ',
    ' 1',
    '1\r',
    '1\t2',
    '1e400',
    '-1e400',
    `1${'0'.repeat(309)}`,
  ]) {
    assert.equal(parse(input), 'invalid', JSON.stringify(input));
  }
});

test('parseGoFloat parses a slice of a larger string', () => {
  const s = 'foo 12.5 bar';
  assert.equal(parseGoFloat(s, 4, 8), 12.5);
  assert.equal(floatParseOk(), true);
});

test('parseGoFloat agrees with Number() on random decimal strings', () => {
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  for (let i = 0; i < 20000; i++) {
    let s = rand(3) === 0 ? '-' : '';
    const intDigits = rand(20);
    for (let k = 0; k < intDigits; k++) s += String(rand(10));
    if (intDigits === 0 || rand(2) === 0) {
      s += '.';
      const frac = rand(20) + (intDigits === 0 ? 1 : 0);
      for (let k = 0; k < frac; k++) s += String(rand(10));
    }
    if (rand(2) === 0) s += `e${rand(2) === 0 ? '-' : ''}${rand(40)}`;
    const want = Number(s);
    assert.equal(Object.is(parse(s), want), true, `${s}: got ${parse(s)}, want ${want}`);
  }
});

test('formatOpenMetricsFloat matches Go %g shortest formatting with .0 suffix', () => {
  const cases: Array<[number, string]> = [
    [1, '1.0'],
    [0, '0.0'],
    [-0, '0.0'],
    [-1, '-1.0'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [0.005, '0.005'],
    [0.25, '0.25'],
    [2.5, '2.5'],
    [10, '10.0'],
    [100000, '100000.0'],
    [999999, '999999.0'],
    [1000000, '1e+06'],
    [2500000, '2.5e+06'],
    [1e21, '1e+21'],
    [1e100, '1e+100'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [-1234.5, '-1234.5'],
    [123456.789, '123456.789'],
    [1234567.8, '1.2345678e+06'],
  ];
  for (const [input, want] of cases) assert.equal(formatOpenMetricsFloat(input), want, String(input));
});

test('formatFromContentType picks openmetrics only for application/openmetrics-text', () => {
  assert.equal(formatFromContentType('application/openmetrics-text; version=1.0.0; charset=utf-8'), 'openmetrics');
  assert.equal(formatFromContentType('application/openmetrics-text'), 'openmetrics');
  assert.equal(formatFromContentType(' Application/OpenMetrics-Text ;version=0.0.1'), 'openmetrics');
  assert.equal(formatFromContentType('text/plain; version=0.0.4; charset=utf-8'), 'text');
  assert.equal(formatFromContentType('application/json'), 'text');
  assert.equal(formatFromContentType(''), 'text');
  assert.equal(formatFromContentType(null), 'text');
  assert.equal(formatFromContentType(undefined), 'text');
});

test('SCRAPE_ACCEPT_HEADER prefers OpenMetrics and falls back to text 0.0.4', () => {
  const parts = SCRAPE_ACCEPT_HEADER.split(',');
  assert.match(parts[0], /^application\/openmetrics-text;version=1\.0\.0;/);
  assert.ok(parts.some((p) => p.startsWith('text/plain;version=0.0.4;q=')));
  assert.equal(parts[parts.length - 1], '*/*;q=0.2');
});
