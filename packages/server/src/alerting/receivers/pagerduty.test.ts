import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { capture, integrationsFor, receiverFromYaml, resolvedAlert, testAlert, testContext } from './test-helpers.ts';

const dedupKey = createHash('sha256').update('{}:{alertname="HighErrorRate"}').digest('hex');

describe('pagerduty', () => {
  it('v2: trigger event with the group key hash, defaults, and details as current Alertmanager renders them', async () => {
    const receiver = receiverFromYaml(`- name: test\n  pagerduty_configs: [{routing_key: rk, url: 'http://pd.example/v2/enqueue'}]`);
    const sent = capture(() => ({ status: 202, headers: {}, body: '' }));
    const [integration] = await integrationsFor(receiver, { http: sent.http });
    assert.equal(integration.sendResolved, true);
    assert.deepEqual(await integration.notifier.notify(testContext(), [testAlert({ severity: 'critical' })]), { ok: true });
    const request = sent.requests[0];
    assert.equal(request.url, 'http://pd.example/v2/enqueue');
    const event = JSON.parse(request.body);
    assert.deepEqual(Object.keys(event), ['routing_key', 'dedup_key', 'event_action', 'payload', 'client', 'client_url']);
    assert.equal(event.dedup_key, dedupKey);
    assert.equal(event.event_action, 'trigger');
    assert.deepEqual(Object.keys(event.payload), ['summary', 'source', 'severity', 'custom_details']);
    assert.equal(event.payload.summary, '[FIRING:1] HighErrorRate (critical)');
    assert.equal(event.payload.source, 'Alertmanager');
    assert.equal(event.payload.severity, 'error');
    assert.equal(event.client_url, 'http://vigil.example:9093/#/alerts?receiver=test');
    // {{ .Alerts.Firing | toJson }} is sent as a JSON list, counts as numbers (Alertmanager ≥ 0.28).
    assert.deepEqual(Object.keys(event.payload.custom_details), ['firing', 'num_firing', 'num_resolved', 'resolved']);
    assert.equal(event.payload.custom_details.num_firing, 1);
    assert.deepEqual(event.payload.custom_details.resolved, []);
    assert.equal(event.payload.custom_details.firing[0].labels.severity, 'critical');
    assert.equal(event.payload.custom_details.firing[0].status, 'firing');
  });

  it('v2: resolve event when every alert is resolved; images and links without src/href are dropped', async () => {
    const receiver = receiverFromYaml(`- name: test
  pagerduty_configs:
  - routing_key: rk
    url: 'http://pd.example/v2/enqueue'
    severity: '{{ .CommonLabels.severity }}'
    class: c
    group: g
    images: [{src: 'http://img', alt: a}, {alt: none}]
    links: [{href: 'http://l', text: t}, {text: none}]
    details: {firing: 'x', a: {b: '{{ .Status }}'}}`);
    const sent = capture(() => ({ status: 202, headers: {}, body: '' }));
    const [integration] = await integrationsFor(receiver, { http: sent.http });
    await integration.notifier.notify(testContext(), [resolvedAlert(testAlert({ severity: 'warning' }))]);
    const event = JSON.parse(sent.requests[0].body);
    assert.equal(event.event_action, 'resolve');
    assert.equal(event.payload.severity, 'warning');
    assert.equal(event.payload.class, 'c');
    assert.equal(event.payload.group, 'g');
    assert.deepEqual(event.images, [{ src: 'http://img', alt: 'a', href: '' }]);
    assert.deepEqual(event.links, [{ href: 'http://l', text: 't' }]);
    assert.deepEqual(event.payload.custom_details.a, { b: 'resolved' });
    assert.equal(event.payload.custom_details.firing, 'x');
  });

  it('v1: the generic events API body (service_key, incident_key, event_type, description, details)', async () => {
    const receiver = receiverFromYaml(`- name: test\n  pagerduty_configs: [{service_key: sk, details: {note: '{{ .Status }} now'}}]`);
    const sent = capture();
    const [integration] = await integrationsFor(receiver, { http: sent.http });
    await integration.notifier.notify(testContext(), [testAlert({})]);
    assert.equal(sent.requests[0].url, 'https://events.pagerduty.com/generic/2010-04-15/create_event.json');
    const event = JSON.parse(sent.requests[0].body);
    assert.deepEqual(Object.keys(event), ['service_key', 'incident_key', 'event_type', 'description', 'event_action', 'payload', 'client', 'client_url', 'details']);
    assert.equal(event.incident_key, dedupKey);
    assert.equal(event.event_type, 'trigger');
    assert.equal(event.event_action, '');
    assert.equal(event.payload, null);
    assert.equal(event.description, '[FIRING:1] HighErrorRate ');
    assert.equal(event.details.note, 'firing now');
    await integration.notifier.notify(testContext(), [resolvedAlert(testAlert({}))]);
    const resolved = JSON.parse(sent.requests[1].body);
    assert.equal(resolved.event_type, 'resolve');
    assert.equal('client' in resolved, false, 'no client on resolve');
  });

  it('an event over 512 KB loses its details', async () => {
    const receiver = receiverFromYaml(`- name: test\n  pagerduty_configs: [{routing_key: rk, url: 'http://pd/', details: {big: '{{ .CommonAnnotations.summary }}'}}]`);
    const sent = capture(() => ({ status: 202, headers: {}, body: '' }));
    const warnings: string[] = [];
    const [integration] = await integrationsFor(receiver, { http: sent.http, logger: { warn: (message) => warnings.push(message), debug: () => undefined } });
    await integration.notifier.notify(testContext(), [testAlert({}, { annotations: { summary: 'x'.repeat(600_000) } })]);
    const event = JSON.parse(sent.requests[0].body);
    assert.deepEqual(event.payload.custom_details, { error: 'Custom details have been removed because the original event exceeds the maximum size of 512KB' });
    assert.ok(sent.requests[0].body.length < 512_000);
    assert.equal(warnings.length, 1);
  });

  it('retries 5xx and 429 (v2) or 403 (v1); explains 400 answers from their JSON', async () => {
    const v2 = receiverFromYaml(`- name: test\n  pagerduty_configs: [{routing_key: rk, url: 'http://pd/'}]`);
    const v1 = receiverFromYaml(`- name: test\n  pagerduty_configs: [{service_key: sk}]`);
    const outcome = async (receiver: typeof v1, status: number, body = ''): Promise<unknown> => {
      const [integration] = await integrationsFor(receiver, { http: capture(() => ({ status, headers: {}, body })).http });
      return await integration.notifier.notify(testContext(), [testAlert({})]);
    };
    assert.deepEqual(await outcome(v2, 429), { ok: false, retryable: true, error: 'unexpected status code 429' });
    assert.deepEqual(await outcome(v2, 502), { ok: false, retryable: true, error: 'unexpected status code 502' });
    assert.deepEqual(await outcome(v1, 403), { ok: false, retryable: true, error: 'unexpected status code 403' });
    assert.deepEqual(await outcome(v2, 400, '{"status":"invalid event","message":"Event object is invalid","errors":["Length of \'routing_key\' is incorrect"]}'), {
      ok: false,
      retryable: false,
      error: "unexpected status code 400: Event object is invalid: Length of 'routing_key' is incorrect",
    });
  });

  it('a network error is retried and says where it was going', async () => {
    const receiver = receiverFromYaml(`- name: test\n  pagerduty_configs: [{routing_key: rk, url: 'http://pd/'}]`);
    const failing = capture(() => {
      throw new Error('getaddrinfo ENOTFOUND pd');
    });
    const [integration] = await integrationsFor(receiver, { http: failing.http });
    assert.deepEqual(await integration.notifier.notify(testContext(), [testAlert({})]), {
      ok: false,
      retryable: true,
      error: 'failed to post message to PagerDuty: Post "<redacted>": getaddrinfo ENOTFOUND pd',
    });
  });

  it('a routing key that renders empty fails without retry', async () => {
    const receiver = receiverFromYaml(`- name: test\n  pagerduty_configs: [{routing_key: '{{ .CommonLabels.missing }}', url: 'http://pd/'}]`);
    const [integration] = await integrationsFor(receiver, { http: capture().http });
    assert.deepEqual(await integration.notifier.notify(testContext(), [testAlert({})]), { ok: false, retryable: false, error: 'routing key cannot be empty' });
  });
});
