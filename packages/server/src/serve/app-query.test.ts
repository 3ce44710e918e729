/**
 * The query endpoints end to end in-process: Hono app → real PromQL engine and parser → MemoryStorage
 * with known data. Shapes are compared byte for byte with what Prometheus sends.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { MemoryStorage } from '../store/index.ts';
import { Engine } from '../query/promql/engine/index.ts';
import type { EngineOptions } from '../query/promql/engine/index.ts';
import type { LabelMatcher } from '../model/index.ts';
import { createApp } from './app.ts';
import type { ServerContext } from './app.ts';

async function storageWith(series: number, points: number, stepMs: number): Promise<MemoryStorage> {
  const storage = new MemoryStorage();
  const appender = storage.appender();
  const sample = { kind: 'float' as const, timestamp: 0, value: 0 };
  for (let s = 0; s < series; s++) {
    const labels = ['__name__', 'load', 'i', String(s).padStart(5, '0')];
    for (let p = 0; p < points; p++) {
      sample.timestamp = p * stepMs;
      sample.value = p;
      appender.append(0, labels, sample);
    }
  }
  await appender.commit();
  return storage;
}

async function smallStorage(): Promise<MemoryStorage> {
  const storage = new MemoryStorage();
  const appender = storage.appender();
  const sample = { kind: 'float' as const, timestamp: 0, value: 0 };
  for (let t = 0; t <= 60_000; t += 15_000) {
    sample.timestamp = t;
    sample.value = t / 15_000;
    appender.append(0, ['__name__', 'up', 'instance', 'a:1', 'job', 'api'], sample);
    sample.value = 1;
    appender.append(0, ['__name__', 'up', 'instance', 'b:1', 'job', 'web'], sample);
  }
  await appender.commit();
  return storage;
}

function serverContext(storage: MemoryStorage, engineOptions: EngineOptions = {}, extra: Partial<ServerContext> = {}): ServerContext {
  return {
    storage,
    engine: new Engine(engineOptions),
    lookbackDelta: 300_000,
    queryTimeout: engineOptions.timeout,
    externalLabels: () => ({}),
    admin: null,
    now: () => 60_000,
    configYaml: () => '',
    flags: {},
    buildInfo: { version: '0', revision: '', branch: '', buildUser: '', buildDate: '', goVersion: '' },
    runtimeInfo: () => ({ startTime: '', CWD: '', reloadConfigSuccess: true, lastConfigTime: '', corruptionCount: 0, goroutineCount: 0, GOMAXPROCS: 1, GOGC: '', GODEBUG: '', storageRetention: '' }),
    targets: () => ({ activeTargets: [], droppedTargets: [], droppedTargetCounts: {} }),
    ready: () => true,
    unhealthy: () => null,
    reload: async () => {},
    metrics: async () => ({ contentType: 'text/plain', body: '' }),
    ...extra,
  };
}

async function call(context: ServerContext, path: string, init?: RequestInit): Promise<{ status: number; text: string }> {
  const response = await createApp(context).request(path, init);
  return { status: response.status, text: await response.text() };
}

describe('queries through the engine', () => {
  test('instant vector, range matrix, scalar and string, byte for byte', async () => {
    const ctx = serverContext(await smallStorage());
    assert.deepEqual(await call(ctx, '/api/v1/query?query=up&time=30.5'), {
      status: 200,
      text:
        '{"status":"success","data":{"resultType":"vector","result":[' +
        '{"metric":{"__name__":"up","instance":"a:1","job":"api"},"value":[30.500,"2"]},' +
        '{"metric":{"__name__":"up","instance":"b:1","job":"web"},"value":[30.500,"1"]}]}}',
    });
    assert.deepEqual(await call(ctx, '/api/v1/query_range?query=up%7Bjob%3D%22api%22%7D%20*%200.1&start=0&end=30&step=15'), {
      status: 200,
      text: '{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"instance":"a:1","job":"api"},"values":[[0,"0"],[15,"0.1"],[30,"0.2"]]}]}}',
    });
    assert.equal((await call(ctx, '/api/v1/query?query=1%2F0&time=1')).text, '{"status":"success","data":{"resultType":"scalar","result":[1,"+Inf"]}}');
    assert.equal((await call(ctx, '/api/v1/query?query=%22a%22&time=2.25')).text, '{"status":"success","data":{"resultType":"string","result":[2.25,"a"]}}');
    // time defaults to the clock (60 s here).
    assert.equal((await call(ctx, '/api/v1/query?query=time()')).text, '{"status":"success","data":{"resultType":"scalar","result":[60,"60"]}}');
  });

  test('answers are compressed for clients that accept gzip', async () => {
    const ctx = serverContext(await storageWith(50, 100, 1000));
    const path = '/api/v1/query_range?query=load&start=0&end=99&step=1';
    const plain = await call(ctx, path);
    const response = await createApp(ctx).request(path, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(response.headers.get('content-encoding'), 'gzip');
    assert.match(response.headers.get('vary') ?? '', /Accept-Encoding/);
    const unzipped = gunzipSync(Buffer.from(await response.arrayBuffer())).toString('utf8');
    assert.equal(unzipped, plain.text);
    assert.ok(plain.text.length > 10_000);
  });

  test('small answers are sent as they are, with their length', async () => {
    const ctx = serverContext(await storageWith(50, 100, 1000));
    const path = '/api/v1/query?query=load%20%3D%3D%20-1&time=50';
    const response = await createApp(ctx).request(path, { headers: { 'accept-encoding': 'gzip' } });
    const text = await response.text();
    assert.equal(response.headers.get('content-encoding'), null);
    assert.equal(response.headers.get('content-length'), String(Buffer.byteLength(text)));
    assert.equal(text, '{"status":"success","data":{"resultType":"vector","result":[]}}');
  });

  test('parse errors are bad "query" parameters; evaluation errors are execution errors', async () => {
    const ctx = serverContext(await smallStorage());
    const parse = await call(ctx, '/api/v1/query?query=sum(');
    assert.equal(parse.status, 400);
    assert.match(JSON.parse(parse.text).error, /^invalid parameter "query": 1:5: parse error: /);
    const rangeType = await call(ctx, '/api/v1/query_range?query=up[1m]&start=0&end=1&step=1');
    assert.equal(rangeType.status, 400);
    assert.equal(JSON.parse(rangeType.text).error, 'invalid parameter "query": invalid expression type "range vector" for range query, must be Scalar or instant Vector');
    const matching = await call(ctx, '/api/v1/query?query=up%20%2B%20on()%20up&time=30');
    assert.equal(matching.status, 422);
    assert.equal(JSON.parse(matching.text).errorType, 'execution');
  });

  test('an over-limit query gets a clean error while another query succeeds', async () => {
    const ctx = serverContext(await storageWith(20, 100, 1000), { maxSamples: 500 });
    const [tooMany, tooLong, fine] = await Promise.all([
      call(ctx, '/api/v1/query_range?query=load&start=0&end=99&step=1'),
      call(ctx, '/api/v1/query_range?query=load&start=0&end=110010&step=10'),
      call(ctx, '/api/v1/query?query=count(load)&time=50'),
    ]);
    assert.equal(tooMany.status, 422);
    assert.deepEqual(JSON.parse(tooMany.text), { status: 'error', errorType: 'execution', error: 'query processing would load too many samples into memory in query execution' });
    assert.equal(tooLong.status, 400);
    assert.match(JSON.parse(tooLong.text).error, /^exceeded maximum resolution of 11,000 points per timeseries/);
    assert.equal(fine.text, '{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[50,"20"]}]}}');
  });

  test('a client that goes away cancels its query; a short timeout stops it', async () => {
    const ctx = serverContext(await storageWith(300, 720, 10_000));
    const heavy = '/api/v1/query_range?query=sum(rate(load%5B1h%5D))&start=0&end=7200&step=1';
    const gone = new AbortController();
    gone.abort();
    const before = await call(ctx, heavy, { signal: gone.signal });
    assert.equal(before.status, 499);
    assert.equal(JSON.parse(before.text).errorType, 'canceled');

    const leaving = new AbortController();
    const started = performance.now();
    const pending = call(ctx, heavy, { signal: leaving.signal });
    setTimeout(() => leaving.abort(), 20);
    const during = await pending;
    assert.equal(during.status, 499, during.text);
    assert.equal(JSON.parse(during.text).errorType, 'canceled');
    assert.ok(performance.now() - started < 5000);

    const timedOut = await call(ctx, `${heavy}&timeout=0.01`);
    assert.equal(timedOut.status, 503, timedOut.text);
    assert.equal(JSON.parse(timedOut.text).errorType, 'timeout');
  });
});

describe('format_query, parse_query and query_exemplars', () => {
  test('format_query pretty-prints; parse errors are bad "query" parameters', async () => {
    const ctx = serverContext(await smallStorage());
    assert.equal((await call(ctx, '/api/v1/format_query?query=sum(foo)by(a)')).text, '{"status":"success","data":"sum by (a) (foo)"}');
    const bad = await call(ctx, '/api/v1/format_query?query=foo%7B');
    assert.equal(bad.status, 400);
    assert.match(JSON.parse(bad.text).error, /^invalid parameter "query": 1:\d+: parse error: /);
  });

  test('parse_query returns the syntax tree with sorted keys', async () => {
    const ctx = serverContext(await smallStorage());
    const selector = (name: string) =>
      `{"anchored":false,"matchers":[{"name":"__name__","type":"=","value":"${name}"}],"name":"${name}","offset":0,"offsetExpr":null,"smoothed":false,"startOrEnd":null,"timestamp":null,"type":"vectorSelector"}`;
    assert.equal(
      (await call(ctx, '/api/v1/parse_query?query=foo%2Fbar')).text,
      `{"status":"success","data":{"bool":false,"lhs":${selector('foo')},"matching":{"card":"one-to-one","fillValues":{"lhs":null,"rhs":null},"include":[],"labels":[],"on":false},"op":"/","rhs":${selector('bar')},"type":"binaryExpr"}}`,
    );
    const tree = JSON.parse((await call(ctx, `/api/v1/parse_query?query=${encodeURIComponent('sum by (a) (rate(x[5m] offset 1m @ start()))')}`)).text).data;
    assert.equal(tree.type, 'aggregation');
    assert.deepEqual(tree.grouping, ['a']);
    const matrix = tree.expr.args[0];
    assert.deepEqual([matrix.type, matrix.range, matrix.offset, matrix.startOrEnd, matrix.timestamp], ['matrixSelector', 300000, 60000, 'start', null]);
  });

  test('query_exemplars asks the storage for the selectors of the query', async () => {
    const asked: { selectors: readonly (readonly LabelMatcher[])[]; mint: number; maxt: number }[] = [];
    const ctx = serverContext(await smallStorage(), {}, {
      exemplars: (selectors, mint, maxt) => {
        asked.push({ selectors, mint, maxt });
        return [{ seriesLabels: ['__name__', 'req', 'path', '/'], exemplars: [{ labels: ['trace_id', 'abc'], value: 6, timestamp: 1600096945479 }] }];
      },
    });
    assert.equal(
      (await call(ctx, '/api/v1/query_exemplars?query=rate(req%5B1m%5D)%20%2B%20other&start=1&end=2')).text,
      '{"status":"success","data":[{"seriesLabels":{"__name__":"req","path":"/"},"exemplars":[{"labels":{"trace_id":"abc"},"value":"6","timestamp":1600096945.479}]}]}',
    );
    assert.deepEqual(asked[0].selectors.map((matchers) => matchers.map((m) => m.value)), [['req'], ['other']]);
    assert.deepEqual([asked[0].mint, asked[0].maxt], [1000, 2000]);
    const none = await call(ctx, '/api/v1/query_exemplars?query=1');
    assert.deepEqual(none, { status: 204, text: '' });
    const bad = await call(ctx, '/api/v1/query_exemplars?query=up(');
    assert.equal(bad.status, 400);
    assert.match(JSON.parse(bad.text).error, /^1:\d+: parse error: /);
    const backwards = await call(ctx, '/api/v1/query_exemplars?query=up&start=2&end=1');
    assert.deepEqual(JSON.parse(backwards.text), { status: 'error', errorType: 'bad_data', error: 'end timestamp must not be before start timestamp' });
  });
});
