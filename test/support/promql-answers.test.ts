import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareAnswers, valuesEqual } from './promql-answers.ts';
import type { ApiAnswer } from './promql-answers.ts';

const vector = (...samples: [Record<string, string>, number, string][]): ApiAnswer => ({
  status: 'success',
  data: { resultType: 'vector', result: samples.map(([metric, t, v]) => ({ metric, value: [t, v] })) },
});
const matrix = (...series: [Record<string, string>, [number, string][]][]): ApiAnswer => ({
  status: 'success',
  data: { resultType: 'matrix', result: series.map(([metric, values]) => ({ metric, values })) },
});

describe('comparing query API answers', () => {
  const cases: [string, string, string, boolean][] = [
    ['same text', '1.5', '1.5', true],
    ['within 1e-6 relative', '1000000', '1000000.5', true],
    ['outside 1e-6 relative', '1000', '1000.01', false],
    ['NaN equals NaN', 'NaN', 'NaN', true],
    ['NaN differs from a number', 'NaN', '0', false],
    ['+Inf exactly', '+Inf', '+Inf', true],
    ['+Inf is not -Inf', '+Inf', '-Inf', false],
    ['+Inf is not a large number', '+Inf', '1e308', false],
    ['a near-zero result equals zero', '0', '1e-15', true],
    ['tiny values still compared relatively', '3e-6', '3.1e-6', false],
  ];
  for (const [name, a, b, equal] of cases) {
    it(`values: ${name}`, () => assert.equal(valuesEqual(a, b), equal));
  }

  it('vectors: same series in any order agree', () => {
    assert.equal(compareAnswers(vector([{ a: '1' }, 5, '1'], [{ a: '2' }, 5, '2']), vector([{ a: '2' }, 5, '2'], [{ a: '1' }, 5, '1'])), null);
  });

  it('vectors: order matters when asked', () => {
    assert.match(compareAnswers(vector([{ a: '1' }, 5, '1'], [{ a: '2' }, 5, '2']), vector([{ a: '2' }, 5, '2'], [{ a: '1' }, 5, '1']), true) ?? '', /order/);
  });

  it('vectors: a missing series, a wrong label, a wrong timestamp are reported', () => {
    assert.match(compareAnswers(vector([{ a: '1' }, 5, '1']), vector()) ?? '', /1 vs 0 samples/);
    assert.match(compareAnswers(vector([{ a: '1' }, 5, '1']), vector([{ a: '1', b: 'x' }, 5, '1'])) ?? '', /missing in Vigil/);
    assert.match(compareAnswers(vector([{ a: '1' }, 5, '1']), vector([{ a: '1' }, 6, '1'])) ?? '', /timestamp 5 vs 6/);
  });

  it('matrices: points compared one by one', () => {
    const expected = matrix([{ a: '1' }, [[1, '1'], [2, '2']]]);
    assert.equal(compareAnswers(expected, matrix([{ a: '1' }, [[1, '1'], [2, '2.0000000001']]])), null);
    assert.match(compareAnswers(expected, matrix([{ a: '1' }, [[1, '1']]])) ?? '', /2 vs 1 points; first missing in Vigil at 2/);
    assert.match(compareAnswers(expected, matrix([{ a: '1' }, [[1, '1'], [2, '3']]])) ?? '', /value at 2: 2 vs 3/);
    assert.match(compareAnswers(expected, matrix([{ a: '1' }, [[1, '1'], [2, '2']]], [{ a: '2' }, [[1, '1']]])) ?? '', /only in Vigil/);
  });

  it('errors compared by errorType; status and result type must match', () => {
    const badData: ApiAnswer = { status: 'error', errorType: 'bad_data', error: 'parse error: x' };
    assert.equal(compareAnswers(badData, { status: 'error', errorType: 'bad_data', error: 'other wording' }), null);
    assert.match(compareAnswers(badData, { status: 'error', errorType: 'execution', error: 'x' }) ?? '', /errorType/);
    assert.match(compareAnswers(badData, vector()) ?? '', /status error vs success/);
    assert.match(compareAnswers(vector(), matrix()) ?? '', /resultType vector vs matrix/);
    assert.match(compareAnswers({ status: 'success', data: { resultType: 'scalar', result: [1, '2'] } }, { status: 'success', data: { resultType: 'scalar', result: [1, '3'] } }) ?? '', /value/);
    assert.match(compareAnswers(vector(), { status: 'error', transportError: 'ECONNREFUSED' }) ?? '', /Vigil request failed/);
  });
});
