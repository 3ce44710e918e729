import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { OAuth2Config } from '../../config/index.ts';
import type { HttpResponse } from './http.ts';
import { OAuth2TokenSource } from './oauth2.ts';
import { capture, integrationsFor, receiverFromYaml, testAlert, testContext } from './test-helpers.ts';

const baseConfig: OAuth2Config = {
  clientId: 'vigil id',
  clientSecret: 's&cret',
  scopes: ['alerts.write', 'read'],
  tokenUrl: 'http://auth.example/token',
  endpointParams: { audience: 'hooks' },
  tlsConfig: { insecureSkipVerify: false },
  proxy: { proxyFromEnvironment: false, proxyConnectHeader: {} },
  extra: {},
};

describe('oauth2 client credentials', () => {
  it('fetches a token with basic auth and the form, reuses it until 10 s before expiry', async () => {
    let now = 1_000_000;
    let issued = 0;
    const sent = capture(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ access_token: `token-${++issued}`, token_type: 'bearer', expires_in: 60 }) }));
    const source = new OAuth2TokenSource(baseConfig, { http: sent.http, userAgent: 'Vigil', readSecretFile: async () => '', now: () => now });
    assert.equal(await source.authorization(AbortSignal.timeout(1000)), 'Bearer token-1');
    now += 49_000;
    assert.equal(await source.authorization(AbortSignal.timeout(1000)), 'Bearer token-1');
    now += 2_000;
    assert.equal(await source.authorization(AbortSignal.timeout(1000)), 'Bearer token-2');
    const [first] = sent.requests;
    assert.equal(first.url, 'http://auth.example/token');
    assert.equal(first.headers['Content-Type'], 'application/x-www-form-urlencoded');
    assert.equal(first.headers.Authorization, `Basic ${Buffer.from('vigil+id:s%26cret').toString('base64')}`);
    assert.deepEqual(Object.fromEntries(new URLSearchParams(first.body)), { grant_type: 'client_credentials', scope: 'alerts.write read', audience: 'hooks' });
  });

  it('falls back to credentials in the body when the server refuses the header, and remembers it', async () => {
    const sent = capture((request): HttpResponse =>
      request.headers.Authorization === undefined
        ? { status: 200, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'access_token=abc&token_type=Token' }
        : { status: 401, headers: {}, body: '{"error":"invalid_client"}' },
    );
    const source = new OAuth2TokenSource({ ...baseConfig, scopes: [], endpointParams: {} }, { http: sent.http, userAgent: 'Vigil', readSecretFile: async () => '' });
    assert.equal(await source.authorization(AbortSignal.timeout(1000)), 'Token abc');
    assert.deepEqual(Object.fromEntries(new URLSearchParams(sent.requests[1].body)), { grant_type: 'client_credentials', client_id: 'vigil id', client_secret: 's&cret' });
  });

  it('a refused token request fails the notification (retried) with the server answer', async () => {
    const receiver = receiverFromYaml(`- name: test\n  webhook_configs: [{url: 'http://hook.example/', http_config: {oauth2: {client_id: c, client_secret: s, token_url: 'http://auth.example/token'}}}]`);
    const sent = capture((request) => (request.url.includes('/token') ? { status: 400, headers: {}, body: '{"error":"invalid_grant"}' } : { status: 200, headers: {}, body: 'ok' }));
    const [integration] = await integrationsFor(receiver, { http: sent.http });
    const result = await integration.notifier.notify(testContext(), [testAlert({})]);
    assert.deepEqual(result, { ok: false, retryable: true, error: 'Post "<redacted>": oauth2: cannot fetch token: 400\nResponse: {"error":"invalid_grant"}' });
  });

  it('webhooks send the token; one token request serves several notifications (real HTTP)', async () => {
    const seen: string[] = [];
    const server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        seen.push(`${request.url} ${request.headers.authorization ?? ''}`);
        if (request.url === '/token') {
          response.setHeader('Content-Type', 'application/json');
          response.end(JSON.stringify({ access_token: 'tok', token_type: 'Bearer', expires_in: 3600 }));
        } else response.end('ok');
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const receiver = receiverFromYaml(`- name: test\n  webhook_configs: [{url: '${base}/hook', http_config: {oauth2: {client_id: c, client_secret: s, token_url: '${base}/token'}}}]`);
      const [integration] = await integrationsFor(receiver, {});
      for (let attempt = 0; attempt < 2; attempt++) assert.deepEqual(await integration.notifier.notify(testContext(), [testAlert({})]), { ok: true });
      assert.deepEqual(seen, [`/token Basic ${Buffer.from('c:s').toString('base64')}`, '/hook Bearer tok', '/hook Bearer tok']);
    } finally {
      await new Promise<void>((done) => server.close(() => done()));
    }
  });
});
