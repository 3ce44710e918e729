import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync, inflateSync } from 'node:zlib';
import { Hono } from 'hono';
import { bufferedResponse, compressAnswers, selectEncoding } from './compress.ts';

test('selectEncoding: q=1 wins in order gzip, deflate; else the highest q; * covers the rest; q=0 refuses', () => {
  assert.equal(selectEncoding(undefined), undefined);
  assert.equal(selectEncoding('gzip, deflate, br'), 'gzip');
  assert.equal(selectEncoding('deflate'), 'deflate');
  assert.equal(selectEncoding('gzip;q=0.5, deflate;q=0.8'), 'deflate');
  assert.equal(selectEncoding('br'), undefined);
  assert.equal(selectEncoding('*'), 'gzip');
  assert.equal(selectEncoding('gzip;q=0, *;q=0.3'), 'deflate');
  assert.equal(selectEncoding('identity'), undefined);
});

function app(): Hono {
  const hono = new Hono();
  hono.use('*', compressAnswers());
  const big = JSON.stringify({ values: Array.from({ length: 2000 }, (_, i) => [i, String(i * 1.5)]) });
  hono.get('/big', () => new Response(big, { headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(big)) } }));
  hono.get('/buffered', () => bufferedResponse(Buffer.from(big), { headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(big)) } }));
  hono.get('/small', () => new Response('{"a":1}', { headers: { 'content-type': 'application/json', 'content-length': '7' } }));
  hono.get('/stream', () => new Response(new Blob([big]).stream(), { headers: { 'content-type': 'text/plain' } }));
  hono.get('/binary', () => new Response(new Uint8Array(5000), { headers: { 'content-type': 'application/x-protobuf', 'content-length': '5000' } }));
  return hono;
}

test('answers of known length are compressed whole, with their compressed length; small and binary ones are not', async () => {
  const hono = app();
  const plain = await (await hono.request('/big')).text();
  const gzipped = await hono.request('/big', { headers: { 'accept-encoding': 'gzip, deflate' } });
  assert.equal(gzipped.headers.get('content-encoding'), 'gzip');
  assert.equal(gzipped.headers.get('vary'), 'Accept-Encoding');
  const bytes = Buffer.from(await gzipped.arrayBuffer());
  assert.equal(gzipped.headers.get('content-length'), String(bytes.length));
  assert.ok(bytes.length < plain.length / 2);
  assert.equal(gunzipSync(bytes).toString(), plain);

  const buffered = await hono.request('/buffered', { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(buffered.headers.get('content-encoding'), 'gzip');
  assert.equal(gunzipSync(Buffer.from(await buffered.arrayBuffer())).toString(), plain);
  assert.equal(await (await hono.request('/buffered')).text(), plain);

  const deflated = await hono.request('/big', { headers: { 'accept-encoding': 'deflate' } });
  assert.equal(deflated.headers.get('content-encoding'), 'deflate');
  assert.equal(inflateSync(Buffer.from(await deflated.arrayBuffer())).toString(), plain);

  const identity = await hono.request('/big');
  assert.equal(identity.headers.get('content-encoding'), null);
  assert.equal(identity.headers.get('vary'), 'Accept-Encoding');

  const small = await hono.request('/small', { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(small.headers.get('content-encoding'), null);
  assert.equal(await small.text(), '{"a":1}');

  const binary = await hono.request('/binary', { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(binary.headers.get('content-encoding'), null);
});

test('answers of unknown length are streamed through the compressor', async () => {
  const hono = app();
  const plain = await (await hono.request('/stream')).text();
  const response = await hono.request('/stream', { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(response.headers.get('content-encoding'), 'gzip');
  assert.equal(response.headers.get('content-length'), null);
  assert.equal(gunzipSync(Buffer.from(await response.arrayBuffer())).toString(), plain);
});
