import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { MemoryStorage } from '../store/index.ts';
import type { Storage } from '../store/index.ts';
import { ParseError, QueryError } from '../query/promql/value.ts';
import type { QueryResult } from '../query/promql/value.ts';
import { mountQueryApi } from './query-api.ts';
import type { QueryEngine, QueryRequestOptions } from './query-api.ts';

/** Records what the HTTP layer asked for and answers with a prepared result (or error). */
class RecordingEngine implements QueryEngine {
  calls: { kind: 'instant' | 'range'; query: string; time?: number; start?: number; end?: number; step?: number; options?: QueryRequestOptions }[] = [];
  constructor(private readonly answer: () => Promise<QueryResult>) {}
  instantQuery(_queryable: Storage, query: string, time: number, options?: QueryRequestOptions): Promise<QueryResult> {
    this.calls.push({ kind: 'instant', query, time, options });
    return this.answer();
  }
  rangeQuery(_queryable: Storage, query: string, start: number, end: number, step: number, options?: QueryRequestOptions): Promise<QueryResult> {
    this.calls.push({ kind: 'range', query, start, end, step, options });
    return this.answer();
  }
}

const vector: QueryResult = {
  value: {
    type: 'vector',
    samples: [
      { labels: ['__name__', 'up', 'job', 'a<b>&c'], timestamp: 1435781451781, value: 1 },
      { labels: ['__name__', 'up', 'job', 'b'], timestamp: 1435781451781, value: 0.1 },
    ],
  },
  warnings: [],
  infos: [],
};

function setup(answer: () => Promise<QueryResult> = async () => vector) {
  const engine = new RecordingEngine(answer);
  const app = new Hono();
  mountQueryApi(app, { storage: new MemoryStorage(), engine, now: () => 1_700_000_000_123 });
  return { app, engine };
}

async function call(app: Hono, path: string, init?: RequestInit): Promise<{ status: number; text: string; body: any }> {
  const response = await app.request(path, init);
  const text = await response.text();
  return { status: response.status, text, body: text === '' ? null : JSON.parse(text) };
}

