import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { staleNaN } from '../model/index.ts';
import { MemoryStorage } from '../store/index.ts';
import { FEDERATION_CONTENT_TYPE, formatExpositionValue, mountFederation } from './federate.ts';

const NOW = 1_000_000;

async function setup(externalLabels: Record<string, string> = {}) {
  const storage = new MemoryStorage();
  const appender = storage.appender();
  const sample = { kind: 'float' as const, timestamp: 0, value: 0 };
  const add = (labels: string[], timestamp: number, value: number) => {
    sample.timestamp = timestamp;
    sample.value = value;
    appender.append(0, labels, sample);
  };
  add(['__name__', 'up', 'instance', 'b:1', 'job', 'node'], NOW - 60_000, 0);
  add(['__name__', 'up', 'instance', 'b:1', 'job', 'node'], NOW - 15_000, 1);
  // Newer than "now": federation looks at now and before only.
  add(['__name__', 'up', 'instance', 'b:1', 'job', 'node'], NOW + 15_000, 7);
  add(['__name__', 'up', 'instance', 'a:1', 'job', 'node'], NOW - 10_000, 1);
  add(['__name__', 'http_requests_total', 'code', '200', 'job', 'api'], NOW - 1_000, 1234567);
  add(['__name__', 'http_requests_total', 'code', '500', 'job', 'api', 'path', 'say "hi"\n\\'], NOW - 1_000, 0.00001);
  // Too old: outside the lookback delta.
  add(['__name__', 'up', 'instance', 'old:1', 'job', 'node'], NOW - 400_000, 1);
  // Stale: its latest sample is the stale marker.
  add(['__name__', 'up', 'instance', 'gone:1', 'job', 'node'], NOW - 30_000, 1);
  add(['__name__', 'up', 'instance', 'gone:1', 'job', 'node'], NOW - 20_000, staleNaN());
  await appender.commit();
  const app = new Hono();
  mountFederation(app, { storage, externalLabels: () => externalLabels, lookbackDelta: 300_000, now: () => NOW });
  return app;
}

test('federates the latest sample of each matching series in the text format', async () => {
  const app = await setup();
  const response = await app.request(`/federate?match[]=up&match[]=${encodeURIComponent('{job="api"}')}&match[]=up{instance="a:1"}`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('content-type'), FEDERATION_CONTENT_TYPE);
  assert.equal(
    await response.text(),
    [
      '# TYPE http_requests_total untyped',
      'http_requests_total{code="200",job="api",instance=""} 1.234567e+06 999000',
      'http_requests_total{code="500",job="api",path="say \\"hi\\"\\n\\\\",instance=""} 1e-05 999000',
      '# TYPE up untyped',
      'up{instance="a:1",job="node"} 1 990000',
      'up{instance="b:1",job="node"} 1 985000',
      '',
    ].join('\n'),
  );
});

test('adds external labels the series does not have', async () => {
  const app = await setup({ region: 'eu', job: 'ignored-when-present', instance: 'self' });
  const response = await app.request('/federate?match[]=up{instance="a:1"}&match[]=http_requests_total{code="200"}');
  assert.equal(
    await response.text(),
    [
      '# TYPE http_requests_total untyped',
      'http_requests_total{code="200",job="api",instance="self",region="eu"} 1.234567e+06 999000',
      '# TYPE up untyped',
      'up{instance="a:1",job="node",region="eu"} 1 990000',
      '',
    ].join('\n'),
  );
});

test('no match[] gives an empty body; a bad selector is a 400 with the parse error', async () => {
  const app = await setup();
  const empty = await app.request('/federate');
  assert.equal(empty.status, 200);
  assert.equal(await empty.text(), '');
  const bad = await app.request('/federate?match[]=up{');
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /^1:\d+: parse error: .*\n$/);
});

test('values are written as Go writes %g', () => {
  const cases: [number, string][] = [
    [0, '0'],
    [-0, '0'],
    [1, '1'],
    [-1, '-1'],
    [0.5, '0.5'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [123456, '123456'],
    [1e6, '1e+06'],
    [1234567.5, '1.2345675e+06'],
    [1.7e9, '1.7e+09'],
    [1e21, '1e+21'],
    [1e-300, '1e-300'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ];
  for (const [value, text] of cases) assert.equal(formatExpositionValue(value), text, String(value));
});
