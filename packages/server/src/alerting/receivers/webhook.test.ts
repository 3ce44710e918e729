import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { capture, integrationsFor, receiverFromYaml, resolvedAlert, testAlert, testContext } from './test-helpers.ts';

describe('webhook', () => {
  it('posts the version 4 payload with Alertmanager field order and Go JSON escaping', async () => {
    const receiver = receiverFromYaml(`- name: test\n  webhook_configs: [{url: 'http://hooks.example/alert?a=1'}]`);
    const sent = capture();
    const [integration] = await integrationsFor(receiver, { http: sent.http });
    assert.equal(integration.kind, 'webhook');
    assert.equal(integration.sendResolved, true, 'send_resolved defaults to true for webhooks');
    const firing = testAlert({ instance: 'a:80', severity: 'critical' }, { annotations: { summary: 'x < y & z' }, generatorURL: 'http://prom/graph?g0.expr=a&g0.tab=1' });
    const gone = resolvedAlert(testAlert({ instance: 'b:80', severity: 'critical' }, { startsAt: Date.parse('2026-01-15T11:00:00.5Z') }));
    assert.deepEqual(await integration.notifier.notify(testContext(), [firing, gone]), { ok: true });
    const [request] = sent.requests;
    assert.equal(request.url, 'http://hooks.example/alert?a=1');
    assert.equal(request.method, 'POST');
    assert.equal(request.headers['Content-Type'], 'application/json');
    assert.equal(request.headers['User-Agent'], 'Vigil/test');
    assert.equal(
      request.body,
      '{"receiver":"test","status":"firing","alerts":[' +
        '{"status":"firing","labels":{"alertname":"HighErrorRate","instance":"a:80","severity":"critical"},"annotations":{"summary":"x \\u003c y \\u0026 z"},"startsAt":"2026-01-15T11:00:00Z","endsAt":"0001-01-01T00:00:00Z","generatorURL":"http://prom/graph?g0.expr=a\\u0026g0.tab=1","fingerprint":"23b91ed4bf711848"},' +
        '{"status":"resolved","labels":{"alertname":"HighErrorRate","instance":"b:80","severity":"critical"},"annotations":{"summary":"High error rate"},"startsAt":"2026-01-15T11:00:00.5Z","endsAt":"2026-01-15T11:59:00Z","generatorURL":"http://prometheus.example/graph","fingerprint":"ed7a69b8261bd59d"}],' +
        '"groupLabels":{"alertname":"HighErrorRate"},"commonLabels":{"alertname":"HighErrorRate","severity":"critical"},"commonAnnotations":{},' +
        '"externalURL":"http://vigil.example:9093","version":"4","groupKey":"{}:{alertname=\\"HighErrorRate\\"}","truncatedAlerts":0}\n',
    );
  });

  it('max_alerts keeps the first alerts and counts the rest in truncatedAlerts; the status describes the kept ones', async () => {
    const receiver = receiverFromYaml(`- name: test\n  webhook_configs: [{url: 'http://hooks.example/', max_alerts: 1}]`);
    const sent = capture();
    const [integration] = await integrationsFor(receiver, { http: sent.http });
    const alerts = [resolvedAlert(testAlert({ instance: 'a' })), testAlert({ instance: 'b' }), testAlert({ instance: 'c' })];
    assert.deepEqual(await integration.notifier.notify(testContext(), alerts), { ok: true });
    const payload = JSON.parse(sent.requests[0].body);
    assert.equal(payload.alerts.length, 1);
    assert.equal(payload.truncatedAlerts, 2);
    assert.equal(payload.status, 'resolved');
    assert.deepEqual(payload.commonLabels, { alertname: 'HighErrorRate', instance: 'a' });
  });

  it('the URL may be a template or come from url_file', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'vigil-webhook-'));
    try {
      writeFileSync(join(directory, 'url'), '  http://from-file.example/hook\n');
      const receiver = receiverFromYaml(
        `- name: test\n  webhook_configs:\n  - url: 'http://hooks.example/{{ .GroupLabels.alertname }}'\n  - url_file: '${join(directory, 'url')}'\n  - url: '{{ .CommonLabels.nothing }}'`,
      );
      const sent = capture();
      const [templated, fromFile, empty] = await integrationsFor(receiver, { http: sent.http });
      assert.deepEqual(await templated.notifier.notify(testContext(), [testAlert({})]), { ok: true });
      assert.deepEqual(await fromFile.notifier.notify(testContext(), [testAlert({})]), { ok: true });
      assert.deepEqual(sent.requests.map((request) => request.url), ['http://hooks.example/HighErrorRate', 'http://from-file.example/hook']);
      assert.deepEqual(await empty.notifier.notify(testContext(), [testAlert({})]), { ok: false, retryable: false, error: 'webhook URL is empty after templating' });
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('classifies failures: 5xx and 429 retried, other 4xx not, network errors retried; errors quote a bounded body', async () => {
    const receiver = receiverFromYaml(`- name: test\n  webhook_configs: [{url: 'http://hooks.example/'}]`);
    const cases: [number, boolean][] = [
      [500, true],
      [503, true],
      [429, true],
      [400, false],
      [404, false],
    ];
    for (const [status, retryable] of cases) {
      const [integration] = await integrationsFor(receiver, { http: capture(() => ({ status, headers: {}, body: 'x'.repeat(5000) })).http });
      const result = await integration.notifier.notify(testContext(), [testAlert({})]);
      assert.equal(result.ok, false);
      assert.equal(!result.ok && result.retryable, retryable, `status ${status}`);
      assert.match(!result.ok ? result.error : '', new RegExp(`^unexpected status code ${status}: x{1024}…$`));
    }
    const [down] = await integrationsFor(receiver, {
      http: capture(() => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:1');
      }).http,
    });
    assert.deepEqual(await down.notifier.notify(testContext(), [testAlert({})]), { ok: false, retryable: true, error: 'Post "<redacted>": connect ECONNREFUSED 127.0.0.1:1' });
  });

  it('http_config adds basic auth, authorization and headers', async () => {
    const receiver = receiverFromYaml(
      `- name: test\n  webhook_configs:\n  - url: 'http://hooks.example/'\n    http_config: {basic_auth: {username: u, password: 'p:w'}}\n  - url: 'http://hooks.example/'\n    http_config: {authorization: {credentials: tok}}\n  - url: 'http://hooks.example/'\n    http_config: {http_headers: {X-Team: {values: [web]}}}`,
    );
    const sent = capture();
    for (const integration of await integrationsFor(receiver, { http: sent.http })) await integration.notifier.notify(testContext(), [testAlert({})]);
    assert.equal(sent.requests[0].headers.Authorization, `Basic ${Buffer.from('u:p:w').toString('base64')}`);
    assert.equal(sent.requests[1].headers.Authorization, 'Bearer tok');
    assert.equal(sent.requests[2].headers['X-Team'], 'web');
  });

  it('timeout aborts the request (retried)', async () => {
    const receiver = receiverFromYaml(`- name: test\n  webhook_configs: [{url: 'http://hooks.example/', timeout: 50ms}]`);
    const hanging = capture(
      (request) =>
        new Promise((_resolve, reject) => {
          request.signal.addEventListener('abort', () => reject(new Error('The operation was aborted')));
        }),
    );
    const [integration] = await integrationsFor(receiver, { http: hanging.http });
    // AbortSignal.timeout does not keep the process alive; this timer does, until the answer.
    const keepAlive = setTimeout(() => undefined, 5000);
    const result = await integration.notifier.notify(testContext(), [testAlert({})]);
    clearTimeout(keepAlive);
    assert.deepEqual(result, { ok: false, retryable: true, error: 'Post "<redacted>": The operation was aborted' });
  });
});