describe('/api/v1/query', () => {
  test('answers a vector byte for byte as Prometheus does', async () => {
    const { app, engine } = setup();
    const { status, text } = await call(app, '/api/v1/query?query=up&time=1435781451.781');
    assert.equal(status, 200);
    assert.equal(
      text,
      '{"status":"success","data":{"resultType":"vector","result":[' +
        '{"metric":{"__name__":"up","job":"a\\u003cb\\u003e\\u0026c"},"value":[1435781451.781,"1"]},' +
        '{"metric":{"__name__":"up","job":"b"},"value":[1435781451.781,"0.1"]}]}}',
    );
    assert.equal(engine.calls[0].query, 'up');
    assert.equal(engine.calls[0].time, 1435781451781);
    assert.equal(engine.calls[0].options?.timeout, undefined);
  });

  test('strings are escaped as Go escapes them', async () => {
    const { app } = setup(async () => ({
      value: { type: 'vector', samples: [{ labels: ['a', 'back\bspace\fform\\b\u2028<'], timestamp: 0, value: 1 }] },
      warnings: [],
      infos: [],
    }));
    assert.equal(
      (await call(app, '/api/v1/query?query=x')).text,
      '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"back\\u0008space\\u000cform\\\\b\\u2028\\u003c"},"value":[0,"1"]}]}}',
    );
  });

  test('time defaults to now; RFC 3339 times, timeout and lookback_delta are passed on', async () => {
    const { app, engine } = setup();
    await call(app, '/api/v1/query?query=up');
    assert.equal(engine.calls[0].time, 1_700_000_000_123);
    await call(app, '/api/v1/query?query=up&time=2015-07-01T20:10:51.781Z&timeout=5s&lookback_delta=1m');
    assert.equal(engine.calls[1].time, 1435781451781);
    assert.equal(engine.calls[1].options?.timeout, 5000);
    assert.equal(engine.calls[1].options?.lookbackDelta, 60000);
    await call(app, '/api/v1/query?query=up&timeout=0.5&lookback_delta=0');
    assert.equal(engine.calls[2].options?.timeout, 500);
    assert.equal(engine.calls[2].options?.lookbackDelta, undefined);
    assert.ok(engine.calls[2].options?.signal instanceof AbortSignal);
  });

  test('float times are rounded to the millisecond half away from zero, as Go does', async () => {
    const { app, engine } = setup();
    // 62.5 ms exactly (a binary fraction), so the rounding rule decides.
    for (const time of ['0.0625', '-0.0625', '1e3', '.25']) await call(app, `/api/v1/query?query=up&time=${time}`);
    assert.deepEqual(
      engine.calls.map((c) => c.time),
      [63, -63, 1_000_000, 250],
    );
  });

  test('stats: "true" and "all" are answered with a warning that statistics are not supported yet; other values get Prometheus\'s deprecation warning', async () => {
    const { app } = setup();
    assert.deepEqual((await call(app, '/api/v1/query?query=up&stats=all')).body.warnings, ['query statistics (stats) are not supported by Vigil yet']);
    assert.equal((await call(app, '/api/v1/query?query=up')).body.warnings, undefined);
    assert.deepEqual((await call(app, '/api/v1/query?query=up&stats=1')).body.warnings, ['value "1" for parameter "stats" is deprecated and will be rejected in the next major release, use "true" or "all"']);
  });

  test('POST form bodies are read, and win over the query string', async () => {
    const { app, engine } = setup();
    const { status } = await call(app, '/api/v1/query?query=ignored', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'query=sum(rate(x%5B5m%5D))&time=10',
    });
    assert.equal(status, 200);
    assert.equal(engine.calls[0].query, 'sum(rate(x[5m]))');
    assert.equal(engine.calls[0].time, 10_000);
  });

  test('limit truncates a vector with a warning', async () => {
    const { app } = setup();
    const { body } = await call(app, '/api/v1/query?query=up&limit=1');
    assert.equal(body.data.result.length, 1);
    assert.deepEqual(body.warnings, ['results truncated due to limit']);
    const all = await call(app, '/api/v1/query?query=up&limit=2');
    assert.equal(all.body.data.result.length, 2);
    assert.equal(all.body.warnings, undefined);
  });

  test('scalars, strings, special values, warnings and infos', async () => {
    let next: QueryResult = { value: { type: 'scalar', timestamp: 1500, value: 1e-7 }, warnings: [], infos: [] };
    const { app } = setup(async () => next);
    assert.equal((await call(app, '/api/v1/query?query=1e-7&time=1.5')).text, '{"status":"success","data":{"resultType":"scalar","result":[1.5,"0.0000001"]}}');
    next = { value: { type: 'string', timestamp: 2000, value: 'a"b' }, warnings: [], infos: [] };
    assert.equal((await call(app, '/api/v1/query?query=x')).text, '{"status":"success","data":{"resultType":"string","result":[2,"a\\"b"]}}');
    next = {
      value: { type: 'vector', samples: [{ labels: [], timestamp: -1500, value: NaN }, { labels: ['a', 'b'], timestamp: 5, value: -Infinity }, { labels: [], timestamp: 1000, value: 2.5e21 }] },
      warnings: ['PromQL warning: w'],
      infos: ['PromQL info: i'],
    };
    assert.equal(
      (await call(app, '/api/v1/query?query=x')).text,
      '{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[-1.500,"NaN"]},{"metric":{"a":"b"},"value":[0.005,"-Inf"]},{"metric":{},"value":[1,"2.5e+21"]}]},"warnings":["PromQL warning: w"],"infos":["PromQL info: i"]}',
    );
    next = { value: { type: 'vector', samples: [] }, warnings: Array.from({ length: 12 }, (_, i) => `PromQL warning: ${i}`), infos: [] };
    const many = await call(app, '/api/v1/query?query=x');
    assert.equal(many.body.warnings.length, 11);
    assert.equal(many.body.warnings[10], '2 more warning annotations omitted');
  });

  const errors: { name: string; path: string; status: number; errorType: string; error: string }[] = [
    { name: 'bad time', path: '/api/v1/query?query=up&time=abc', status: 400, errorType: 'bad_data', error: `invalid parameter "time": invalid time value for 'time': cannot parse "abc" to a valid timestamp` },
    { name: 'bad timeout', path: '/api/v1/query?query=up&timeout=1x', status: 400, errorType: 'bad_data', error: 'invalid parameter "timeout": cannot parse "1x" to a valid duration' },
    { name: 'bad lookback', path: '/api/v1/query?query=up&lookback_delta=x', status: 400, errorType: 'bad_data', error: 'error parsing lookback delta duration: cannot parse "x" to a valid duration' },
    { name: 'bad limit', path: '/api/v1/query?query=up&limit=x', status: 400, errorType: 'bad_data', error: 'invalid parameter "limit": strconv.Atoi: parsing "x": invalid syntax' },
    { name: 'negative limit', path: '/api/v1/query?query=up&limit=-1', status: 400, errorType: 'bad_data', error: 'invalid parameter "limit": limit must be non-negative' },
  ];
  for (const c of errors) {
    test(`error: ${c.name}`, async () => {
      const { app, engine } = setup();
      const { status, body } = await call(app, c.path);
      assert.equal(status, c.status);
      assert.deepEqual(body, { status: 'error', errorType: c.errorType, error: c.error });
      assert.equal(engine.calls.length, 0);
    });
  }

  const engineErrors: { name: string; error: Error; status: number; errorType: string; message: string }[] = [
    { name: 'parse error', error: new ParseError('unexpected end of input', { start: 3, end: 3 }, 1, 4), status: 400, errorType: 'bad_data', message: 'invalid parameter "query": 1:4: parse error: unexpected end of input' },
    { name: 'execution', error: new QueryError('execution', 'found duplicate series for the match group'), status: 422, errorType: 'execution', message: 'found duplicate series for the match group' },
    { name: 'timeout', error: new QueryError('timeout', 'query timed out in expression evaluation'), status: 503, errorType: 'timeout', message: 'query timed out in expression evaluation' },
    { name: 'canceled', error: new QueryError('canceled', 'query was canceled in expression evaluation'), status: 499, errorType: 'canceled', message: 'query was canceled in expression evaluation' },
    { name: 'anything else', error: new Error('disk on fire'), status: 500, errorType: 'internal', message: 'disk on fire' },
  ];
  for (const c of engineErrors) {
    test(`engine error: ${c.name}`, async () => {
      const { app } = setup(async () => {
        throw c.error;
      });
      const { status, text } = await call(app, '/api/v1/query?query=x');
      assert.equal(status, c.status);
      assert.equal(text, JSON.stringify({ status: 'error', errorType: c.errorType, error: c.message }));
    });
  }
});

