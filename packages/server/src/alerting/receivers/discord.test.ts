import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { capture, integrationsFor, receiverFromYaml, resolvedAlert, testAlert, testContext } from './test-helpers.ts';

describe('discord', () => {
  it('one embed coloured by status; username and avatar_url only when set', async () => {
    const receiver = receiverFromYaml(`- name: test
  discord_configs:
  - webhook_url: 'http://discord.example/api/webhooks/1/x'
  - webhook_url: 'http://discord.example/api/webhooks/1/x'
    username: Vigil
    avatar_url: 'http://img.example/a.png'
    content: '<@&123> {{ .Status }}'`);
    const sent = capture(() => ({ status: 204, headers: {}, body: '' }));
    const [plain, custom] = await integrationsFor(receiver, { http: sent.http });
    await plain.notifier.notify(testContext(), [testAlert({})]);
    await custom.notifier.notify(testContext(), [resolvedAlert(testAlert({}))]);
    const first = JSON.parse(sent.requests[0].body);
    assert.deepEqual(Object.keys(first), ['content', 'embeds']);
    assert.deepEqual({ ...first.embeds[0], description: undefined }, { title: '[FIRING:1] HighErrorRate ', description: undefined, color: 0x992d22 });
    const second = JSON.parse(sent.requests[1].body);
    assert.deepEqual(Object.keys(second), ['content', 'embeds', 'username', 'avatar_url']);
    assert.equal(second.content, '<@&123> resolved');
    assert.equal(second.embeds[0].color, 0x2ecc71);
    assert.match(sent.requests[1].body, /"content":"\\u003c@\\u0026123\\u003e resolved"/);
  });

  it('cuts title, description and content to Discord limits', async () => {
    const receiver = receiverFromYaml(`- name: test\n  discord_configs: [{webhook_url: 'http://d/', title: '{{ .CommonAnnotations.summary }}', message: '{{ .CommonAnnotations.summary }}', content: '{{ .CommonAnnotations.summary }}'}]`);
    const sent = capture(() => ({ status: 204, headers: {}, body: '' }));
    const [integration] = await integrationsFor(receiver, { http: sent.http });
    await integration.notifier.notify(testContext(), [testAlert({}, { annotations: { summary: 'z'.repeat(5000) } })]);
    const body = JSON.parse(sent.requests[0].body);
    assert.deepEqual([Array.from(body.embeds[0].title as string).length, Array.from(body.embeds[0].description as string).length, Array.from(body.content as string).length], [256, 4096, 2000]);
  });
});
