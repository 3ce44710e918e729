import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { EmailNotifier, qEncode, quotedPrintable } from './email.ts';
import { capture, integrationsFor, receiverFromYaml, testAlert, testContext } from './test-helpers.ts';

async function notifier(emailYaml: string): Promise<EmailNotifier> {
  const receiver = receiverFromYaml(`- name: test\n  email_configs:\n${emailYaml}`, `  smtp_smarthost: 'mail.example:587'\n  smtp_from: 'Vigil <vigil@example.org>'`);
  const [integration] = await integrationsFor(receiver, { http: capture().http, smtp: { hostname: 'vigil.example' } });
  assert.equal(integration.kind, 'email');
  assert.equal(integration.sendResolved, false);
  return integration.notifier as EmailNotifier;
}

describe('email', () => {
  it('Q-encodes header values only when they are not plain ASCII, as Go does', () => {
    assert.equal(qEncode('[FIRING:1] HighErrorRate'), '[FIRING:1] HighErrorRate');
    assert.equal(qEncode('Grüße ✓ a_b=c?'), '=?utf-8?q?Gr=C3=BC=C3=9Fe_=E2=9C=93_a=5Fb=3Dc=3F?=');
    const long = qEncode('é'.repeat(40));
    assert.ok(long.split(' ').every((word) => word.length <= 75 && /^=\?utf-8\?q\?(=C3=A9)+\?=$/.test(word)));
  });

  it('quoted-printable: CRLF line breaks, = and non-ASCII escaped, trailing spaces escaped, soft breaks under 76', () => {
    assert.equal(quotedPrintable('a=b\nc \nüx'), 'a=3Db\r\nc=20\r\n=C3=BCx');
    const wrapped = quotedPrintable('w'.repeat(200));
    assert.ok(wrapped.split('\r\n').every((line) => line.length <= 76));
    assert.equal(wrapped.replace(/=\r\n/g, ''), 'w'.repeat(200));
  });

  it('composes headers, Message-Id, Date and the multipart/alternative body as Alertmanager does', async () => {
    const email = await notifier(`  - to: 'a@example.org, B <b@example.org>'\n    headers: {X-Team: '{{ .CommonLabels.team }}'}\n    text: "Alert {{ .CommonLabels.alertname }}\\n"`);
    const composed = await email.compose(testContext(), [testAlert({ team: 'web' }, { annotations: { summary: '<b>hot</b>' } })]);
    assert.equal(composed.from, 'vigil@example.org');
    assert.deepEqual(composed.to, ['a@example.org', 'b@example.org']);
    const [head, ...rest] = composed.message.split('\r\n\r\n');
    const lines = head.split('\r\n');
    assert.deepEqual(lines.slice(0, 4), ['From: Vigil <vigil@example.org>', 'Subject: [FIRING:1] HighErrorRate (web)', 'To: a@example.org, B <b@example.org>', 'X-Team: web']);
    assert.match(lines[4], /^Message-Id: <1768478400000000000\.\d+@vigil\.example>$/);
    assert.equal(lines[5], 'Date: Thu, 15 Jan 2026 12:00:00 +0000');
    const boundary = /^Content-Type: multipart\/alternative; {2}boundary=([0-9a-f]{60})$/.exec(lines[6])?.[1];
    assert.ok(boundary);
    assert.equal(lines[7], 'MIME-Version: 1.0');
    const body = rest.join('\r\n\r\n');
    assert.ok(body.startsWith(`--${boundary}\r\nContent-Transfer-Encoding: quoted-printable\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nAlert HighErrorRate\r\n\r\n--${boundary}\r\nContent-Transfer-Encoding: quoted-printable\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n`));
    assert.ok(body.endsWith(`\r\n--${boundary}--\r\n`));
    assert.match(body.replace(/=\r\n/g, ''), /&lt;b&gt;hot&lt;\/b&gt;/);
  });

  it('a configured Message-Id replaces the generated one; no text part without text', async () => {
    const email = await notifier(`  - to: a@example.org\n    headers: {Message-Id: '<fixed@example.org>'}`);
    const composed = await email.compose(testContext(), [testAlert({})]);
    assert.equal(composed.message.match(/^Message-Id: .*$/gm)?.join('|'), 'Message-Id: <fixed@example.org>');
    assert.doesNotMatch(composed.message, /text\/plain/);
  });

  it('template and address errors fail without retry; an unreachable server is retried', async () => {
    const badFrom = await notifier(`  - to: a@example.org\n    from: 'not an address {{ .Status }}'\n    smarthost: '127.0.0.1:1'`);
    const result = await badFrom.notify(testContext(), [testAlert({})]);
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.retryable, false);
    const broken = await notifier(`  - to: a@example.org\n    text: '{{ template "missing" . }}'\n    smarthost: '127.0.0.1:1'`);
    const failed = await broken.notify(testContext(), [testAlert({})]);
    assert.deepEqual(failed.ok === false && [failed.retryable, /^execute text template: .*template "missing" not defined$/.test(failed.error)], [false, true]);
    const unreachable = await notifier(`  - to: a@example.org\n    smarthost: '127.0.0.1:1'\n    require_tls: false`);
    const down = await unreachable.notify(testContext(), [testAlert({})]);
    assert.equal(down.ok === false && down.retryable, true);
    assert.match(down.ok === false ? down.error : '', /^send email to 127\.0\.0\.1:1: .*ECONNREFUSED/);
  });

  it('threading adds References and In-Reply-To naming the thread root of the group, per day unless thread_by_date is none', async () => {
    const daily = await notifier(`  - to: a@example.org\n    threading: {enabled: true, thread_by_date: daily}`);
    const hash = createHash('sha256').update('{}:{alertname="HighErrorRate"}').digest('hex').slice(0, 16);
    const message = (await daily.compose(testContext(), [testAlert({})])).message;
    assert.match(message, new RegExp(`\\r\\nReferences: <alert-${hash}-2026-01-15@alertmanager>\\r\\nIn-Reply-To: <alert-${hash}-2026-01-15@alertmanager>\\r\\n`));
    const undated = await notifier(`  - to: a@example.org\n    threading: {enabled: true, thread_by_date: none}`);
    assert.match((await undated.compose(testContext(), [testAlert({})])).message, new RegExp(`\\r\\nReferences: <alert-${hash}-@alertmanager>\\r\\n`));
    const plain = await notifier(`  - to: a@example.org`);
    assert.doesNotMatch((await plain.compose(testContext(), [testAlert({})])).message, /References:/);
  });
});
