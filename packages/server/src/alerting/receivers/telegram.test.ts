import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { telegramTooLongMessage } from './telegram.ts';
import { capture, integrationsFor, receiverFromYaml, testAlert, testContext } from './test-helpers.ts';

const accepted = { status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true,"result":{"message_id":7}}' };

describe('telegram', () => {
  it('calls sendMessage with string parameters in key order; HTML mode escapes the data', async () => {
    const receiver = receiverFromYaml(`- name: test\n  telegram_configs: [{bot_token: 'T:1', chat_id: -1001234567890123, message: '<b>{{ .CommonAnnotations.summary }}</b>'}]`);
    const sent = capture(() => accepted);
    const [integration] = await integrationsFor(receiver, { http: sent.http });
    assert.deepEqual(await integration.notifier.notify(testContext(), [testAlert({}, { annotations: { summary: 'a<b & "c"' } })]), { ok: true });
    assert.equal(sent.requests[0].url, 'https://api.telegram.org/botT:1/sendMessage');
    assert.equal(sent.requests[0].body, '{"chat_id":"-1001234567890123","disable_web_page_preview":"true","parse_mode":"HTML","text":"\\u003cb\\u003ea\\u0026lt;b \\u0026amp; \\u0026#34;c\\u0026#34;\\u003c/b\\u003e"}\n');
  });

  it('other parse modes render text, cut to 4096 runes; disable_notifications, message_thread_id and chat_id_file', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'vigil-telegram-'));
    try {
      writeFileSync(join(directory, 'chat'), ' 42\n');
      const receiver = receiverFromYaml(`- name: test
  telegram_configs:
  - {bot_token: t, chat_id_file: '${join(directory, 'chat')}', parse_mode: MarkdownV2, disable_notifications: true, message_thread_id: 9, message: '{{ .CommonAnnotations.summary }}'}`);
      const sent = capture(() => accepted);
      const [integration] = await integrationsFor(receiver, { http: sent.http });
      await integration.notifier.notify(testContext(), [testAlert({}, { annotations: { summary: `<${'x'.repeat(5000)}` } })]);
      const parameters = JSON.parse(sent.requests[0].body);
      assert.deepEqual(Object.keys(parameters), ['chat_id', 'disable_notification', 'disable_web_page_preview', 'message_thread_id', 'parse_mode', 'text']);
      assert.equal(parameters.chat_id, '42');
      assert.equal(parameters.message_thread_id, '9');
      assert.equal(Array.from(parameters.text as string).length, 4096);
      assert.ok((parameters.text as string).startsWith('<x'));
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('an HTML message over the limit is replaced by a notice instead of being cut inside a tag', async () => {
    const receiver = receiverFromYaml(`- name: test\n  telegram_configs: [{bot_token: t, chat_id: 1, message: '{{ .CommonAnnotations.summary }}'}]`);
    const sent = capture(() => accepted);
    const [integration] = await integrationsFor(receiver, { http: sent.http });
    await integration.notifier.notify(testContext(), [testAlert({}, { annotations: { summary: 'y'.repeat(5000) } })]);
    assert.equal(JSON.parse(sent.requests[0].body).text, telegramTooLongMessage);
  });

  it('an answer that is not ok fails with its description', async () => {
    const receiver = receiverFromYaml(`- name: test\n  telegram_configs: [{bot_token: t, chat_id: 1}]`);
    const rejected = capture(() => ({ status: 200, headers: {}, body: '{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}' }));
    const [integration] = await integrationsFor(receiver, { http: rejected.http });
    assert.deepEqual(await integration.notifier.notify(testContext(), [testAlert({})]), { ok: false, retryable: true, error: 'telegram: Bad Request: chat not found (400)' });
    const [unauthorized] = await integrationsFor(receiver, { http: capture(() => ({ status: 401, headers: {}, body: '{"ok":false,"error_code":401,"description":"Unauthorized"}' })).http });
    assert.deepEqual(await unauthorized.notifier.notify(testContext(), [testAlert({})]), {
      ok: false,
      retryable: false,
      error: 'telegram: unexpected status code 401: {"ok":false,"error_code":401,"description":"Unauthorized"}',
    });
  });
});