describe('/api/v1/query_range', () => {
  test('answers a matrix and passes start, end and step in ms', async () => {
    const { app, engine } = setup(async () => ({
      value: {
        type: 'matrix',
        series: [
          { labels: ['__name__', 'up', 'job', 'a'], timestamps: Float64Array.of(0, 15000, 30000), values: Float64Array.of(1, 1, 0) },
          { labels: ['job', 'b'], timestamps: new Float64Array(0), values: new Float64Array(0) },
        ],
      },
      warnings: [],
      infos: [],
    }));
    const { status, text } = await call(app, '/api/v1/query_range?query=up&start=0&end=30&step=15s');
    assert.equal(status, 200);
    assert.equal(
      text,
      '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","job":"a"},"values":[[0,"1"],[15,"1"],[30,"0"]]},{"metric":{"job":"b"}}]}}',
    );
    assert.deepEqual([engine.calls[0].start, engine.calls[0].end, engine.calls[0].step], [0, 30000, 15000]);
    await call(app, '/api/v1/query_range?query=up&start=2015-07-01T20:10:30.781Z&end=2015-07-01T20:11:00.781Z&step=0.5');
    assert.deepEqual([engine.calls[1].start, engine.calls[1].end, engine.calls[1].step], [1435781430781, 1435781460781, 500]);
  });

  const errors: { name: string; query: string; error: string }[] = [
    { name: 'missing start', query: 'end=10&step=1', error: 'invalid parameter "start": cannot parse "" to a valid timestamp' },
    { name: 'bad start', query: 'start=x&end=10&step=1', error: 'invalid parameter "start": cannot parse "x" to a valid timestamp' },
    { name: 'bad end', query: 'start=1&end=2015-13&step=1', error: 'invalid parameter "end": cannot parse "2015-13" to a valid timestamp' },
    { name: 'end before start', query: 'start=10&end=9&step=1', error: 'invalid parameter "end": end timestamp must not be before start time' },
    { name: 'missing step', query: 'start=1&end=10', error: 'invalid parameter "step": cannot parse "" to a valid duration' },
    { name: 'bad step', query: 'start=1&end=10&step=1y1y', error: 'invalid parameter "step": cannot parse "1y1y" to a valid duration' },
    { name: 'zero step', query: 'start=1&end=10&step=0', error: 'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer' },
    { name: 'negative step', query: 'start=1&end=10&step=-5', error: 'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer' },
    { name: 'too many points', query: 'start=0&end=11001&step=1', error: 'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)' },
    { name: 'bad timeout', query: 'start=0&end=1&step=1&timeout=x', error: 'invalid parameter "timeout": cannot parse "x" to a valid duration' },
  ];
  for (const c of errors) {
    test(`error: ${c.name}`, async () => {
      const { app, engine } = setup();
      const { status, body } = await call(app, `/api/v1/query_range?query=up&${c.query}`);
      assert.equal(status, 400);
      assert.deepEqual(body, { status: 'error', errorType: 'bad_data', error: c.error });
      assert.equal(engine.calls.length, 0);
    });
  }

  test('exactly 11,000 points per series are allowed', async () => {
    const { app, engine } = setup();
    const { status } = await call(app, '/api/v1/query_range?query=up&start=0&end=11000&step=1');
    assert.equal(status, 200);
    assert.equal(engine.calls.length, 1);
  });
});
