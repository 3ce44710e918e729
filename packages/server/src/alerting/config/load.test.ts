import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../config/index.ts';
import { formatMatchers } from '../matchers/index.ts';
import { checkAlertmanagerCommand, loadAlertmanagerConfig, parseAlertmanagerConfig } from './index.ts';

const SEEDS = join(dirname(fileURLToPath(import.meta.url)), '../../../../../examples/seeds');

function errorOf(text: string): string {
  try {
    parseAlertmanagerConfig(text, 'am.yml');
  } catch (error) {
    assert.ok(error instanceof ConfigError, `not a ConfigError: ${String(error)}`);
    return error.message;
  }
  assert.fail('config loaded');
}

const MINIMAL = 'route:\n  receiver: r\nreceivers:\n  - name: r\n';

describe('alertmanager.yml defaults and inheritance', () => {
  it('fills in global defaults', () => {
    const { config, warnings } = parseAlertmanagerConfig(MINIMAL, 'am.yml');
    assert.deepEqual(warnings, []);
    assert.equal(config.global.resolveTimeoutMs, 300_000);
    assert.equal(config.global.smtpHello, 'localhost');
    assert.equal(config.global.smtpRequireTls, true);
    assert.equal(config.global.pagerdutyUrl, 'https://events.pagerduty.com/v2/enqueue');
    assert.equal(config.global.opsgenieApiUrl, 'https://api.opsgenie.com/');
    assert.equal(config.global.telegramApiUrl, 'https://api.telegram.org');
    assert.equal(config.global.httpConfig.followRedirects, true);
    assert.deepEqual(config.templates, []);
    assert.equal(config.timeIntervals.size, 0);
  });

  it('resolves every integration with its defaults and the globals', () => {
    const { config } = parseAlertmanagerConfig(
      `
global:
  smtp_smarthost: smtp.example.com:587
  smtp_from: alerts@example.com
  smtp_auth_username: user
  smtp_auth_password: secret
  slack_api_url: https://hooks.slack.com/services/T/B/X
  opsgenie_api_key: og-key
  opsgenie_api_url: https://eu.opsgenie.example
  http_config:
    basic_auth: {username: u, password: p}
route: {receiver: all}
receivers:
  - name: all
    webhook_configs: [{url: 'http://127.0.0.1:5001/', max_alerts: 3}]
    email_configs:
      - to: ops@example.com
        headers: {subject: custom, x-team: db}
      - to: other@example.com
        from: me@example.com
        smarthost: other:25
        require_tls: false
        send_resolved: true
    slack_configs: [{channel: '#alerts'}]
    pagerduty_configs: [{routing_key: rk, details: {extra: x}}]
    opsgenie_configs: [{responders: [{name: team-a, type: Team}]}]
    msteams_configs: [{webhook_url: 'https://example.webhook.office.com/x'}]
    discord_configs: [{webhook_url: 'https://discord.com/api/webhooks/1/x'}]
    telegram_configs: [{bot_token: tok, chat_id: -1001234567890}]
`,
      'am.yml',
    );
    const [receiver] = config.receivers;
    const [webhook] = receiver.webhookConfigs;
    assert.equal(webhook.url, 'http://127.0.0.1:5001/');
    assert.equal(webhook.sendResolved, true);
    assert.equal(webhook.maxAlerts, 3);
    assert.deepEqual(webhook.httpConfig.basicAuth, { username: 'u', password: 'p' }, 'global http_config is inherited');

    const [email, otherEmail] = receiver.emailConfigs;
    assert.equal(email.smarthost, 'smtp.example.com:587');
    assert.equal(email.from, 'alerts@example.com');
    assert.equal(email.authUsername, 'user');
    assert.equal(email.authPassword, 'secret');
    assert.equal(email.requireTls, true);
    assert.equal(email.sendResolved, false);
    assert.equal(email.html, '{{ template "email.default.html" . }}');
    assert.equal(email.text, '');
    assert.deepEqual(email.headers, { Subject: 'custom', 'X-Team': 'db', To: 'ops@example.com', From: 'alerts@example.com' });
    assert.equal(otherEmail.smarthost, 'other:25');
    assert.equal(otherEmail.from, 'me@example.com');
    assert.equal(otherEmail.requireTls, false);
    assert.equal(otherEmail.sendResolved, true);
    assert.equal(otherEmail.headers.Subject, '{{ template "email.default.subject" . }}');

    const [slack] = receiver.slackConfigs;
    assert.equal(slack.apiUrl, 'https://hooks.slack.com/services/T/B/X');
    assert.equal(slack.channel, '#alerts');
    assert.equal(slack.color, '{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}');
    assert.equal(slack.title, '{{ template "slack.default.title" . }}');
    assert.equal(slack.sendResolved, false);

    const [pagerduty] = receiver.pagerdutyConfigs;
    assert.equal(pagerduty.url, 'https://events.pagerduty.com/v2/enqueue');
    assert.equal(pagerduty.routingKey, 'rk');
    assert.equal(pagerduty.source, pagerduty.client);
    assert.deepEqual(Object.keys(pagerduty.details).sort(), ['extra', 'firing', 'num_firing', 'num_resolved', 'resolved']);

    const [opsgenie] = receiver.opsgenieConfigs;
    assert.equal(opsgenie.apiKey, 'og-key');
    assert.equal(opsgenie.apiUrl, 'https://eu.opsgenie.example/');
    assert.equal(opsgenie.responders[0].type, 'team');

    assert.equal(receiver.msteamsConfigs[0].title, '{{ template "msteams.default.title" . }}');
    assert.equal(receiver.discordConfigs[0].webhookUrl, 'https://discord.com/api/webhooks/1/x');
    const [telegram] = receiver.telegramConfigs;
    assert.equal(telegram.chatId, -1001234567890);
    assert.equal(telegram.parseMode, 'HTML');
    assert.equal(telegram.apiUrl, 'https://api.telegram.org');
  });

  it('converts route and inhibit matchers, and reads time intervals', () => {
    const { config } = parseAlertmanagerConfig(
      `
route:
  receiver: r
  routes:
    - match: {severity: critical}
      match_re: {service: "api|web"}
      matchers: ['team!="ops"']
      mute_time_intervals: [weekends]
inhibit_rules:
  - source_match: {severity: critical}
    target_matchers: ['severity=~"warning|info"']
    equal: [alertname, cluster]
receivers: [{name: r}]
mute_time_intervals:
  - name: weekends
    time_intervals: [{weekdays: ['saturday', 'sunday']}]
time_intervals:
  - name: office
    time_intervals: [{times: [{start_time: '09:00', end_time: '17:00'}], location: Europe/Paris}]
`,
      'am.yml',
    );
    assert.equal(formatMatchers(config.route.routes[0].matchers), '{severity="critical",service=~"^(?:api|web)$",team!="ops"}');
    const [rule] = config.inhibitRules;
    assert.equal(formatMatchers(rule.sourceMatchers), '{severity="critical"}');
    assert.equal(formatMatchers(rule.targetMatchers), '{severity=~"warning|info"}');
    assert.deepEqual(rule.equal, ['alertname', 'cluster']);
    assert.deepEqual([...config.timeIntervals.keys()], ['weekends', 'office']);
    assert.equal(config.timeIntervals.get('office')?.[0].location, 'Europe/Paris');
  });

  it('resolves template globs against the file directory', () => {
    const { config } = parseAlertmanagerConfig(`${MINIMAL}templates: ['templates/*.tmpl', '/abs/x.tmpl']\n`, '/etc/vigil/am.yml');
    assert.deepEqual(config.templates, ['/etc/vigil/templates/*.tmpl', '/abs/x.tmpl']);
  });
});

