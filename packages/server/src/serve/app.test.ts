import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage } from '../store/index.ts';
import { Engine } from '../query/promql/engine/index.ts';
import { createApp } from './app.ts';
import type { ServerContext } from './app.ts';

async function fixture(): Promise<{ context: ServerContext; storage: MemoryStorage }> {
  const storage = new MemoryStorage();
  const app = storage.appender();
  const s = { kind: 'float' as const, timestamp: 10_000, value: 1 };
  app.append(0, ['__name__', 'up', 'instance', 'a:1', 'job', 'api'], s);
  app.append(0, ['__name__', 'up', 'instance', 'b:1', 'job', 'web'], s);
  s.timestamp = 50_000;
  app.append(0, ['__name__', 'http_requests_total', 'code', '500', 'job', 'api'], s);
  await app.commit();
  let reloads = 0;
  const context: ServerContext = {
    storage,
    engine: new Engine(),
    lookbackDelta: 300_000,
    externalLabels: () => ({}),
    admin: null,
    configYaml: () => 'global: {}\n',
    flags: { 'storage.tsdb.path': 'data/' },
    buildInfo: { version: '0.1.0', revision: '', branch: '', buildUser: '', buildDate: '', goVersion: 'node' },
    runtimeInfo: () => ({ startTime: '', CWD: '', reloadConfigSuccess: true, lastConfigTime: '', corruptionCount: 0, goroutineCount: 0, GOMAXPROCS: 1, GOGC: '', GODEBUG: '', storageRetention: '15d' }),
    targets: () => ({ activeTargets: [{ scrapePool: 'api' }, { scrapePool: 'web' }], droppedTargets: [], droppedTargetCounts: {} }),
    ready: () => true,
    unhealthy: () => null,
    reload: async () => {
      reloads++;
      if (reloads > 1) throw new Error('prometheus.yml:3:5: field foo not found');
    },
    metrics: async () => ({ contentType: 'text/plain; version=0.0.4', body: 'vigil_up 1\n' }),
  };
  return { context, storage };
}

async function get(context: ServerContext, path: string, init?: RequestInit): Promise<{ status: number; body: any }> {
  const response = await createApp(context).request(path, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // plain text endpoints
  }
  return { status: response.status, body };
}

test('series, labels and label values in Prometheus shapes', async () => {
  const { context } = await fixture();
  const series = await get(context, '/api/v1/series?match[]=up');
  assert.equal(series.status, 200);
  assert.deepEqual(series.body, {
    status: 'success',
    data: [
      { __name__: 'up', instance: 'a:1', job: 'api' },
      { __name__: 'up', instance: 'b:1', job: 'web' },
    ],
  });
  const union = await get(context, `/api/v1/series?match[]=up{job="web"}&match[]=${encodeURIComponent('{code="500"}')}`);
  assert.equal(union.body.data.length, 2);
  const ranged = await get(context, '/api/v1/series?match[]={job="api"}&start=40&end=60');
  assert.deepEqual(ranged.body.data, [{ __name__: 'http_requests_total', code: '500', job: 'api' }]);
  const labels = await get(context, '/api/v1/labels');
  assert.deepEqual(labels.body.data, ['__name__', 'code', 'instance', 'job']);
  const matched = await get(context, '/api/v1/labels?match[]=up');
  assert.deepEqual(matched.body.data, ['__name__', 'instance', 'job']);
  const values = await get(context, '/api/v1/label/job/values');
  assert.deepEqual(values.body.data, ['api', 'web']);
  const limited = await get(context, '/api/v1/label/job/values?limit=1');
  assert.deepEqual(limited.body, { status: 'success', data: ['api'], warnings: ['results truncated due to limit'] });
  const form = await get(context, '/api/v1/series', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'match[]=up%7Bjob%3D%22api%22%7D' });
  assert.equal(form.body.data.length, 1);
});

