import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { HttpClientConfig } from '../../config/index.ts';
import { bypassesProxy, checkResponse, httpConfigHeaders, nodeHttp, proxyFor } from './http.ts';
import type { HttpRequest } from './http.ts';

const plainConfig: HttpClientConfig = { tlsConfig: { insecureSkipVerify: false }, followRedirects: true, enableHttp2: true, proxy: { proxyFromEnvironment: false, proxyConnectHeader: {} } };

describe('receiver HTTP', () => {
  let server: http.Server;
  let base = '';
  const seen: { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }[] = [];

  before(async () => {
    server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
        if (request.url === '/moved') {
          response.writeHead(307, { Location: '/target' });
          response.end();
        } else if (request.url === '/see-other') {
          response.writeHead(303, { Location: '/target' });
          response.end();
        } else {
          response.writeHead(request.url === '/target' ? 200 : 500, { 'Content-Type': 'text/plain' });
          response.end(`got ${request.method} ${body}`);
        }
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise<void>((done) => server.close(() => done()));
  });

  const request = (path: string, followRedirects = true): HttpRequest => ({
    method: 'POST',
    url: `${base}${path}`,
    headers: { 'Content-Type': 'application/json', 'User-Agent': 'Vigil' },
    body: '{"a":1}',
    signal: AbortSignal.timeout(5000),
    followRedirects,
  });

  it('sends over node:http and follows redirects as Go does (307 keeps the body, 303 becomes GET)', async () => {
    seen.length = 0;
    const kept = await nodeHttp(request('/moved'));
    assert.equal(kept.status, 200);
    assert.equal(kept.body, 'got POST {"a":1}');
    assert.equal(kept.headers['content-type'], 'text/plain');
    assert.equal(seen[0].headers['content-length'], '7');
    const changed = await nodeHttp(request('/see-other'));
    assert.equal(changed.body, 'got GET ');
    const notFollowed = await nodeHttp(request('/moved', false));
    assert.equal(notFollowed.status, 307);
  });

  it('a refused connection rejects', async () => {
    await assert.rejects(nodeHttp({ ...request('/'), url: 'http://127.0.0.1:1/' }), /ECONNREFUSED/);
    await assert.rejects(nodeHttp({ ...request('/'), url: 'ftp://127.0.0.1/' }), /unsupported protocol scheme "ftp"/);
  });

  it('checkResponse: 2xx passes, 5xx and listed codes are retried, bodies are bounded', () => {
    assert.equal(checkResponse({ status: 204, headers: {}, body: '' }), undefined);
    assert.deepEqual(checkResponse({ status: 503, headers: {}, body: 'busy' }), { ok: false, retryable: true, error: 'unexpected status code 503: busy' });
    assert.deepEqual(checkResponse({ status: 429, headers: {}, body: '' }, { retryCodes: [429] }), { ok: false, retryable: true, error: 'unexpected status code 429' });
    assert.deepEqual(checkResponse({ status: 429, headers: {}, body: '' }), { ok: false, retryable: false, error: 'unexpected status code 429' });
    assert.deepEqual(checkResponse({ status: 301, headers: {}, body: '' }), { ok: false, retryable: false, error: 'unexpected status code 301' });
    const long = checkResponse({ status: 400, headers: {}, body: 'é'.repeat(3000) });
    assert.equal(long?.ok === false && long.error.length, 'unexpected status code 400: '.length + 1025);
  });

  it('http_config headers: http_headers values, secrets and files, basic auth from files, authorization', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'vigil-http-'));
    try {
      writeFileSync(join(directory, 'password'), 'from-file\n');
      writeFileSync(join(directory, 'header'), 'h3\n');
      const headers = await httpConfigHeaders({
        ...plainConfig,
        basicAuth: { username: 'user', passwordFile: join(directory, 'password') },
        httpHeaders: { 'X-Multi': { values: ['h1'], secrets: ['h2'], files: [join(directory, 'header')] } },
      });
      assert.deepEqual(headers, { 'X-Multi': 'h1, h2, h3', Authorization: `Basic ${Buffer.from('user:from-file').toString('base64')}` });
      assert.deepEqual(await httpConfigHeaders({ ...plainConfig, authorization: { type: 'Token', credentials: 'abc' } }), { Authorization: 'Token abc' });
      await assert.rejects(httpConfigHeaders({ ...plainConfig, authorization: { type: 'Bearer', credentialsFile: join(directory, 'missing') } }), /unable to read authorization credentials file/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('sends plain HTTP through a proxy with the absolute URL and Proxy-Authorization', async () => {
    const proxied: { url: string; host: string; proxyAuthorization: string }[] = [];
    const proxy = http.createServer((incoming, response) => {
      proxied.push({ url: incoming.url ?? '', host: incoming.headers.host ?? '', proxyAuthorization: incoming.headers['proxy-authorization'] ?? '' });
      incoming.resume();
      incoming.on('end', () => response.end('via proxy'));
    });
    await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
    try {
      const proxyUrl = `http://user:p%40ss@127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const response = await nodeHttp({ ...request('/'), url: 'http://hooks.example:8080/alert?x=1', proxy: { url: proxyUrl, connectHeaders: {} } });
      assert.equal(response.body, 'via proxy');
      assert.deepEqual(proxied, [{ url: 'http://hooks.example:8080/alert?x=1', host: 'hooks.example:8080', proxyAuthorization: `Basic ${Buffer.from('user:p@ss').toString('base64')}` }]);
    } finally {
      await new Promise<void>((done) => proxy.close(() => done()));
    }
  });

  it("chooses the proxy as Prometheus's ProxyConfig does", () => {
    const proxy = { proxyFromEnvironment: false, proxyConnectHeader: { 'X-Via': ['a', 'b'] } };
    assert.equal(proxyFor(proxy, 'http://hooks.example/'), undefined);
    assert.deepEqual(proxyFor({ ...proxy, proxyUrl: 'http://proxy:3128' }, 'https://127.0.0.1/'), { url: 'http://proxy:3128', connectHeaders: { 'X-Via': 'a, b' } });
    // With no_proxy, loopback and listed hosts go direct.
    const listed = { ...proxy, proxyUrl: 'http://proxy:3128', noProxy: 'internal.example, 10.0.0.0/8' };
    assert.equal(proxyFor(listed, 'http://127.0.0.1/'), undefined);
    assert.equal(proxyFor(listed, 'http://a.internal.example/'), undefined);
    assert.equal(proxyFor(listed, 'http://10.1.2.3:9000/'), undefined);
    assert.equal(proxyFor(listed, 'http://hooks.example/')?.url, 'http://proxy:3128');
    const environment = { HTTPS_PROXY: 'proxy.corp:8080', NO_PROXY: '.corp' };
    const fromEnvironment = { ...proxy, proxyFromEnvironment: true };
    assert.equal(proxyFor(fromEnvironment, 'https://hooks.slack.com/x', environment)?.url, 'http://proxy.corp:8080');
    assert.equal(proxyFor(fromEnvironment, 'http://hooks.slack.com/x', environment), undefined);
    assert.equal(proxyFor(fromEnvironment, 'https://mail.corp/', environment), undefined);
    assert.equal(proxyFor(fromEnvironment, 'https://localhost/', environment), undefined);
    assert.equal(bypassesProxy('example.com', '443', 'example.com:8443'), false);
    assert.equal(bypassesProxy('example.com', '8443', 'example.com:8443'), true);
    assert.equal(bypassesProxy('example.com', '443', '.example.com'), false);
    assert.equal(bypassesProxy('anything', '80', '*'), true);
  });
});
