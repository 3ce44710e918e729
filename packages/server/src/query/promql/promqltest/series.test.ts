import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStaleNaN } from '../../../model/index.ts';
import { parseGoNumber, unquoteGoString } from './numbers.ts';
import { SeriesSyntaxError, parseSeriesDescription } from './series.ts';

/** Expanded values with `_` for skipped steps and `stale` for the marker, for readable tables. */
function expand(line: string): string[] {
  const { values, present } = parseSeriesDescription(line);
  const out: string[] = [];
  for (let i = 0; i < values.length; i++) out.push(present[i] === 0 ? '_' : isStaleNaN(values[i]) ? 'stale' : String(values[i]));
  return out;
}

const expansions: [string, string[]][] = [
  ['m 1 2 3', ['1', '2', '3']],
  ['m 1+2x3', ['1', '3', '5', '7']],
  ['m 10-1x2', ['10', '9', '8']],
  ['m -1-1x2', ['-1', '-2', '-3']],
  ['m 5x2', ['5', '5', '5']],
  ['m 0+0x0', ['0']],
  ['m 0x2', ['0', '0', '0']],
  ['m _ 1 _x2 2', ['_', '1', '_', '_', '2']],
  ['m stale 1', ['stale', '1']],
  ['m Inf -Inf NaN +Inf', ['Infinity', '-Infinity', 'NaN', 'Infinity']],
  ['m 1.5e3 .5 1_000', ['1500', '0.5', '1000']],
  ['m 010', ['8']],
  ['m 1+0.5x2', ['1', '1.5', '2']],
  ['m', []],
  ['m{a="b"}   1    2', ['1', '2']],
];

for (const [line, expected] of expansions) {
  test(`series values: ${line}`, () => {
    assert.deepEqual(expand(line), expected);
  });
}

const labelCases: [string, string[]][] = [
  ['metric 1', ['__name__', 'metric']],
  ['metric{} 1', ['__name__', 'metric']],
  ['{} 1', []],
  ['{a="1", b=\'2\', c=`3`,} 1', ['a', '1', 'b', '2', 'c', '3']],
  ['ns:metric:sum{z="x",a="y"} 1', ['__name__', 'ns:metric:sum', 'a', 'y', 'z', 'x']],
  ['{"weird.name", "label.x"="v"} 1', ['__name__', 'weird.name', 'label.x', 'v']],
  ['m{a="tab\\there", b="quote\\"q"} 1', ['__name__', 'm', 'a', 'tab\there', 'b', 'quote"q']],
  ['m{a=""} 1', ['__name__', 'm']],
  ['sum{by="x"} 1', ['__name__', 'sum', 'by', 'x']],
];

for (const [line, expected] of labelCases) {
  test(`series labels: ${line}`, () => {
    assert.deepEqual([...parseSeriesDescription(line).labels], expected);
  });
}

test('the stale marker keeps its bit pattern', () => {
  const { values } = parseSeriesDescription('m stale');
  assert.equal(isStaleNaN(values[0]), true);
  assert.equal(isStaleNaN(parseSeriesDescription('m NaN').values[0]), false);
});

const invalid = ['m 1x', 'm 1-2', 'm x3', 'm foo', 'm stalex2', 'm 1+x3', 'm{a=1} 1', 'm{a="1" 1', 'm 1m', '= 1', 'm 1+2x-3'];
for (const line of invalid) {
  test(`series syntax error: ${line}`, () => {
    assert.throws(() => parseSeriesDescription(line), SeriesSyntaxError);
  });
}

test('native histograms are left out and counted; the float values stay', () => {
  const mixed = parseSeriesDescription('m 1 {{schema:0 sum:1 count:1 buckets:[1]}} 2 {{}}x2 {{sum:1}}+{{sum:2}}x1 3');
  assert.equal(mixed.histograms, 6);
  assert.deepEqual(expand('m 1 {{schema:0 sum:1 count:1 buckets:[1]}} 2 {{}}x2 {{sum:1}}+{{sum:2}}x1 3'), ['1', '_', '2', '_', '_', '_', '_', '_', '3']);
  assert.equal(parseSeriesDescription('m 1 2').histograms, 0);
  assert.throws(() => parseSeriesDescription('m {{schema:0'), SeriesSyntaxError);
  assert.throws(() => parseSeriesDescription('m {{}}+{{}}'), SeriesSyntaxError);
});

const numbers: [string, number | null][] = [
  ['3', 3],
  ['-3.5', -3.5],
  ['0x1F', 31],
  ['017', 15],
  ['0o17', 15],
  ['0b101', 5],
  ['1e3', 1000],
  ['Inf', Infinity],
  ['-inf', -Infinity],
  ['+Infinity', Infinity],
  ['1_000', 1000],
  ['0x1p-2', 0.25],
  ['1__0', null],
  ['_1', null],
  ['', null],
  ['1 2', null],
  ['{} 1', null],
  ['abc', null],
];
for (const [text, expected] of numbers) {
  test(`Go number ${JSON.stringify(text)}`, () => {
    const value = parseGoNumber(text);
    if (expected !== null && Number.isNaN(expected)) assert.ok(value !== null && Number.isNaN(value));
    else assert.equal(value, expected);
  });
}

test('Go number NaN', () => {
  assert.ok(Number.isNaN(parseGoNumber('NaN') as number));
});

test('Go string unquoting', () => {
  assert.equal(unquoteGoString('"a\\nb"'), 'a\nb');
  assert.equal(unquoteGoString('`raw\\n`'), 'raw\\n');
  assert.equal(unquoteGoString('"\\u00e9\\x41\\101"'), 'éAA');
  assert.equal(unquoteGoString('"\\xc3\\xa9t\\303\\251"'), 'été');
  assert.equal(unquoteGoString("'x'"), 'x');
  assert.throws(() => unquoteGoString("'xy'"));
  assert.throws(() => unquoteGoString('"open'));
  assert.throws(() => unquoteGoString('"bad \\q"'));
  assert.equal(unquoteGoString("'xy'", true), 'xy');
});
