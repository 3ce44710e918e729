import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { capture, integrationsFor, receiverFromYaml, resolvedAlert, testAlert, testContext } from './test-helpers.ts';

const alias = createHash('sha256').update('{}:{alertname="HighErrorRate"}').digest('hex');

describe('opsgenie', () => {
  it('creates the alert: alias, message, description, details with the common labels, source, GenieKey', async () => {
    const receiver = receiverFromYaml(`- name: test\n  opsgenie_configs: [{api_key: k1, api_url: 'http://og.example/', details: {team: web}}]`);
    const sent = capture();
    const [integration] = await integrationsFor(receiver, { http: sent.http });
    assert.deepEqual(await integration.notifier.notify(testContext(), [testAlert({ severity: 'critical' }, { annotations: { summary: 'S' } })]), { ok: true });
    const [request] = sent.requests;
    assert.equal(request.method, 'POST');
    assert.equal(request.url, 'http://og.example/v2/alerts');
    assert.equal(request.headers.Authorization, 'GenieKey k1');
    assert.equal(
      request.body,
      `{"alias":"${alias}","message":"[FIRING:1] HighErrorRate (critical)","description":"S\\nAlerts Firing:\\nLabels:\\n - alertname = HighErrorRate\\n - severity = critical\\nAnnotations:\\n - summary = S\\nSource: http://prometheus.example/graph\\n\\n","details":{"alertname":"HighErrorRate","severity":"critical","team":"web"},"source":"http://vigil.example:9093/#/alerts?receiver=test"}\n`,
    );
  });

  it('closes the alert when the group resolves', async () => {
    const receiver = receiverFromYaml(`- name: test\n  opsgenie_configs: [{api_key: k1, api_url: 'http://og.example/'}]`);
    const sent = capture();
    const [integration] = await integrationsFor(receiver, { http: sent.http });
    await integration.notifier.notify(testContext(), [resolvedAlert(testAlert({}))]);
    assert.equal(sent.requests[0].url, `http://og.example/v2/alerts/${alias}/close?identifierType=alias`);
    assert.equal(sent.requests[0].body, '{"source":"http://vigil.example:9093/#/alerts?receiver=test"}\n');
  });

  it('responders (teams split into team entries, empty ones dropped), tags, actions, update_alerts', async () => {
    const receiver = receiverFromYaml(`- name: test
  opsgenie_configs:
  - api_key: k1
    api_url: 'http://og.example/'
    tags: ' a,,b '
    actions: 'x'
    priority: P2
    update_alerts: true
    responders: [{name: 'alpha,beta', type: teams}, {id: '{{ .CommonLabels.missing }}', type: '{{ .CommonLabels.missing }}'}, {username: u@example.org, type: user}]`);
    const sent = capture();
    const [integration] = await integrationsFor(receiver, { http: sent.http });
    await integration.notifier.notify(testContext(), [testAlert({})]);
    const create = JSON.parse(sent.requests[0].body);
    assert.deepEqual(create.responders, [{ name: 'alpha', type: 'team' }, { name: 'beta', type: 'team' }, { username: 'u@example.org', type: 'user' }]);
    assert.deepEqual(create.tags, ['a', 'b']);
    assert.deepEqual(create.actions, ['x']);
    assert.equal(create.priority, 'P2');
    assert.deepEqual(
      sent.requests.map((request) => [request.method, request.url.replace(alias, 'ALIAS')]),
      [
        ['POST', 'http://og.example/v2/alerts'],
        ['PUT', 'http://og.example/v2/alerts/ALIAS/message?identifierType=alias'],
        ['PUT', 'http://og.example/v2/alerts/ALIAS/description?identifierType=alias'],
      ],
    );
    assert.equal(sent.requests[1].body, `{"message":${JSON.stringify(create.message)}}\n`);
  });

  it('message is cut to 130 runes; 429 is retried, 422 is not', async () => {
    const receiver = receiverFromYaml(`- name: test\n  opsgenie_configs: [{api_key: k1, api_url: 'http://og.example/', message: '{{ .CommonAnnotations.summary }}'}]`);
    const sent = capture();
    const [integration] = await integrationsFor(receiver, { http: sent.http });
    await integration.notifier.notify(testContext(), [testAlert({}, { annotations: { summary: 'm'.repeat(200) } })]);
    assert.equal(JSON.parse(sent.requests[0].body).message, `${'m'.repeat(129)}…`);
    for (const [status, retryable] of [
      [429, true],
      [422, false],
    ] as const) {
      const [failing] = await integrationsFor(receiver, { http: capture(() => ({ status, headers: {}, body: '{"message":"bad"}' })).http });
      assert.deepEqual(await failing.notifier.notify(testContext(), [testAlert({})]), { ok: false, retryable, error: `unexpected status code ${status}: {"message":"bad"}` });
    }
  });
});