test('bad parameters get bad_data with a reason', async () => {
  const { context } = await fixture();
  const cases: [string, RegExp][] = [
    ['/api/v1/series', /no match\[\] parameter provided/],
    ['/api/v1/series?match[]=up{', /^invalid parameter "match\[\]": 1:4: parse error/],
    ['/api/v1/series?match[]={a=""}', /at least one non-empty matcher/],
    ['/api/v1/series?match[]=up&start=yesterday', /^invalid parameter "start": invalid time value for 'start': cannot parse "yesterday" to a valid timestamp$/],
    ['/api/v1/labels?limit=-1', /^invalid parameter "limit": limit must be non-negative$/],
    ['/api/v1/labels?match[]=up{', /^1:4: parse error/],
    [`/api/v1/series?match[]=${encodeURIComponent('up{job=~"(a"}')}`, /invalid regular expression/],
  ];
  for (const [path, pattern] of cases) {
    const { status, body } = await get(context, path);
    assert.equal(status, 400, path);
    assert.equal(body.errorType, 'bad_data', path);
    assert.match(body.error, pattern, path);
  }
  // Like Prometheus, an end before the start is no error: nothing is in such a range.
  assert.deepEqual((await get(context, '/api/v1/series?match[]=up&start=10&end=5')).body, { status: 'success', data: [] });
  const unknown = await get(context, '/api/v1/nope');
  assert.equal(unknown.status, 404);
});

test('status, targets, health and reload', async () => {
  const { context } = await fixture();
  assert.deepEqual((await get(context, '/api/v1/status/config')).body, { status: 'success', data: { yaml: 'global: {}\n' } });
  assert.equal((await get(context, '/api/v1/status/buildinfo')).body.data.version, '0.1.0');
  assert.equal((await get(context, '/api/v1/status/flags')).body.data['storage.tsdb.path'], 'data/');
  const tsdb = await get(context, '/api/v1/status/tsdb');
  assert.equal(tsdb.body.data.headStats.numSeries, 3);
  assert.deepEqual(tsdb.body.data.seriesCountByMetricName[0], { name: 'up', value: 2 });
  const targets = await get(context, '/api/v1/targets?scrapePool=web');
  assert.deepEqual(targets.body.data.activeTargets, [{ scrapePool: 'web' }]);
  assert.equal((await get(context, '/-/healthy')).status, 200);
  assert.equal((await get(context, '/-/ready')).status, 200);
  assert.equal((await get(context, '/-/reload', { method: 'POST' })).status, 200);
  const failed = await get(context, '/-/reload', { method: 'POST' });
  assert.equal(failed.status, 500);
  assert.match(failed.body, /prometheus\.yml:3:5/);
  const metrics = await get(context, '/metrics');
  assert.equal(metrics.body, 'vigil_up 1\n');
  const unhealthy = await get({ ...context, unhealthy: () => 'disk full' }, '/-/healthy');
  assert.equal(unhealthy.status, 503);
});

test('every answered request is counted by route pattern and status, as prometheus_http_requests_total', async () => {
  const { context } = await fixture();
  const seen: { handler: string; code: number }[] = [];
  context.observeRequest = (handler, code, seconds) => {
    assert.ok(seconds >= 0);
    seen.push({ handler, code });
  };
  const app = createApp(context);
  await app.request('/-/healthy');
  await app.request('/api/v1/query?query=up');
  await app.request('/api/v1/query?query=(');
  await app.request('/api/v1/label/job/values');
  assert.deepEqual(seen, [
    { handler: '/-/healthy', code: 200 },
    { handler: '/api/v1/query', code: 200 },
    { handler: '/api/v1/query', code: 400 },
    { handler: '/api/v1/label/:name/values', code: 200 },
  ]);
});

test('SelfMetrics exposes HTTP requests under Prometheus names', async () => {
  const { SelfMetrics } = await import('./self-metrics.ts');
  const metrics = new SelfMetrics('0.0.0');
  metrics.observeHttpRequest('/api/v1/query', 200, 0.05);
  const { body } = await metrics.render();
  assert.match(body, /prometheus_http_requests_total\{code="200",handler="\/api\/v1\/query"\} 1/);
  assert.match(body, /prometheus_http_request_duration_seconds_bucket\{le="0\.1",handler="\/api\/v1\/query"\} 1/);
});
