import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { MetadataStore, createRemoteWriteMetrics } from '../ingest/remotewrite/index.ts';
import { encodeRequest, snappy } from '../ingest/remotewrite/test-fixtures.ts';
import { LabelMatcher } from '../model/index.ts';
import { MemoryStorage } from '../store/index.ts';
import { mountRemoteWriteApi } from './remote-write-api.ts';

function setup(limit: number): { app: Hono; storage: MemoryStorage } {
  const app = new Hono();
  const storage = new MemoryStorage();
  mountRemoteWriteApi(app, storage, createRemoteWriteMetrics(), limit);
  return { app, storage };
}

const body = snappy(encodeRequest({ timeseries: [{ labels: { __name__: 'up', job: 'a' }, samples: [{ value: 1, timestamp: 1000 }] }] }));
const headers = { 'content-encoding': 'snappy', 'content-type': 'application/x-protobuf' };

test('stores a request and answers 204', async () => {
  const { app, storage } = setup(1 << 20);
  const response = await app.request('/api/v1/write', { method: 'POST', body, headers });
  assert.equal(response.status, 204);
  assert.equal([...storage.querier(0, 2000).select([new LabelMatcher('=', '__name__', 'up')])].length, 1);
});

test('refuses bodies over the limit, with or without a content length', async () => {
  const { app, storage } = setup(16);
  const declared = await app.request('/api/v1/write', { method: 'POST', body, headers });
  assert.equal(declared.status, 413);
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new Uint8Array(10));
      controller.enqueue(new Uint8Array(10));
      controller.close();
    },
  });
  const chunked = await app.request('/api/v1/write', { method: 'POST', body: stream, headers, duplex: 'half' } as RequestInit);
  assert.equal(chunked.status, 413);
  assert.match(await chunked.text(), /more than 16 bytes/);
  assert.equal([...storage.querier(0, 2000).select([new LabelMatcher('=~', '__name__', '.+')])].length, 0);
});

test('a malformed body is a 400 with the reason', async () => {
  const { app } = setup(1 << 20);
  const response = await app.request('/api/v1/write', { method: 'POST', body: new Uint8Array([1, 2, 3, 4]), headers });
  assert.equal(response.status, 400);
  assert.ok((await response.text()).length > 0);
});

test('metadata sent with a request is kept in the store it is given', async () => {
  const app = new Hono();
  const metadata = new MetadataStore();
  mountRemoteWriteApi(app, new MemoryStorage(), createRemoteWriteMetrics(), 1 << 20, metadata);
  const withMetadata = snappy(encodeRequest({ timeseries: [], metadata: [{ type: 1, metric_family_name: 'http_requests_total', help: 'Requests.', unit: '' }] }));
  assert.equal((await app.request('/api/v1/write', { method: 'POST', body: withMetadata, headers })).status, 204);
  assert.deepEqual(metadata.get('http_requests_total'), { metricFamilyName: 'http_requests_total', type: 'counter', help: 'Requests.', unit: '' });
});
