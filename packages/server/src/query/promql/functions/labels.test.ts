import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Labels } from '../../../model/labels.ts';
import { QueryError } from '../value.ts';
import { FUNCTIONS } from './index.ts';

function prepare(name: string, args: string[]): (labels: Labels) => Labels {
  const implementation = FUNCTIONS.get(name);
  assert.ok(implementation !== undefined && implementation.kind === 'labels');
  return implementation.prepare(args);
}

const series: Labels = ['__name__', 'testmetric', 'dst', 'original-destination-value', 'src', 'source-value-10'];

describe('label_replace', () => {
  // [dst, replacement, src, regex] → expected labels (several from Prometheus's testdata).
  const cases: Array<{ name: string; args: [string, string, string, string]; input?: Labels; expected: Labels }> = [
    {
      name: 'full-string match and replace',
      args: ['dst', 'destination-value-$1', 'src', 'source-value-(.*)'],
      expected: ['__name__', 'testmetric', 'dst', 'destination-value-10', 'src', 'source-value-10'],
    },
    { name: 'no substring match', args: ['dst', 'destination-value-$1', 'src', 'value-(.*)'], expected: series },
    {
      name: 'several groups',
      args: ['dst', '$1-value-$2', 'src', '(.*)-value-(.*)'],
      expected: ['__name__', 'testmetric', 'dst', 'source-value-10', 'src', 'source-value-10'],
    },
    { name: 'missing source label does not match', args: ['dst', 'value-$1', 'nonexistent-src', 'source-value-(.*)'], expected: series },
    {
      name: 'missing source label matched as empty',
      args: ['dst', 'value-$1', 'nonexistent-src', '(.*)'],
      expected: ['__name__', 'testmetric', 'dst', 'value-', 'src', 'source-value-10'],
    },
    { name: 'empty result removes the label', args: ['dst', '', 'dst', '.*'], expected: ['__name__', 'testmetric', 'src', 'source-value-10'] },
    {
      name: 'new label inserted in order',
      args: ['a', '$1', 'src', 'source-(.*)-10'],
      expected: ['__name__', 'testmetric', 'a', 'value', 'dst', 'original-destination-value', 'src', 'source-value-10'],
    },
    {
      name: 'named groups, braces, $$ and malformed references',
      args: ['dst', '${kind}x-$kind-$$-${1}-$-${2', 'src', '(?P<kind>[a-z]+)-value-(?<number>[0-9]+)'],
      expected: ['__name__', 'testmetric', 'dst', 'sourcex-source-$-source-$-${2', 'src', 'source-value-10'],
    },
    // Go's Expand takes the longest name: $1x is the (missing) group named "1x".
    { name: 'longest name wins', args: ['dst', '$1x|${1}x', 'src', '(.*)'], expected: ['__name__', 'testmetric', 'dst', '|source-value-10x', 'src', 'source-value-10'] },
    // A group number with a leading zero is a name, and no group has it.
    { name: 'leading zero', args: ['dst', '[$01]', 'src', '(.*)'], expected: ['__name__', 'testmetric', 'dst', '[]', 'src', 'source-value-10'] },
    { name: 'group beyond the last', args: ['dst', '[$5]', 'src', '(.*)'], expected: ['__name__', 'testmetric', 'dst', '[]', 'src', 'source-value-10'] },
    { name: 'optional group that did not take part', args: ['dst', '[$1]', 'src', '(x)?source-value-10'], expected: ['__name__', 'testmetric', 'dst', '[]', 'src', 'source-value-10'] },
    // The regex is anchored and `.` matches newlines (s flag).
    { name: 'dot matches newline', args: ['dst', 'yes', 'src', 'a.b'], input: ['src', 'a\nb'], expected: ['dst', 'yes', 'src', 'a\nb'] },
    { name: 'any UTF-8 destination name', args: ['ünïcödé.name', '$1', 'src', '(.*)'], input: ['src', 'v'], expected: ['src', 'v', 'ünïcödé.name', 'v'] },
    { name: 'can set the metric name', args: ['__name__', 'renamed', 'src', '.*'], input: ['__name__', 'old', 'src', 'v'], expected: ['__name__', 'renamed', 'src', 'v'] },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      assert.deepEqual(prepare('label_replace', testCase.args)(testCase.input ?? series), testCase.expected);
    });
  }

  const errors: Array<{ args: [string, string, string, string]; message: string }> = [
    { args: ['dst', 'value-$1', 'src', '(.*'], message: 'invalid regular expression in label_replace(): (.*' },
    { args: ['', '', 'src', '(.*)'], message: 'invalid destination label name in label_replace(): ' },
    { args: ['\udcff', '', 'src', '(.*)'], message: 'invalid destination label name in label_replace(): \udcff' },
  ];
  for (const testCase of errors) {
    it(`rejects ${JSON.stringify(testCase.args)}`, () => {
      assert.throws(
        () => prepare('label_replace', testCase.args),
        (error: unknown) => error instanceof QueryError && error.kind === 'execution' && error.message === testCase.message,
      );
    });
  }
});

describe('label_join', () => {
  const input: Labels = ['__name__', 'testmetric', 'dst', 'original', 'src', 'a', 'src1', 'b', 'src2', 'c'];
  const cases: Array<{ name: string; args: string[]; expected: Labels }> = [
    {
      name: 'joins in argument order',
      args: ['dst', '-', 'src', 'src1', 'src2'],
      expected: ['__name__', 'testmetric', 'dst', 'a-b-c', 'src', 'a', 'src1', 'b', 'src2', 'c'],
    },
    {
      name: 'missing labels join as empty',
      args: ['new', ',', 'src2', 'missing', 'src'],
      expected: ['__name__', 'testmetric', 'dst', 'original', 'new', 'c,,a', 'src', 'a', 'src1', 'b', 'src2', 'c'],
    },
    { name: 'no sources removes the label', args: ['dst', '-'], expected: ['__name__', 'testmetric', 'src', 'a', 'src1', 'b', 'src2', 'c'] },
    { name: 'all sources missing removes the label', args: ['dst', '', 'x', 'y'], expected: ['__name__', 'testmetric', 'src', 'a', 'src1', 'b', 'src2', 'c'] },
    {
      name: 'a label can be joined into itself',
      args: ['src', '', 'src', 'src'],
      expected: ['__name__', 'testmetric', 'dst', 'original', 'src', 'aa', 'src1', 'b', 'src2', 'c'],
    },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      assert.deepEqual(prepare('label_join', testCase.args)(input), testCase.expected);
    });
  }

  const errors: Array<{ args: string[]; message: string }> = [
    { args: ['', '-', 'src'], message: 'invalid destination label name in label_join(): ' },
    // Sources are checked before the destination.
    { args: ['', '-', ''], message: 'invalid source label name in label_join(): ' },
    { args: ['dst', '-', 'src', '\ud800'], message: 'invalid source label name in label_join(): \ud800' },
  ];
  for (const testCase of errors) {
    it(`rejects ${JSON.stringify(testCase.args)}`, () => {
      assert.throws(
        () => prepare('label_join', testCase.args),
        (error: unknown) => error instanceof QueryError && error.kind === 'execution' && error.message === testCase.message,
      );
    });
  }
});
