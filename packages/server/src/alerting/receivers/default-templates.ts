/**
 * The notification templates every Alertmanager config can call by name (`slack.default.title`,
 * `email.default.html`, …). Each definition renders the same text as Alertmanager's built-in one, so
 * notifications that rely on the defaults read the same after a move to Vigil. Repeated layouts
 * (the Firing/Resolved sections) are built once below; the produced text, blank lines included, is
 * the contract, checked against Alertmanager in test/interop/alertmanager-payloads.test.ts.
 * The HTML email is Vigil's own: a plain table layout with inline styles that mail clients render.
 */

/**
 * The Firing/Resolved sections as Alertmanager's chat defaults (Telegram, Discord, Teams…) lay them
 * out: a leading blank line, each section framed by blank lines, a trailing newline.
 */
const chatSections = (listTemplate: string, heading: string): string =>
  '\n' +
  `{{ if gt (len .Alerts.Firing) 0 }}\n${heading}Alerts Firing:\n{{ template "${listTemplate}" .Alerts.Firing }}\n{{ end }}\n` +
  `{{ if gt (len .Alerts.Resolved) 0 }}\n${heading}Alerts Resolved:\n{{ template "${listTemplate}" .Alerts.Resolved }}\n{{ end }}\n`;

/** The Firing/Resolved sections of Opsgenie's description: no blank lines, each list right under its heading. */
const compactSections =
  '{{ if gt (len .Alerts.Firing) 0 }}Alerts Firing:\n{{ template "__text_alert_list" .Alerts.Firing }}{{ end }}\n' +
  '{{ if gt (len .Alerts.Resolved) 0 }}Alerts Resolved:\n{{ template "__text_alert_list" .Alerts.Resolved }}{{ end }}';

const definitions: [name: string, body: string][] = [
  ['__alertmanager', 'Alertmanager'],
  ['__alertmanagerURL', '{{ .ExternalURL }}/#/alerts?receiver={{ .Receiver | urlquery }}'],
  [
    '__subject',
    '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ len .Alerts.Firing }}{{ end }}] ' +
      '{{ join " " .GroupLabels.SortedPairs.Values }} ' +
      '{{ if gt (len .CommonLabels) (len .GroupLabels) }}({{ join " " (.CommonLabels.Remove .GroupLabels.Names).Values }}){{ end }}',
  ],
  ['__description', ''],
  [
    '__text_alert_list',
    '{{ range . }}Labels:\n' +
      '{{ range .Labels.SortedPairs }} - {{ .Name }} = {{ .Value }}\n{{ end }}' +
      'Annotations:\n' +
      '{{ range .Annotations.SortedPairs }} - {{ .Name }} = {{ .Value }}\n{{ end }}' +
      'Source: {{ .GeneratorURL }}\n{{ end }}',
  ],
  [
    '__text_alert_list_markdown',
    '{{ range . }}\nLabels:\n' +
      '{{ range .Labels.SortedPairs }}  - {{ .Name }} = {{ .Value }}\n{{ end }}' +
      '\nAnnotations:\n' +
      '{{ range .Annotations.SortedPairs }}  - {{ .Name }} = {{ .Value }}\n{{ end }}' +
      '\nSource: {{ .GeneratorURL }}\n{{ end }}\n',
  ],

  ['slack.default.title', '{{ template "__subject" . }}'],
  ['slack.default.username', '{{ template "__alertmanager" . }}'],
  ['slack.default.fallback', '{{ template "slack.default.title" . }} | {{ template "slack.default.titlelink" . }}'],
  ['slack.default.callbackid', ''],
  ['slack.default.pretext', ''],
  ['slack.default.titlelink', '{{ template "__alertmanagerURL" . }}'],
  ['slack.default.iconemoji', ''],
  ['slack.default.iconurl', ''],
  ['slack.default.text', ''],
  ['slack.default.footer', ''],
  ['slack.default.color', '{{ if eq .Status "firing" }}danger{{ else }}good{{ end }}'],

  ['pagerduty.default.description', '{{ template "__subject" . }}'],
  ['pagerduty.default.client', '{{ template "__alertmanager" . }}'],
  ['pagerduty.default.clientURL', '{{ template "__alertmanagerURL" . }}'],
  ['pagerduty.default.instances', '{{ template "__text_alert_list" . }}'],

  ['opsgenie.default.message', '{{ template "__subject" . }}'],
  ['opsgenie.default.description', `{{ join " " .CommonAnnotations.SortedPairs.Values }}\n${compactSections}`],
  ['opsgenie.default.source', '{{ template "__alertmanagerURL" . }}'],

  ['telegram.default.message', chatSections('__text_alert_list', '')],

  ['discord.default.content', ''],
  ['discord.default.title', '{{ template "__subject" . }}'],
  ['discord.default.message', chatSections('__text_alert_list', '')],

  ['msteams.default.summary', '{{ template "__subject" . }}'],
  ['msteams.default.title', '{{ template "__subject" . }}'],
  ['msteams.default.text', chatSections('__text_alert_list_markdown', '# ')],

  ['msteamsv2.default.title', '{{ template "__subject" . }}'],
  ['msteamsv2.default.text', chatSections('__text_alert_list_markdown', '# ')],

  ['email.default.subject', '{{ template "__subject" . }}'],
];