describe('alertmanager.yml errors name file:line:col', () => {
  const cases: [string, string, string][] = [
    ['unknown top-level key', `${MINIMAL}extra: 1\n`, 'am.yml:5:1: field extra not found in the top level of the config'],
    ['unknown key in an integration', 'route: {receiver: r}\nreceivers:\n  - name: r\n    webhook_configs:\n      - url: http://x/\n        urll: y\n', 'am.yml:6:9: field urll not found in receivers[0].webhook_configs[0] (did you mean url?)'],
    ['no route', 'receivers: [{name: r}]\n', 'am.yml:1:1: no routes provided'],
    ['empty file', '# nothing yet\n', 'am.yml:1:1: no route provided in config'],
    ['null route entry (amtool 0.25 crashes)', 'route:\n  receiver: r\n  routes: [null]\nreceivers: [{name: r}]\n', 'am.yml:3:12: cannot unmarshal !!null into a mapping (at route.routes[0])'],
    ['null receiver (amtool 0.25 crashes)', 'route: {receiver: r}\nreceivers: [null]\n', 'am.yml:2:13: cannot unmarshal !!null into a mapping (at receivers[0])'],
    ['invalid equal label', `${MINIMAL}inhibit_rules: [{equal: ["a-b"]}]\n`, 'am.yml:5:26: "a-b" is not a valid label name'],
    ['root without receiver', 'route: {group_wait: 1s}\n', 'am.yml:1:8: root route must specify a default receiver'],
    ['root with matchers', 'route: {receiver: r, match: {a: b}}\nreceivers: [{name: r}]\n', 'am.yml:1:8: root route must not have any matchers'],
    ['undefined receiver', 'route:\n  receiver: r\n  routes:\n    - receiver: nope\nreceivers: [{name: r}]\n', 'am.yml:4:17: undefined receiver "nope" used in route'],
    ['duplicate receiver', 'route: {receiver: r}\nreceivers:\n  - name: r\n  - name: r\n', 'am.yml:4:11: notification config name "r" is not unique'],
    ['receiver without name', 'route: {receiver: r}\nreceivers:\n  - name: r\n  - webhook_configs: [{url: "http://x/"}]\n', 'am.yml:4:5: missing name in receiver'],
    ['email without smarthost', 'route: {receiver: r}\nreceivers:\n  - name: r\n    email_configs:\n      - to: a@b\n        from: c@d\n', 'am.yml:5:9: no global SMTP smarthost set'],
    ['email without from', 'global: {smtp_smarthost: "h:25"}\nroute: {receiver: r}\nreceivers:\n  - name: r\n    email_configs:\n      - to: a@b\n', 'am.yml:6:9: no global SMTP from set'],
    ['email without to', 'global: {smtp_smarthost: "h:25", smtp_from: x@y}\nroute: {receiver: r}\nreceivers:\n  - name: r\n    email_configs:\n      - from: a@b\n', 'am.yml:6:9: missing to address in email config'],
    ['smarthost without port', 'global: {smtp_smarthost: "h", smtp_from: x@y}\nroute: {receiver: r}\nreceivers: [{name: r}]\n', 'am.yml:1:26: address h: missing port in address'],
    ['slack without url', 'route: {receiver: r}\nreceivers:\n  - name: r\n    slack_configs: [{channel: "#a"}]\n', 'am.yml:4:21: no global Slack API URL set either inline or in a file'],
    ['pagerduty without key', 'route: {receiver: r}\nreceivers:\n  - name: r\n    pagerduty_configs: [{description: x}]\n', 'am.yml:4:25: missing service or routing key in PagerDuty config'],
    ['webhook url scheme', 'route: {receiver: r}\nreceivers:\n  - name: r\n    webhook_configs: [{url: "ftp://x/"}]\n', 'am.yml:4:29: unsupported scheme "ftp" for URL'],
    ['webhook without url', 'route: {receiver: r}\nreceivers:\n  - name: r\n    webhook_configs: [{max_alerts: 1}]\n', 'am.yml:4:23: one of url or url_file must be configured'],
    ['unsupported integration', 'route: {receiver: r}\nreceivers:\n  - name: r\n    victorops_configs: [{routing_key: x}]\n', 'am.yml:4:5: victorops_configs is not supported by Vigil yet'],
    ['undefined time interval', 'route:\n  receiver: r\n  routes:\n    - receiver: r\n      mute_time_intervals: [nights]\nreceivers: [{name: r}]\n', 'am.yml:5:29: undefined time interval "nights" used in route'],
    ['wildcard group_by with names', 'route: {receiver: r, group_by: ["...", alertname]}\nreceivers: [{name: r}]\n', 'am.yml:1:32: cannot have wildcard group_by (`...`) and other other labels at the same time'],
    ['duplicate group_by', 'route: {receiver: r, group_by: [a, a]}\nreceivers: [{name: r}]\n', 'am.yml:1:36: duplicated label "a" in group_by'],
    ['zero group_interval', 'route: {receiver: r, group_interval: 0s}\nreceivers: [{name: r}]\n', 'am.yml:1:38: group_interval cannot be zero'],
    ['bad duration', 'route: {receiver: r, group_wait: 5 minutes}\nreceivers: [{name: r}]\n', 'am.yml:1:34: not a valid duration string: "5 minutes"'],
    ['bad matcher', 'route:\n  receiver: r\n  routes:\n    - matchers: ["severity critical"]\nreceivers: [{name: r}]\n', 'am.yml:4:18: bad matcher format: severity critical'],
    ['bad match_re', 'route:\n  receiver: r\n  routes:\n    - match_re: {a: "(x"}\nreceivers: [{name: r}]\n', 'am.yml:4:21: error parsing regexp: missing closing ): `^(?:(x)$`'],
    ['bad label name in match', 'route:\n  receiver: r\n  routes:\n    - match: {"a-b": x}\nreceivers: [{name: r}]\n', 'am.yml:4:15: invalid label name "a-b"'],
    ['bad weekday', `${MINIMAL}time_intervals:\n  - name: t\n    time_intervals: [{weekdays: [funday]}]\n`, 'am.yml:7:34: funday is not a valid weekday'],
    ['duplicate time interval', `${MINIMAL}time_intervals:\n  - name: t\n  - name: t\n`, 'am.yml:7:11: time interval "t" is not unique'],
    ['bad http_config', 'route: {receiver: r}\nreceivers:\n  - name: r\n    webhook_configs:\n      - url: http://x/\n        http_config: {bearer_token: a, bearer_token_file: b}\n', 'am.yml:6:22: at most one of bearer_token & bearer_token_file must be configured'],
    ['wrong type', 'route: {receiver: r, continue: maybe}\nreceivers: [{name: r}]\n', 'am.yml:1:32: cannot unmarshal !!str `maybe` into bool'],
  ];
  for (const [name, text, message] of cases) {
    it(name, () => assert.equal(errorOf(text), message));
  }

  it('reports every problem, sorted by position', () => {
    const message = errorOf('route:\n  receiver: nope\nreceivers:\n  - name: r\n    slack_configs: [{}]\n');
    assert.deepEqual(message.split('\n'), ['am.yml:2:13: undefined receiver "nope" used in route', 'am.yml:5:21: no global Slack API URL set either inline or in a file']);
  });
});

