import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { mountMetadataApi } from './metadata-api.ts';
import type { MetricMetadataEntry } from './metadata-api.ts';

const entries: MetricMetadataEntry[] = [
  { metricFamily: 'http_requests_total', type: 'counter', help: 'Requests served.', unit: '' },
  { metricFamily: 'go_goroutines', type: 'gauge', help: 'Goroutines.', unit: '' },
  // The same metadata from a second target is listed once.
  { metricFamily: 'http_requests_total', type: 'counter', help: 'Requests served.', unit: '' },
  { metricFamily: 'http_requests_total', type: 'counter', help: 'Requests served, per code.', unit: '' },
  { metricFamily: 'temperature', type: 'gauge', help: 'Degrees <C>.', unit: 'celsius' },
];

function setup() {
  const app = new Hono();
  mountMetadataApi(app, () => entries);
  return async (query: string) => {
    const response = await app.request(`/api/v1/metadata${query}`);
    return { status: response.status, text: await response.text() };
  };
}

test('lists the distinct metadata of every metric family', async () => {
  const get = setup();
  const { status, text } = await get('');
  assert.equal(status, 200);
  assert.equal(
    text,
    '{"status":"success","data":{"go_goroutines":[{"type":"gauge","help":"Goroutines.","unit":""}],' +
      '"http_requests_total":[{"type":"counter","help":"Requests served.","unit":""},{"type":"counter","help":"Requests served, per code.","unit":""}],' +
      '"temperature":[{"type":"gauge","help":"Degrees \\u003cC\\u003e.","unit":"celsius"}]}}',
  );
});

test('metric, limit and limit_per_metric', async () => {
  const get = setup();
  assert.deepEqual(JSON.parse((await get('?metric=go_goroutines')).text).data, { go_goroutines: [{ type: 'gauge', help: 'Goroutines.', unit: '' }] });
  assert.deepEqual(JSON.parse((await get('?metric=nope')).text).data, {});
  assert.deepEqual(Object.keys(JSON.parse((await get('?limit=2')).text).data), ['go_goroutines', 'http_requests_total']);
  assert.deepEqual(JSON.parse((await get('?limit=0')).text).data, {});
  assert.equal(Object.keys(JSON.parse((await get('?limit=-1')).text).data).length, 3);
  assert.equal(JSON.parse((await get('?limit_per_metric=1')).text).data.http_requests_total.length, 1);
  assert.deepEqual(JSON.parse((await get('?limit=x')).text), { status: 'error', errorType: 'bad_data', error: 'limit must be a number' });
  assert.deepEqual(JSON.parse((await get('?limit_per_metric=1.5')).text), { status: 'error', errorType: 'bad_data', error: 'limit_per_metric must be a number' });
});
