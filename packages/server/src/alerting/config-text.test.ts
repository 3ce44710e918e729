import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactConfigText } from './config-text.ts';

test('secrets in the config text are replaced by <secret>, the rest and the comments stay', () => {
  const text = `# production
global:
  smtp_auth_password: hunter2
  slack_api_url: https://hooks.slack.com/services/T/B/X
  resolve_timeout: 5m
receivers:
  - name: team
    webhook_configs:
      - url: https://hooks.example.com/token-in-path
        http_config:
          basic_auth: { username: vigil, password: s3cret }
    slack_configs:
      - api_url: https://hooks.slack.com/services/T/B/Y
        channel: '#alerts'
    pagerduty_configs:
      - routing_key: abc123
        url: https://events.pagerduty.com/v2/enqueue
`;
  const redacted = redactConfigText(text);
  for (const secret of ['hunter2', 'T/B/X', 'token-in-path', 's3cret', 'T/B/Y', 'abc123']) assert.ok(!redacted.includes(secret), secret);
  assert.match(redacted, /^# production/);
  assert.match(redacted, /resolve_timeout: 5m/);
  assert.match(redacted, /username: vigil/);
  assert.match(redacted, /channel: '#alerts'/);
  assert.match(redacted, /url: https:\/\/events\.pagerduty\.com\/v2\/enqueue/);
});