describe('seed alertmanager.yml files load unchanged', () => {
  it('metamask-integration: subject and body under email_configs are accepted with warnings', async () => {
    const file = join(SEEDS, 'metamask-integration/alertmanager.yml');
    const { config, warnings } = await loadAlertmanagerConfig(file);
    assert.deepEqual(
      warnings.map((warning) => `${warning.line}:${warning.col} ${warning.message.split(';')[0]}`),
      [
        '27:5 field subject is not an Alertmanager email_configs field (Alertmanager rejects it)',
        '28:5 field body is not an Alertmanager email_configs field (Alertmanager rejects it)',
        '37:5 field subject is not an Alertmanager email_configs field (Alertmanager rejects it)',
      ],
    );
    assert.equal(warnings[0].file, file);
    const critical = config.receivers.find((receiver) => receiver.name === 'critical-alerts');
    assert.equal(critical?.emailConfigs[0].headers.Subject, 'CRITICAL: {{ .GroupLabels.alertname }}');
    assert.match(critical?.emailConfigs[0].text ?? '', /Alert: \{\{ \.Annotations\.summary \}\}/);
    assert.equal(critical?.emailConfigs[0].smarthost, 'smtp.company.com:587');
    assert.deepEqual(
      config.route.routes.map((route) => [route.receiver, formatMatchers(route.matchers)]),
      [
        ['critical-alerts', '{severity="critical"}'],
        ['warning-alerts', '{severity="warning"}'],
      ],
    );
  });

  it('integrityx', async () => {
    const { config, warnings } = await loadAlertmanagerConfig(join(SEEDS, 'integrityx/alertmanager.yml'));
    assert.deepEqual(warnings, []);
    const [email] = config.receivers[0].emailConfigs;
    assert.deepEqual([email.to, email.from, email.smarthost], ['ops@walacor.com', 'alerts@integrityx.com', 'smtp.example.com:587']);
  });

  it('chorus-bridge', async () => {
    const { config, warnings } = await loadAlertmanagerConfig(join(SEEDS, 'chorus-bridge/alertmanager.yml'));
    assert.deepEqual(warnings, []);
    assert.deepEqual(
      config.receivers.map((receiver) => receiver.name),
      ['web.hook', 'slack', 'pagerduty'],
    );
    assert.equal(config.receivers[1].slackConfigs[0].apiUrl, 'https://hooks.slack.com/services/YOUR/SLACK/WEBHOOK');
    assert.equal(config.receivers[2].pagerdutyConfigs[0].serviceKey, 'YOUR_PAGERDUTY_SERVICE_KEY');
    assert.equal(config.route.groupWaitMs, 10_000);
  });
});

