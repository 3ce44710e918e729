import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alertmanagerFunctions, alertmanagerTemplate, executeTextString, notificationData, queryUnescape, titleLowering } from './alertmanager.ts';
import { Template } from './template.ts';

const startsAt = Date.UTC(2024, 0, 1, 0, 0, 0);
const now = startsAt + 3_600_000 + 1500;

const data = notificationData({
  receiver: 'team-email',
  status: 'firing',
  externalURL: 'http://alertmanager:9093',
  groupLabels: { alertname: 'HighErrorRate' },
  commonLabels: { alertname: 'HighErrorRate', severity: 'critical', job: 'api' },
  commonAnnotations: { summary: 'High error rate detected' },
  alerts: [
    { status: 'firing', labels: { alertname: 'HighErrorRate', instance: 'a:80', job: 'api', severity: 'critical' }, annotations: { summary: 'High error rate detected', description: 'Error rate is 7.12%' }, startsAt, generatorURL: 'http://prometheus/graph?g0.expr=x', fingerprint: 'abc123' },
    { status: 'resolved', labels: { alertname: 'HighErrorRate', instance: 'b:80', job: 'api', severity: 'critical' }, annotations: { summary: 'High error rate detected', description: 'Error rate is 1%' }, startsAt, endsAt: startsAt + 60_000 },
  ],
});

async function render(text: string): Promise<string> {
  const template = new Template('am', { functions: alertmanagerFunctions({ now: () => now }) });
  template.parse(text);
  return await template.execute(data);
}

const outputs: [string, string][] = [
  ['{{ .Receiver }} {{ .Status }} {{ .ExternalURL }}', 'team-email firing http://alertmanager:9093'],
  ['{{ len .Alerts }} {{ len .Alerts.Firing }} {{ len .Alerts.Resolved }}', '2 1 1'],
  ['{{ range .Alerts.Firing }}{{ .Labels.instance }}{{ end }}', 'a:80'],
  ['{{ range .Alerts.Resolved }}{{ .Labels.instance }} {{ .EndsAt }}{{ end }}', 'b:80 2024-01-01 00:01:00 +0000 UTC'],
  ['{{ (index .Alerts 0).EndsAt }}', '0001-01-01 00:00:00 +0000 UTC'],
  ['{{ (index .Alerts 0).EndsAt.IsZero }}', 'true'],
  ['{{ (index .Alerts 0).StartsAt }}', '2024-01-01 00:00:00 +0000 UTC'],
  ['{{ (index .Alerts 0).StartsAt.Format "2006-01-02T15:04:05Z07:00" }}', '2024-01-01T00:00:00Z'],
  ['{{ (index .Alerts 0).Fingerprint }} {{ (index .Alerts 1).GeneratorURL }}|', 'abc123 |'],
  ['{{ .GroupLabels.alertname }}', 'HighErrorRate'],
  // KV and Pairs are Stringers: fmt prints them as name=value lists.
  ['{{ .CommonLabels }}', 'alertname=HighErrorRate, job=api, severity=critical'],
  ['{{ printf "%v|%s" .GroupLabels .CommonLabels.SortedPairs }}', 'alertname=HighErrorRate|alertname=HighErrorRate, job=api, severity=critical'],
  ['{{ .CommonLabels.SortedPairs }}', 'alertname=HighErrorRate, job=api, severity=critical'],
  ['{{ range (index .Alerts 0).Labels.SortedPairs }}{{ .Name }} {{ end }}', 'alertname instance job severity '],
  ['{{ printf "%T %T" .Alerts .Alerts.Firing }}', 'template.Alerts []template.Alert'],
  ['{{ range .CommonLabels.SortedPairs }}{{ .Name }}={{ .Value }};{{ end }}', 'alertname=HighErrorRate;job=api;severity=critical;'],
  ['{{ .CommonLabels.SortedPairs.Names }}', '[alertname job severity]'],
  ['{{ .CommonLabels.Names }} {{ .CommonLabels.Values }}', '[alertname job severity] [HighErrorRate api critical]'],
  ['{{ .CommonLabels.Remove .GroupLabels.Names }}', 'job=api, severity=critical'],
  ['{{ (.CommonLabels.Remove (stringSlice "job")).Names }}', '[alertname severity]'],
  ['{{ join ", " .CommonLabels.Values }}', 'HighErrorRate, api, critical'],
  ['{{ .CommonLabels.Values | join "/" }}', 'HighErrorRate/api/critical'],
  ['{{ stringSlice "a" "b" | join "-" }}', 'a-b'],
  ['{{ .CommonAnnotations.summary }}', 'High error rate detected'],
  ['{{ .CommonAnnotations.missing }}', '<no value>'],
  ['{{ index .CommonAnnotations "missing" }}|', '|'],
  ['{{ toUpper .Status }} {{ toLower "ABC" }} {{ title "hello WORLD" }}', 'FIRING abc Hello World'],
  ['{{ trimSpace "  x y \\n" }}|', 'x y|'],
  ['{{ match "^High" .GroupLabels.alertname }}', 'true'],
  ['{{ reReplaceAll "([a-z]):(\\\\d+)" "$1 port $2" "a:80" }}', 'a port 80'],
  ['{{ safeHtml "<b>" }} {{ safeUrl "http://x/?a=b" }}', '<b> http://x/?a=b'],
  ['{{ urlUnescape "a%20b+c" }}', 'a b c'],
  ['{{ date "2006-01-02 15:04" (index .Alerts 0).StartsAt }}', '2024-01-01 00:00'],
  ['{{ (index .Alerts 0).StartsAt | date "Jan 2, 2006 at 3:04pm (MST)" }}', 'Jan 1, 2024 at 12:00am (UTC)'],
  ['{{ (index .Alerts 0).StartsAt | tz "Europe/Berlin" | date "15:04 -07:00" }}', '01:00 +01:00'],
  ['{{ (index .Alerts 0).StartsAt | tz "America/New_York" | date "2006-01-02 15:04 MST" }}', '2023-12-31 19:00 EST'],
  ['{{ (index .Alerts 0).StartsAt | tz "UTC" }}', '2024-01-01 00:00:00 +0000 UTC'],
  ['{{ (index .Alerts 0).StartsAt | tz "Europe/Berlin" }}', '2024-01-01 01:00:00 +0100 CET'],
  ['{{ (index .Alerts 0).StartsAt | tz "Australia/Sydney" | date "Mon 2 Jan 15:04 MST" }}', 'Mon 1 Jan 11:00 AEDT'],
  ['{{ (index .Alerts 0).StartsAt | tz "America/Sao_Paulo" | date "15:04 MST" }}', '21:00 -03'],
  ['{{ (index .Alerts 0).StartsAt | tz "Asia/Kolkata" | date "15:04 Z07:00 MST" }}', '05:30 +05:30 IST'],
  ['{{ since (index .Alerts 0).StartsAt }}', '1h0m1.5s'],
  ['{{ (since (index .Alerts 0).StartsAt).Minutes }}', '60.025'],
  ['{{ humanizeDuration 90 }}', '1m 30s'],
  // The email body from the seed guides.
  ['{{ range .Alerts }}\nAlert: {{ .Annotations.summary }}\nDescription: {{ .Annotations.description }}\n{{ end }}', '\nAlert: High error rate detected\nDescription: Error rate is 7.12%\n\nAlert: High error rate detected\nDescription: Error rate is 1%\n'],
  ['CRITICAL: {{ .GroupLabels.alertname }}', 'CRITICAL: HighErrorRate'],
  ['{{ range .Alerts }}{{ .Annotations.summary }}{{ end }}', 'High error rate detectedHigh error rate detected'],
  // A notification template in the style of Alertmanager's default.tmpl.
  [
    '{{ define "__subject" }}[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .GroupLabels.SortedPairs.Values | join " " }} {{ if gt (len .CommonLabels) (len .GroupLabels) }}({{ with .CommonLabels.Remove .GroupLabels.Names }}{{ .Values | join " " }}{{ end }}){{ end }}{{ end }}{{ template "__subject" . }}',
    '[FIRING:1] HighErrorRate (api critical)',
  ],
];

