import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labelsToRecord } from '../../../model/index.ts';
import { QueryError } from '../value.ts';
import type { QueryResult } from '../value.ts';
import { Engine } from './index.ts';
import { storageWith } from './testing.ts';
import type { TestValue } from './testing.ts';

/**
 * The engine end to end from query text (through the parser): each case is a query, a time and the
 * expected result, over a small data set sampled every minute from 0 to 10m.
 */

const MINUTE = 60_000;

function lines(result: QueryResult): string[] {
  const value = result.value;
  switch (value.type) {
    case 'scalar':
      return [`scalar ${value.value}`];
    case 'string':
      return [`string ${value.value}`];
    case 'vector':
      return value.samples.map((sample) => `${JSON.stringify(labelsToRecord(sample.labels))} ${sample.value}`).sort();
    case 'matrix':
      return value.series.map((series) => `${JSON.stringify(labelsToRecord(series.labels))} ${Array.from(series.timestamps, (t, i) => `${t / MINUTE}m:${series.values[i]}`).join(' ')}`);
  }
}

const ramp = (step: number, from = 0): TestValue[] => Array.from({ length: 11 }, (_unused, index) => from + index * step);

const storage = await storageWith([
  { labels: { __name__: 'http_requests_total', job: 'api', instance: '0' }, values: ramp(60) },
  { labels: { __name__: 'http_requests_total', job: 'api', instance: '1' }, values: ramp(120) },
  { labels: { __name__: 'http_requests_total', job: 'web', instance: '0' }, values: [0, 60, 120, 10, 70, 130, 190, 250, 310, 370, 430] },
  { labels: { __name__: 'temperature', room: 'a' }, values: ramp(1, 20) },
  { labels: { __name__: 'temperature', room: 'b' }, values: [15, null, null, null, null, null, null, 'stale', null, null, 18] },
  { labels: { __name__: 'capacity', job: 'api' }, values: ramp(0, 1000) },
  { labels: { __name__: 'capacity', job: 'web' }, values: ramp(0, 500) },
  { labels: { __name__: 'queue_depth', job: 'api' }, values: ramp(2) },
  { labels: { __name__: 'build_info', job: 'api', version: 'v1' }, values: ramp(0, 1) },
  { labels: { __name__: 'build_info', job: 'web', version: 'v2' }, values: ramp(0, 1) },
]);
const engine = new Engine();
const delayed = new Engine({ delayedNameRemoval: true });

