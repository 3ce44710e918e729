import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Hono } from 'hono';
import { isServerPath, mountUi } from './ui.ts';

function builtUi(): { directory: string; remove: () => void } {
  const directory = mkdtempSync(join(tmpdir(), 'vigil-ui-'));
  mkdirSync(join(directory, 'assets'));
  writeFileSync(join(directory, 'index.html'), '<!doctype html><div id="app"></div>');
  writeFileSync(join(directory, 'assets', 'index-Abc123.js'), `console.log(${JSON.stringify('x'.repeat(4000))});`);
  writeFileSync(join(directory, 'robots.txt'), 'User-agent: *\n');
  return { directory, remove: () => rmSync(directory, { recursive: true, force: true }) };
}

function appWith(directory: string): Hono {
  const app = new Hono();
  app.get('/api/v1/query', (c) => c.json({ status: 'success' }));
  app.get('/metrics', (c) => c.text('up 1\n'));
  mountUi(app, { directory });
  app.notFound((c) => c.text('404 page not found\n', 404));
  return app;
}

test('index.html is revalidated on every load; hashed assets are immutable and gzipped for clients that accept it', async () => {
  const ui = builtUi();
  try {
    const app = appWith(ui.directory);
    const index = await app.request('/');
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('cache-control'), 'no-cache');
    assert.match(index.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await index.text(), /id="app"/);

    const asset = await app.request('/assets/index-Abc123.js', { headers: { 'accept-encoding': 'gzip, br' } });
    assert.equal(asset.status, 200);
    assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(asset.headers.get('content-encoding'), 'gzip');
    assert.match(asset.headers.get('content-type') ?? '', /^text\/javascript/);
    const body = gunzipSync(Buffer.from(await asset.arrayBuffer())).toString();
    assert.ok(body.startsWith('console.log("xxx'));

    const plain = await app.request('/assets/index-Abc123.js');
    assert.equal(plain.headers.get('content-encoding'), null);
    assert.equal((await plain.text()).length, body.length);

    const unhashed = await app.request('/robots.txt');
    assert.equal(unhashed.headers.get('cache-control'), 'no-cache');

    // Revalidation: the ETag answers 304 with no body until the file changes.
    const etag = index.headers.get('etag');
    assert.match(etag ?? '', /^"[\w-]{22}"$/);
    const again = await app.request('/d/x', { headers: { 'if-none-match': etag! } });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), '');
    writeFileSync(join(ui.directory, 'index.html'), '<!doctype html><div id="app" data-version="2"></div>');
    const changed = await app.request('/', { headers: { 'if-none-match': etag! } });
    assert.equal(changed.status, 200);
    assert.match(await changed.text(), /data-version="2"/);
    assert.notEqual(changed.headers.get('etag'), etag);
  } finally {
    ui.remove();
  }
});

test('UI routes fall back to index.html; API paths, missing assets and escapes do not', async () => {
  const ui = builtUi();
  try {
    const app = appWith(ui.directory);
    for (const path of ['/d/abc/my-dashboard?from=now-6h&to=now', '/explore?query=up', '/dashboards', '/alerting/silences', '/targets']) {
      const response = await app.request(path);
      assert.equal(response.status, 200, path);
      assert.match(await response.text(), /id="app"/, path);
    }
    assert.deepEqual(await (await app.request('/api/v1/query')).json(), { status: 'success' });
    assert.equal(await (await app.request('/metrics')).text(), 'up 1\n');
    for (const path of ['/api/v1/nope', '/api/search-missing', '/-/nope', '/federate', '/assets/gone-123.js', '/favicon.ico', '/..%2f..%2f..%2fetc%2fpasswd']) {
      const response = await app.request(path);
      assert.equal(response.status, 404, path);
      assert.doesNotMatch(await response.text(), /id="app"/, path);
    }
    assert.equal((await app.request('/%E0%A4%A')).status, 400);
    const head = await app.request('/explore', { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
  } finally {
    ui.remove();
  }
});

test('without a built UI, UI paths get a page saying how to build it and APIs still answer', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'vigil-ui-empty-'));
  try {
    const app = appWith(directory);
    const response = await app.request('/d/abc');
    assert.equal(response.status, 503);
    assert.match(await response.text(), /npm run build:ui/);
    assert.equal((await app.request('/api/v1/query')).status, 200);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('server paths are recognised exactly', () => {
  for (const path of ['/api/v1/query', '/api/search', '/-/healthy', '/metrics', '/federate', '/api']) assert.equal(isServerPath(path), true, path);
  for (const path of ['/', '/d/x', '/explore', '/metrics-dashboard', '/apis', '/federated']) assert.equal(isServerPath(path), false, path);
});