describe('Alertmanager notification templates', () => {
  for (const [text, expected] of outputs) {
    it(text, async () => assert.equal(await render(text), expected));
  }

  it('errors are Go-worded', async () => {
    await assert.rejects(render('{{ tz "Nowhere/City" (index .Alerts 0).StartsAt }}'), /error calling tz: unknown time zone Nowhere\/City$/);
    await assert.rejects(render('{{ urlUnescape "%zz" }}'), /error calling urlUnescape: invalid URL escape "%zz"$/);
    await assert.rejects(render('{{ join "," .Status }}'), /expected \[\]string; got string$/);
    await assert.rejects(render('{{ .Nope }}'), /can't evaluate field Nope in type template.Data$/);
  });

  it('ExecuteTextString: text next to loaded definitions, missingkey=zero, receiver quoted like regexp.QuoteMeta', async () => {
    const definitions = alertmanagerTemplate({ now: () => now });
    definitions.parse('{{ define "slack.title" }}[{{ .Status | toUpper }}] {{ .GroupLabels.alertname }}{{ end }}', 'custom.tmpl');
    assert.equal(await executeTextString(definitions, '{{ template "slack.title" . }} {{ .CommonLabels.nope }}|', data), '[FIRING] HighErrorRate |');
    assert.equal(await executeTextString(definitions, '', data), '');
    const quoted = notificationData({ receiver: 'team.a+b', status: 'firing', alerts: [], groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: '' });
    assert.equal(await executeTextString(definitions, '{{ .Receiver }}', quoted), 'team\\.a\\+b');
    // Each text was parsed into a copy; the loaded definitions stay as they were.
    assert.deepEqual(definitions.definedTemplates(), ['custom.tmpl', 'slack.title']);
  });

  it('helpers', () => {
    assert.equal(titleLowering("it's A TEST"), "It's A Test");
    assert.equal(queryUnescape('%E2%9C%93+ok'), '✓ ok');
  });
});
