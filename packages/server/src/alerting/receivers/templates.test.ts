import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { presentNotification } from './data.ts';
import { defaultTemplateNames } from './default-templates.ts';
import { escapeHtml, FieldRenderer, loadTemplates, TemplateFileError } from './templates.ts';
import { resolvedAlert, testAlert, testContext } from './test-helpers.ts';

async function renderer(patterns: string[] = []): Promise<FieldRenderer> {
  const templates = await loadTemplates(patterns);
  const alerts = [
    testAlert({ instance: 'a:80', severity: 'critical', job: 'api' }, { annotations: { summary: 'Errors <5%> & more', description: 'd1' }, generatorURL: 'http://prom/a?x=1&y=2' }),
    resolvedAlert(testAlert({ instance: 'b:80', severity: 'critical', job: 'api' }, { annotations: { summary: 'Errors <5%> & more' }, generatorURL: 'http://prom/b' })),
  ];
  return new FieldRenderer(templates, presentNotification(testContext({ receiver: 'team a+b' }), alerts));
}

describe('notification templates', () => {
  it('defines every default name Alertmanager configs call', async () => {
    const templates = await loadTemplates([]);
    for (const name of defaultTemplateNames) assert.ok(templates.text.has(name), name);
    for (const name of ['__subject', '__text_alert_list', 'slack.default.title', 'pagerduty.default.instances', 'opsgenie.default.description', 'email.default.subject', 'email.default.html', 'msteams.default.text', 'discord.default.message', 'telegram.default.message']) {
      assert.ok(defaultTemplateNames.includes(name), name);
    }
  });

  it('renders the defaults as Alertmanager does', async () => {
    const render = await renderer();
    assert.equal(await render.text('{{ template "__subject" . }}'), '[FIRING:1] HighErrorRate (api critical)');
    assert.equal(await render.text('{{ template "slack.default.titlelink" . }}'), 'http://vigil.example:9093/#/alerts?receiver=team+a%5C%2Bb');
    assert.equal(await render.text('{{ template "slack.default.fallback" . }}'), '[FIRING:1] HighErrorRate (api critical) | http://vigil.example:9093/#/alerts?receiver=team+a%5C%2Bb');
    assert.equal(await render.text('{{ template "slack.default.color" . }}|{{ template "slack.default.text" . }}|'), 'danger||');
    assert.equal(
      await render.text('{{ template "__text_alert_list" .Alerts.Firing }}'),
      'Labels:\n - alertname = HighErrorRate\n - instance = a:80\n - job = api\n - severity = critical\nAnnotations:\n - description = d1\n - summary = Errors <5%> & more\nSource: http://prom/a?x=1&y=2\n',
    );
    const resolvedList = 'Labels:\n - alertname = HighErrorRate\n - instance = b:80\n - job = api\n - severity = critical\nAnnotations:\n - summary = Errors <5%> & more\nSource: http://prom/b\n';
    assert.equal(await render.text('{{ template "opsgenie.default.description" . }}').then((text) => text.split('\nAlerts Resolved:\n')[1]), resolvedList);
    assert.match(await render.text('{{ template "telegram.default.message" . }}'), /^\n\nAlerts Firing:\nLabels:\n[^]*Source: http:\/\/prom\/a\?x=1&y=2\n\n\n\nAlerts Resolved:\nLabels:\n[^]*Source: http:\/\/prom\/b\n\n\n$/);
    assert.match(await render.text('{{ template "msteams.default.text" . }}'), /^\n\n# Alerts Firing:\n\nLabels:\n  - alertname = HighErrorRate\n/);
  });

  it('HTML rendering escapes the data as html/template does, and safeHtml keeps markup', async () => {
    const render = await renderer();
    assert.equal(await render.html('<b>{{ .CommonAnnotations.summary }}</b>'), '<b>Errors &lt;5%&gt; &amp; more</b>');
    assert.equal(await render.html('{{ .CommonAnnotations.summary | safeHtml }}'), 'Errors <5%> & more');
    assert.equal(await render.text('{{ .CommonAnnotations.summary }}'), 'Errors <5%> & more');
    assert.equal(escapeHtml(`"'&+<>`), '&#34;&#39;&amp;&#43;&lt;&gt;');
    const html = await render.html('{{ template "email.default.html" . }}');
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /Errors &lt;5%&gt; &amp; more/);
    assert.doesNotMatch(html, /Errors <5%>/);
    assert.match(html, /href="http:\/\/prom\/a\?x=1&amp;y=2"/);
    // Configuration values are not alert data: the receiver link encodes the real name.
    assert.equal(await render.html('{{ template "__alertmanagerURL" . }}'), 'http://vigil.example:9093/#/alerts?receiver=team+a%5C%2Bb');
  });

  it('toJson marshals alerts with their JSON field names', async () => {
    const render = await renderer();
    const firing = JSON.parse(await render.text('{{ .Alerts.Firing | toJson }}'));
    assert.deepEqual(Object.keys(firing[0]), ['status', 'labels', 'annotations', 'startsAt', 'endsAt', 'generatorURL', 'fingerprint']);
    assert.equal(firing[0].endsAt, '0001-01-01T00:00:00Z');
    assert.equal(firing[0].startsAt, '2026-01-15T11:00:00Z');
    assert.equal(await render.text('{{ .CommonLabels | toJson }}'), '{"alertname":"HighErrorRate","job":"api","severity":"critical"}');
    assert.equal(await render.text('{{ "a<b" | toJson }}'), '"a\\u003cb"');
  });

  it("user files are loaded after the defaults, may replace them, and errors name the file and line", async () => {
    const directory = mkdtempSync(join(tmpdir(), 'vigil-templates-'));
    try {
      writeFileSync(join(directory, 'b.tmpl'), '{{ define "slack.default.title" }}custom {{ .Status }}{{ end }}\n{{ define "team.text" }}{{ len .Alerts }} alerts{{ end }}');
      writeFileSync(join(directory, 'a.tmpl'), '{{ define "team.other" }}{{ template "team.text" . }}!{{ end }}');
      const render = await renderer([join(directory, '*.tmpl')]);
      assert.equal(await render.text('{{ template "slack.default.title" . }}'), 'custom firing');
      assert.equal(await render.text('{{ template "team.other" . }}'), '2 alerts!');

      writeFileSync(join(directory, 'broken.tmpl'), '{{ define "x" }}\n\n{{ .Foo | nosuchfunction }}{{ end }}');
      await assert.rejects(loadTemplates([join(directory, 'broken.tmpl')]), (error: unknown) => {
        assert.ok(error instanceof TemplateFileError);
        assert.equal(error.file, join(directory, 'broken.tmpl'));
        assert.equal(error.line, 3);
        assert.match(error.message, /broken\.tmpl:3: function "nosuchfunction" not defined/);
        return true;
      });
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('a field that fails to execute throws with Go wording', async () => {
    const render = await renderer();
    await assert.rejects(render.text('{{ template "nope" . }}'), /template: :1:12: executing "" at <{{template "nope" .}...>: template "nope" not defined$/);
  });
});