describe('vigil check alertmanager', () => {
  it('prints amtool check-config output and parses templates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-am-check-'));
    try {
      writeFileSync(join(dir, 'good.tmpl'), '{{ define "x" }}{{ .Status | toUpper }} {{ .Alerts.Firing | toJson }}{{ end }}');
      writeFileSync(join(dir, 'bad.tmpl'), '{{ define "y" }}\n{{ if }}\n{{ end }}');
      writeFileSync(join(dir, 'ok.yml'), `${MINIMAL}templates: ['good.tmpl']\ninhibit_rules: [{source_matchers: [a=b], target_matchers: [c=d]}]\n`);
      writeFileSync(join(dir, 'badtmpl.yml'), `${MINIMAL}templates: ['*.tmpl']\n`);
      writeFileSync(join(dir, 'broken.yml'), 'route: {}\n');
      const lines: string[] = [];
      const files = ['ok.yml', 'badtmpl.yml', 'broken.yml'].map((name) => join(dir, name));
      const code = await checkAlertmanagerCommand(files, (line) => lines.push(line));
      assert.equal(code, 1);
      assert.deepEqual(lines, [
        `Checking '${files[0]}'  SUCCESS`,
        'Found:',
        ' - global config',
        ' - route',
        ' - 1 inhibit rules',
        ' - 1 receivers',
        ' - 1 templates',
        '  SUCCESS',
        '',
        `Checking '${files[1]}'  SUCCESS`,
        'Found:',
        ' - global config',
        ' - route',
        ' - 0 inhibit rules',
        ' - 1 receivers',
        ' - 1 templates',
        `  FAILED: ${resolve(dir, 'bad.tmpl')}:2: missing value for if`,
        '',
        `Checking '${files[2]}'  FAILED: ${files[2]}:1:8: root route must specify a default receiver`,
        '',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