describe('instant queries from text', () => {
  const cases: { query: string; time: number; expected: string[]; engine?: Engine }[] = [
    { query: 'temperature', time: 6 * MINUTE, expected: ['{"__name__":"temperature","room":"a"} 26'] },
    { query: 'temperature', time: 4 * MINUTE, expected: ['{"__name__":"temperature","room":"a"} 24', '{"__name__":"temperature","room":"b"} 15'] },
    { query: 'temperature{room="b"}', time: 10.5 * MINUTE, expected: ['{"__name__":"temperature","room":"b"} 18'] },
    { query: 'temperature{room="b"}', time: 7.5 * MINUTE, expected: [] },
    { query: 'temperature offset 3m', time: 5 * MINUTE, expected: ['{"__name__":"temperature","room":"a"} 22', '{"__name__":"temperature","room":"b"} 15'] },
    { query: 'temperature{room="a"} @ 120', time: 10 * MINUTE, expected: ['{"__name__":"temperature","room":"a"} 22'] },
    { query: 'temperature{room="a"} @ end() offset 1m', time: 10 * MINUTE, expected: ['{"__name__":"temperature","room":"a"} 29'] },
    { query: 'rate(http_requests_total[5m])', time: 10 * MINUTE, expected: ['{"instance":"0","job":"api"} 1', '{"instance":"0","job":"web"} 1', '{"instance":"1","job":"api"} 2'] },
    // (0m, 4m] holds 60 120 | 10 70: 130 with the reset compensated, extrapolated by 4/3 to the window start.
    { query: 'increase(http_requests_total{job="web"}[4m])', time: 4 * MINUTE, expected: ['{"instance":"0","job":"web"} 173.33333333333331'] },
    { query: 'sum by (job) (rate(http_requests_total[5m]))', time: 10 * MINUTE, expected: ['{"job":"api"} 3', '{"job":"web"} 1'] },
    { query: 'sum without (instance) (http_requests_total)', time: MINUTE, expected: ['{"job":"api"} 180', '{"job":"web"} 60'] },
    { query: 'topk(1, http_requests_total)', time: MINUTE, expected: ['{"__name__":"http_requests_total","instance":"1","job":"api"} 120'] },
    { query: 'count_values("v", capacity)', time: 0, expected: ['{"v":"1000"} 1', '{"v":"500"} 1'] },
    { query: 'quantile(0.5, temperature)', time: 0, expected: ['{} 17.5'] },
    { query: 'capacity / on(job) group_left(version) build_info', time: 0, expected: ['{"job":"api","version":"v1"} 1000', '{"job":"web","version":"v2"} 500'] },
    { query: 'sum by (job) (http_requests_total) / on(job) capacity', time: 10 * MINUTE, expected: ['{"job":"api"} 1.8', '{"job":"web"} 0.86'] },
    { query: 'http_requests_total > on(job) group_left capacity * 0 + 500', time: 10 * MINUTE, expected: ['{"__name__":"http_requests_total","instance":"0","job":"api"} 600', '{"__name__":"http_requests_total","instance":"1","job":"api"} 1200'] },
    { query: 'capacity > bool 600', time: 0, expected: ['{"job":"api"} 1', '{"job":"web"} 0'] },
    { query: 'capacity unless on(job) build_info{version="v1"}', time: 0, expected: ['{"__name__":"capacity","job":"web"} 500'] },
    { query: '2 ^ 3 ^ 2', time: 0, expected: ['scalar 512'] },
    { query: '-capacity{job="web"}', time: 0, expected: ['{"job":"web"} -500'] },
    { query: 'time()', time: 90_000, expected: ['scalar 90'] },
    { query: 'scalar(capacity{job="api"}) * 2', time: 0, expected: ['scalar 2000'] },
    { query: 'absent(nothing{job="x", env=~"p.*"})', time: 0, expected: ['{"job":"x"} 1'] },
    { query: 'timestamp(temperature{room="b"})', time: 4 * MINUTE, expected: ['{"room":"b"} 0'] },
    // Subquery steps at 2m, 4m, 6m (absolute multiples of 2m in (1m, 7m]).
    { query: 'count_over_time(temperature{room="a"}[6m:2m])', time: 7 * MINUTE, expected: ['{"room":"a"} 3'] },
    { query: 'max_over_time(rate(http_requests_total{job="web"}[2m])[6m:1m])', time: 6 * MINUTE, expected: ['{"instance":"0","job":"web"} 1'] },
    { query: 'label_replace(rate(http_requests_total{instance="0"}[5m]), "metric", "$1", "__name__", "(.*)")', time: 10 * MINUTE, engine: delayed, expected: ['{"instance":"0","job":"api","metric":"http_requests_total"} 1', '{"instance":"0","job":"web","metric":"http_requests_total"} 1'] },
    { query: '"text"', time: 0, expected: ['string text'] },
    { query: 'temperature{room="a"}[3m]', time: 3 * MINUTE, expected: ['{"__name__":"temperature","room":"a"} 1m:21 2m:22 3m:23'] },
  ];
  for (const testCase of cases) {
    it(`${testCase.query} at ${testCase.time / 1000}s`, async () => {
      assert.deepEqual(lines(await (testCase.engine ?? engine).instantQuery(storage, testCase.query, testCase.time)), testCase.expected);
    });
  }
});

describe('range queries from text', () => {
  const cases: { query: string; start: number; end: number; step: number; expected: string[] }[] = [
    // At 6m the 0m sample is out of the 5m lookback; 8m sees the stale marker of 7m.
    { query: 'temperature{room="b"}', start: 0, end: 10 * MINUTE, step: 2 * MINUTE, expected: ['{"__name__":"temperature","room":"b"} 0m:15 2m:15 4m:15 10m:18'] },
    // At 4m the window holds 10 70 just after a reset: extrapolation stops where the counter was zero.
    { query: 'rate(http_requests_total{job="web"}[2m])', start: 2 * MINUTE, end: 5 * MINUTE, step: MINUTE, expected: ['{"instance":"0","job":"web"} 2m:1 3m:0.16666666666666666 4m:0.5833333333333334 5m:1'] },
    { query: 'temperature{room="a"} @ start()', start: MINUTE, end: 3 * MINUTE, step: MINUTE, expected: ['{"__name__":"temperature","room":"a"} 1m:21 2m:21 3m:21'] },
    { query: '1 + 1', start: 0, end: 2 * MINUTE, step: MINUTE, expected: ['{} 0m:2 1m:2 2m:2'] },
    // Windows (1m,3m], (2m,4m], (3m,5m] hold the 2m-aligned subquery steps 2m; 4m; 4m.
    { query: 'count_over_time(temperature{room="a"}[2m:2m])', start: 3 * MINUTE, end: 5 * MINUTE, step: MINUTE, expected: ['{"room":"a"} 3m:1 4m:1 5m:1'] },
  ];
  for (const testCase of cases) {
    it(testCase.query, async () => {
      assert.deepEqual(lines(await engine.rangeQuery(storage, testCase.query, testCase.start, testCase.end, testCase.step)), testCase.expected);
    });
  }
});

