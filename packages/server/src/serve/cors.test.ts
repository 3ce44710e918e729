import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { apiCors } from './cors.ts';

function app(): Hono {
  const hono = new Hono();
  hono.use('/api/v1/*', apiCors());
  hono.get('/api/v1/labels', (c) => c.json({ status: 'success', data: [] }));
  return hono;
}

test('answers vary by Origin; a request with an Origin is allowed from anywhere', async () => {
  const plain = await app().request('/api/v1/labels');
  assert.equal(plain.headers.get('vary'), 'Origin');
  assert.equal(plain.headers.get('access-control-allow-origin'), null);
  const cross = await app().request('/api/v1/labels', { headers: { origin: 'https://grafana.example' } });
  assert.equal(cross.headers.get('access-control-allow-origin'), '*');
  assert.equal(cross.headers.get('access-control-allow-methods'), 'GET, POST, OPTIONS');
  assert.equal(cross.headers.get('access-control-allow-headers'), 'Accept, Authorization, Content-Type, Origin');
  assert.equal(cross.headers.get('access-control-expose-headers'), 'Date');
});

test('preflight OPTIONS requests get 204 with the CORS headers', async () => {
  const response = await app().request('/api/v1/query', { method: 'OPTIONS', headers: { origin: 'https://grafana.example' } });
  assert.equal(response.status, 204);
  assert.equal(response.headers.get('access-control-allow-origin'), '*');
});
