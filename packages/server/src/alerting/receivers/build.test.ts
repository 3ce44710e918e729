import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildIntegrations, IntegrationConfigError } from './build.ts';
import { defaultTemplates, receiverFromYaml } from './test-helpers.ts';

describe('buildIntegrations', () => {
  it("builds one integration per config, in Alertmanager's order, counting positions per kind", async () => {
    const receiver = receiverFromYaml(`- name: test
  webhook_configs: [{url: 'http://a/'}, {url: 'http://b/', send_resolved: false}]
  slack_configs: [{api_url: 'http://s/'}]
  msteams_configs: [{webhook_url: 'http://t/'}]
  discord_configs: [{webhook_url: 'http://d/'}]
  telegram_configs: [{bot_token: t, chat_id: 1}]
  opsgenie_configs: [{api_key: k}]
  pagerduty_configs: [{routing_key: r}]
  email_configs: [{to: a@example.org, smarthost: 'm:25', from: b@example.org}]`);
    const integrations = buildIntegrations(receiver, { templates: await defaultTemplates() });
    assert.deepEqual(
      integrations.map((integration) => [integration.kind, integration.index, integration.sendResolved]),
      [
        ['email', 0, false],
        ['pagerduty', 0, true],
        ['opsgenie', 0, true],
        ['webhook', 0, true],
        ['webhook', 1, false],
        ['slack', 0, false],
        ['telegram', 0, true],
        ['discord', 0, true],
        ['msteams', 0, true],
      ],
    );
  });

  it('refuses http_config it cannot honour instead of sending without it', async () => {
    const socks = receiverFromYaml(`- name: test
  webhook_configs:
  - url: 'http://a/'
    http_config: {proxy_url: 'socks5://user:secret@proxy:1080'}`);
    assert.throws(() => buildIntegrations(socks, { templates: undefined as never }), (error: unknown) => {
      assert.ok(error instanceof IntegrationConfigError);
      assert.equal(error.message, 'receiver "test": webhook_configs[0]: proxy_url "socks5://proxy:1080": only http:// proxies are supported by Vigil yet');
      return true;
    });
    const reference = receiverFromYaml(`- name: test\n  slack_configs: [{api_url: 'http://s/', http_config: {oauth2: {client_id: c, client_secret_ref: vault, token_url: 'http://token/'}}}]`);
    assert.throws(() => buildIntegrations(reference, { templates: undefined as never }), /slack_configs\[0\]: secret references \(\*_ref\) in http_config are not supported by Vigil yet/);
  });
});