/**
 * Vigil's HTML email: a header band coloured by status, one card per alert with its labels and
 * annotations, and a link back to the alert list. Only tables and inline styles, which every common
 * mail client renders; data is HTML-escaped by the renderer (see templates.ts).
 */
const emailHtml = `<!DOCTYPE html>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<meta name="viewport" content="width=device-width">
<title>{{ template "__subject" . }}</title>
</head>
<body style="margin:0;padding:0;background:#f4f5f7;font-family:Helvetica,Arial,sans-serif;font-size:14px;color:#1f2328;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;width:100%;background:#ffffff;border:1px solid #d0d7de;border-radius:6px;">
<tr><td style="padding:16px 20px;border-radius:6px 6px 0 0;color:#ffffff;font-size:16px;font-weight:bold;background:{{ if eq .Status "firing" }}#cf222e{{ else }}#1a7f37{{ end }};">
{{ if eq .Status "firing" }}{{ len .Alerts.Firing }} alert{{ if gt (len .Alerts.Firing) 1 }}s{{ end }} firing{{ else }}Resolved{{ end }} for {{ join " " .GroupLabels.SortedPairs.Values }}
</td></tr>
<tr><td style="padding:16px 20px;">
{{ if .CommonLabels }}<p style="margin:0 0 12px 0;">{{ range .CommonLabels.SortedPairs }}<span style="display:inline-block;margin:0 4px 4px 0;padding:2px 6px;border-radius:3px;background:#eaeef2;font-family:monospace;">{{ .Name }}={{ .Value }}</span>{{ end }}</p>{{ end }}
<p style="margin:0 0 16px 0;"><a href="{{ template "__alertmanagerURL" . }}" style="color:#0969da;">View in {{ template "__alertmanager" . }}</a></p>
{{ if gt (len .Alerts.Firing) 0 }}{{ template "__vigil_email_alerts" (stringSlice "Firing") }}{{ range .Alerts.Firing }}{{ template "__vigil_email_alert" . }}{{ end }}{{ end }}
{{ if gt (len .Alerts.Resolved) 0 }}{{ template "__vigil_email_alerts" (stringSlice "Resolved") }}{{ range .Alerts.Resolved }}{{ template "__vigil_email_alert" . }}{{ end }}{{ end }}
</td></tr>
<tr><td style="padding:12px 20px;border-top:1px solid #d0d7de;color:#656d76;font-size:12px;">Sent by {{ template "__alertmanager" . }}</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;

const emailAlertsHeading = '<h3 style="margin:16px 0 8px 0;font-size:15px;">{{ index . 0 }}</h3>';

const emailAlert = `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="margin:0 0 12px 0;border:1px solid #d0d7de;border-radius:4px;">
<tr><td style="padding:10px 12px;">
<strong>{{ .Labels.alertname }}</strong>{{ if .Annotations.summary }} — {{ .Annotations.summary }}{{ end }}<br>
{{ if .Annotations.description }}<p style="margin:6px 0;">{{ .Annotations.description }}</p>{{ end }}
<p style="margin:6px 0 0 0;color:#656d76;font-size:12px;">Labels: {{ range .Labels.SortedPairs }}{{ .Name }}={{ .Value }} {{ end }}</p>
{{ if .Annotations }}<p style="margin:6px 0 0 0;color:#656d76;font-size:12px;">Annotations: {{ range .Annotations.SortedPairs }}{{ .Name }}={{ .Value }} {{ end }}</p>{{ end }}
<p style="margin:6px 0 0 0;font-size:12px;">Since {{ .StartsAt.Format "2006-01-02 15:04:05 MST" }}{{ if .GeneratorURL }} · <a href="{{ .GeneratorURL }}" style="color:#0969da;">Source</a>{{ end }}</p>
</td></tr>
</table>
`;

/** The default definitions as one template text, parsed before the user's files. */
export const defaultTemplateText: string = [
  ...definitions.map(([name, body]) => `{{ define "${name}" }}${body}{{ end }}`),
  `{{ define "email.default.html" }}${emailHtml}{{ end }}`,
  `{{ define "__vigil_email_alerts" }}${emailAlertsHeading}{{ end }}`,
  `{{ define "__vigil_email_alert" }}${emailAlert}{{ end }}`,
].join('');

/** Names of the defaults, for tests and documentation. */
export const defaultTemplateNames: readonly string[] = [...definitions.map(([name]) => name), 'email.default.html'];
