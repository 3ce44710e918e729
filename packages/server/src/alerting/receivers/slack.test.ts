import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpResponse } from './http.ts';
import { capture, integrationsFor, receiverFromYaml, resolvedAlert, testAlert, testContext } from './test-helpers.ts';

describe('slack', () => {
  it('posts channel, username and one attachment with Alertmanager defaults and omitempty rules', async () => {
    const receiver = receiverFromYaml(`- name: test\n  slack_configs: [{api_url: 'http://slack.example/hook', channel: '#ops'}]`);
    const sent = capture();
    const [integration] = await integrationsFor(receiver, { http: sent.http });
    assert.equal(integration.sendResolved, false, 'send_resolved defaults to false for Slack');
    assert.deepEqual(await integration.notifier.notify(testContext(), [testAlert({ severity: 'page' })]), { ok: true });
    assert.equal(
      sent.requests[0].body,
      '{"channel":"#ops","username":"Alertmanager","attachments":[{"title":"[FIRING:1] HighErrorRate (page)","title_link":"http://vigil.example:9093/#/alerts?receiver=test","text":"","fallback":"[FIRING:1] HighErrorRate (page) | http://vigil.example:9093/#/alerts?receiver=test","callback_id":"","footer":"","color":"danger","mrkdwn_in":["fallback","pretext","text"]}]}\n',
    );
    await integration.notifier.notify(testContext(), [resolvedAlert(testAlert({ severity: 'page' }))]);
    assert.match(sent.requests[1].body, /"title":"\[RESOLVED\] HighErrorRate \(page\)".*"color":"good"/);
  });

  it('fields take short from the config when unset; actions drop empty keys; link_names and message_text', async () => {
    const receiver = receiverFromYaml(`- name: test
  slack_configs:
  - api_url: 'http://slack.example/hook'
    short_fields: true
    link_names: true
    message_text: 'hello {{ .Status }}'
    mrkdwn_in: [text]
    fields: [{title: a, value: '1'}, {title: b, value: '2', short: false}]
    actions: [{type: button, text: Go, url: 'http://x/?a=1&b=2'}, {type: button, text: Ack, name: ack, value: v, confirm: {text: sure}}]`);
    const sent = capture();
    const [integration] = await integrationsFor(receiver, { http: sent.http });
    await integration.notifier.notify(testContext(), [testAlert({})]);
    const body = sent.requests[0].body;
    assert.match(body, /"link_names":true,"text":"hello firing","attachments"/);
    assert.match(body, /"fields":\[\{"title":"a","value":"1","short":true\},\{"title":"b","value":"2","short":false\}\]/);
    assert.match(body, /"actions":\[\{"type":"button","text":"Go","url":"http:\/\/x\/\?a=1\\u0026b=2"\},\{"type":"button","text":"Ack","name":"ack","value":"v","confirm":\{"text":"sure"\}\}\]/);
    assert.match(body, /"mrkdwn_in":\["text"\]/);
  });

  it('truncates titles to 1024 runes with …', async () => {
    const receiver = receiverFromYaml(`- name: test\n  slack_configs: [{api_url: 'http://slack.example/hook', title: '{{ .CommonAnnotations.summary }}'}]`);
    const sent = capture();
    const warnings: string[] = [];
    const [integration] = await integrationsFor(receiver, { http: sent.http, logger: { warn: (message) => warnings.push(message), debug: () => undefined } });
    await integration.notifier.notify(testContext(), [testAlert({}, { annotations: { summary: 'é'.repeat(2000) } })]);
    const title = JSON.parse(sent.requests[0].body).attachments[0].title as string;
    assert.equal(Array.from(title).length, 1024);
    assert.ok(title.endsWith('é…'));
    assert.deepEqual(warnings, ['Truncated title']);
  });

  it('checks the answer: "ok" text from webhooks, JSON ok from the Web API, and the status codes', async () => {
    const receiver = receiverFromYaml(`- name: test\n  slack_configs: [{api_url: 'http://slack.example/hook', channel: '#ops'}]`);
    const results = [];
    const answers: HttpResponse[] = [
      { status: 200, headers: {}, body: 'ok' },
      { status: 200, headers: {}, body: 'invalid_payload' },
      { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: '{"ok":true}' },
      { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":false,"error":"channel_not_found"}' },
      { status: 404, headers: {}, body: 'no_service' },
      { status: 500, headers: {}, body: '' },
    ];
    for (const answer of answers) {
      const [integration] = await integrationsFor(receiver, { http: capture(() => answer).http });
      results.push(await integration.notifier.notify(testContext(), [testAlert({})]));
    }
    assert.deepEqual(results, [
      { ok: true },
      { ok: false, retryable: false, error: 'channel "#ops": received an error response from Slack: invalid_payload' },
      { ok: true },
      { ok: false, retryable: false, error: 'channel "#ops": error response from Slack: channel_not_found' },
      { ok: false, retryable: false, error: 'channel "#ops": unexpected status code 404: no_service' },
      { ok: false, retryable: true, error: 'channel "#ops": unexpected status code 500' },
    ]);
  });

  it('an app token posts to chat.postMessage with a bearer token', async () => {
    const receiver = receiverFromYaml(`- name: test\n  slack_configs: [{channel: '#ops'}]`, `  slack_app_token: xoxb-1\n  slack_app_url: 'http://slack.example/api/chat.postMessage'`);
    const sent = capture(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' }));
    const [integration] = await integrationsFor(receiver, { http: sent.http });
    assert.deepEqual(await integration.notifier.notify(testContext(), [testAlert({})]), { ok: true });
    assert.equal(sent.requests[0].url, 'http://slack.example/api/chat.postMessage');
    assert.equal(sent.requests[0].headers.Authorization, 'Bearer xoxb-1');
  });
});
