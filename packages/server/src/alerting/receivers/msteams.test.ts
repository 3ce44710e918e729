import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { capture, integrationsFor, receiverFromYaml, resolvedAlert, testAlert, testContext } from './test-helpers.ts';

describe('msteams', () => {
  it('posts the MessageCard Alertmanager 0.26+ sends: @context, type, title, summary, markdown text, themeColor', async () => {
    const receiver = receiverFromYaml(`- name: test\n  msteams_configs: [{webhook_url: 'http://teams.example/webhook'}]`);
    const sent = capture();
    const [integration] = await integrationsFor(receiver, { http: sent.http });
    assert.equal(integration.kind, 'msteams');
    assert.equal(integration.sendResolved, true);
    assert.deepEqual(await integration.notifier.notify(testContext(), [testAlert({ instance: 'a' }, { annotations: { summary: 'S' } })]), { ok: true });
    assert.equal(sent.requests[0].url, 'http://teams.example/webhook');
    assert.equal(
      sent.requests[0].body,
      '{"@context":"http://schema.org/extensions","type":"MessageCard","title":"[FIRING:1] HighErrorRate (a)","summary":"[FIRING:1] HighErrorRate (a)",' +
        '"text":"\\n\\n# Alerts Firing:\\n\\nLabels:\\n  - alertname = HighErrorRate\\n  - instance = a\\n\\nAnnotations:\\n  - summary = S\\n\\nSource: http://prometheus.example/graph\\n\\n\\n\\n\\n","themeColor":"8C1A1A"}\n',
    );
    await integration.notifier.notify(testContext(), [resolvedAlert(testAlert({ instance: 'a' }))]);
    assert.equal(JSON.parse(sent.requests[1].body).themeColor, '2DC72D');
  });

  it('a 4xx answer is not retried', async () => {
    const receiver = receiverFromYaml(`- name: test\n  msteams_configs: [{webhook_url: 'http://teams.example/webhook'}]`);
    const [integration] = await integrationsFor(receiver, { http: capture(() => ({ status: 400, headers: {}, body: 'Bad payload' })).http });
    assert.deepEqual(await integration.notifier.notify(testContext(), [testAlert({})]), { ok: false, retryable: false, error: 'unexpected status code 400: Bad payload' });
  });
});