describe('errors from text', () => {
  const cases: { query: string; kind: string; message: string | RegExp; range?: boolean }[] = [
    { query: 'http_requests_total + on(job) capacity', kind: 'execution', message: 'multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)' },
    {
      query: 'capacity + on(job) group_left http_requests_total',
      kind: 'execution',
      message: /^found duplicate series for the match group \{job="api"\} on the right hand-side of the operation: \[\{__name__="http_requests_total", instance="0", job="api"\}, \{__name__="http_requests_total", instance="1", job="api"\}\];many-to-many matching not allowed/,
    },
    { query: 'rate({__name__=~"capacity|queue_depth", job="api"}[5m])', kind: 'execution', message: 'vector cannot contain metrics with the same labelset' },
    { query: 'temperature[5m]', kind: 'bad_data', message: 'invalid expression type "range vector" for range query, must be Scalar or instant Vector', range: true },
    { query: 'sum(', kind: 'bad_data', message: /^1:5: parse error/ },
  ];
  for (const testCase of cases) {
    it(testCase.query, async () => {
      const pending = testCase.range ? engine.rangeQuery(storage, testCase.query, 0, MINUTE, MINUTE) : engine.instantQuery(storage, testCase.query, 10 * MINUTE);
      await assert.rejects(pending, (error: unknown) => {
        assert.ok(error instanceof QueryError);
        assert.equal(error.kind, testCase.kind);
        if (typeof testCase.message === 'string') assert.equal(error.message, testCase.message);
        else assert.match(error.message, testCase.message);
        return true;
      });
    });
  }

  it('annotations carry the position in the query', async () => {
    const result = await engine.instantQuery(storage, 'quantile(2, temperature)', 0);
    assert.deepEqual(result.warnings, ['PromQL warning: quantile value should be between 0 and 1, got 2 (1:10)']);
    const info = await engine.instantQuery(storage, 'sum(rate(temperature[5m]))', 5 * MINUTE);
    assert.deepEqual(info.infos, ['PromQL info: metric might not be a counter, name does not end in _total/_sum/_count/_bucket: "temperature" (1:10)']);
  });
});

describe('function annotations', () => {
  it('a bad φ points at the φ argument', async () => {
    const result = await engine.instantQuery(storage, 'quantile_over_time(1.5, temperature[5m])', 5 * MINUTE);
    assert.deepEqual(result.warnings, ['PromQL warning: quantile value should be between 0 and 1, got 1.5 (1:20)']);
  });
});

describe('aggregations over range functions', () => {
  it('fold the function output in as the general path does', async () => {
    for (const op of ['sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar']) {
      const streamed = await engine.rangeQuery(storage, `${op} by (job) (rate(http_requests_total[3m]))`, 0, 10 * MINUTE, MINUTE);
      const general = await engine.rangeQuery(storage, `${op} by (job) (rate(http_requests_total[3m]) * 1)`, 0, 10 * MINUTE, MINUTE);
      assert.deepEqual(lines(streamed), lines(general), op);
    }
  });

  it('still reject label sets made equal by dropping the name', async () => {
    await assert.rejects(engine.instantQuery(storage, 'sum(rate({__name__=~"capacity|queue_depth"}[5m]))', 10 * MINUTE), /vector cannot contain metrics with the same labelset/);
    assert.deepEqual(lines(await delayed.instantQuery(storage, 'sum(rate({__name__=~"capacity|queue_depth"}[5m]))', 10 * MINUTE)), ['{} 0.03333333333333333']);
    assert.deepEqual(lines(await delayed.instantQuery(storage, 'sum by (__name__) (rate(queue_depth[5m]))', 10 * MINUTE)), ['{} 0.03333333333333333']);
  });
});

describe('subquery limits', () => {
  it('a subquery grid longer than the sample limit fails cleanly', async () => {
    await assert.rejects(new Engine({ maxSamples: 1000 }).instantQuery(storage, 'max_over_time(temperature[1d:1s])', 0), /query processing would load too many samples into memory/);
  });
});

describe('range vectors in an instant query', () => {
  it('drop pending names at the end (delayed name removal)', async () => {
    assert.deepEqual(lines(await delayed.instantQuery(storage, 'rate(queue_depth[2m])[3m:1m]', 10 * MINUTE)), ['{"job":"api"} 8m:0.03333333333333333 9m:0.03333333333333333 10m:0.03333333333333333']);
    assert.deepEqual(lines(await engine.instantQuery(storage, 'rate(queue_depth[2m])[3m:1m]', 10 * MINUTE)), ['{"job":"api"} 8m:0.03333333333333333 9m:0.03333333333333333 10m:0.03333333333333333']);
  });
});
