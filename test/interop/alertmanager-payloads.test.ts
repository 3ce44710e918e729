/**
 * Interop: Debian's Alertmanager 0.25 and Vigil's receivers send the same notifications. One
 * alertmanager.yml, whose webhook, Slack, PagerDuty v2, Opsgenie, Discord, Telegram and email
 * receivers point at a capture server and an SMTP server on 127.0.0.1, is loaded by both; the same
 * alerts are posted to Alertmanager's /api/v2/alerts (firing, then resolved) and handed to Vigil's
 * notifiers with the same times and group key. The request bodies must be equal byte for byte.
 *
 * Nothing is replaced before comparing: both sides are given the same external URL
 * (`--web.external-url` and the notification context) and the alerts carry their generator URL.
 * What legitimately differs and is not compared: the User-Agent (Alertmanager/0.25.0, Vigil), and in
 * emails the Message-Id, Date, multipart boundary and the HTML body (Vigil's own template).
 *
 * Where Alertmanager 0.25 and current Alertmanager differ (PagerDuty's default details became JSON
 * structures in 0.28), the config sets those fields explicitly so both versions render them alike;
 * Vigil's current-format defaults are covered by the receivers' unit tests. Teams (0.26+) and
 * PagerDuty v1 (a fixed pagerduty.com URL in Alertmanager) are checked against the documented format
 * in the unit tests.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { connect as netConnect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { parseAlertmanagerConfig } from '../../packages/server/src/alerting/config/index.ts';
import type { ReceiverConfig } from '../../packages/server/src/alerting/config/index.ts';
import { buildIntegrations, loadTemplates, nodeHttp } from '../../packages/server/src/alerting/receivers/index.ts';
import type { HttpFunction, HttpRequest, TemplateSet } from '../../packages/server/src/alerting/receivers/index.ts';
import type { Alert, IntegrationKind, NotifyContext } from '../../packages/server/src/alerting/types.ts';
import { eventually, freePort, requireBinary, tempDir } from '../support/vigil.ts';

const ALERTMANAGER = process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';
const skip = requireBinary(ALERTMANAGER);

const externalURL = 'http://alertmanager.example:9093';
const receiverName = 'team-all';
const groupKey = '{}:{alertname="HighErrorRate"}';

interface Captured {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface CapturedMail {
  hello: string;
  from: string;
  to: string[];
  user: string;
  authzid: string;
  secure: boolean;
  raw: string;
}

/** Answers like the real services do when they accept a notification. */
function answer(path: string, response: http.ServerResponse): void {
  if (path.startsWith('/telegram')) {
    response.setHeader('Content-Type', 'application/json');
    response.end(JSON.stringify({ ok: true, result: { message_id: 1, chat: { id: 42, type: 'private' }, date: 0, text: '' } }));
  } else if (path.startsWith('/pagerduty')) {
    response.statusCode = 202;
    response.setHeader('Content-Type', 'application/json');
    response.end('{"status":"success","message":"Event processed","dedup_key":""}');
  } else if (path.startsWith('/discord')) {
    response.statusCode = 204;
    response.end();
  } else {
    response.end('ok');
  }
}

function configText(httpPort: number, smtpPort: number): string {
  const base = `http://127.0.0.1:${httpPort}`;
  return `
global:
  smtp_smarthost: 127.0.0.1:${smtpPort}
  smtp_from: 'Alertmanager <alertmanager@example.org>'
  smtp_hello: vigil-test.example
  smtp_auth_username: am
  smtp_auth_password: secret
route:
  receiver: ${receiverName}
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
- name: ${receiverName}
  webhook_configs:
  - url: ${base}/webhook
  - url: ${base}/webhook-max
    max_alerts: 1
    http_config:
      basic_auth: {username: hook, password: 'p@ss'}
  slack_configs:
  - api_url: ${base}/slack
    channel: '#alerts'
    send_resolved: true
    link_names: true
    icon_emoji: ':fire:'
    footer: '{{ .CommonLabels.job }}'
    fields:
    - {title: Severity, value: '{{ .CommonLabels.severity }}', short: true}
    - {title: Instances, value: '{{ range .Alerts }}{{ .Labels.instance }} {{ end }}'}
    actions:
    - {type: button, text: 'Runbook <{{ .GroupLabels.alertname }}>', url: 'http://runbooks.example/?alert={{ .GroupLabels.alertname }}&x=1', style: danger}
    - {type: button, text: Ack, name: ack, value: '{{ .GroupLabels.alertname }}', confirm: {text: 'Sure?', ok_text: 'Yes'}}
  pagerduty_configs:
  - routing_key: 'routing-{{ .CommonLabels.job }}'
    url: ${base}/pagerduty
    severity: '{{ .CommonLabels.severity }}'
    class: errors
    component: '{{ .CommonLabels.job }}'
    group: web
    images: [{src: 'http://grafana.example/render.png', alt: graph, href: 'http://grafana.example/'}, {src: '', alt: dropped}]
    links: [{href: 'http://runbooks.example/{{ .GroupLabels.alertname }}', text: runbook}]
    details:
      firing: '{{ len .Alerts.Firing }} firing alerts'
      resolved: 'resolved {{ len .Alerts.Resolved }}'
      num_firing: 'n={{ len .Alerts.Firing }}'
      num_resolved: 'n={{ len .Alerts.Resolved }}'
      note: 'See <the runbook> & the "dashboard"'
  opsgenie_configs:
  - api_key: genie-key
    api_url: ${base}/opsgenie/
    tags: 'web, {{ .CommonLabels.severity }},'
    note: 'note {{ .CommonLabels.job }}'
    priority: P1
    entity: '{{ .CommonLabels.job }}'
    actions: 'restart,page'
    update_alerts: true
    details: {team: web, instance_count: '{{ len .Alerts }}'}
    responders:
    - {name: ops, type: team}
    - {name: 'alpha,beta', type: teams}
    - {username: 'oncall@example.org', type: user}
  discord_configs:
  - webhook_url: ${base}/discord
  telegram_configs:
  - api_url: ${base}/telegram
    bot_token: bot-token
    chat_id: -1001234567890
  - api_url: ${base}/telegram-plain
    bot_token: other-token
    chat_id: 42
    parse_mode: Markdown
    disable_notifications: true
    message: '*{{ .Status }}* {{ .CommonAnnotations.summary }}'
  email_configs:
  - to: 'oncall@example.org, Second Person <second@example.org>'
    send_resolved: true
    tls_config: {insecure_skip_verify: true}
    headers:
      X-Alert-Group: '{{ .GroupLabels.alertname }}'
      Subject: '[{{ .Status | toUpper }}] {{ .GroupLabels.alertname }} ✓ {{ .CommonLabels.severity }}'
    text: |
      {{ range .Alerts }}Alert: {{ .Annotations.summary }} ({{ .Labels.instance }})
      Description: {{ .Annotations.description }}
      {{ end }}
`;
}

const startsAt = Date.parse('2026-01-15T10:00:00.123Z');
const alertA = {
  labels: { alertname: 'HighErrorRate', severity: 'critical', job: 'api', instance: 'a:80' },
  annotations: { summary: 'Error rate <high> & "rising"', description: 'Error rate is 7.12% on a:80' },
  generatorURL: 'http://prometheus.example/graph?g0.expr=rate(errors[5m])+>+0.05&g0.tab=1',
};
const alertB = {
  labels: { alertname: 'HighErrorRate', severity: 'critical', job: 'api', instance: 'b:80' },
  annotations: { summary: 'Error rate <high> & "rising"', description: 'Error rate is 5.5% on b:80' },
  generatorURL: 'http://prometheus.example/graph?g0.expr=b',
};

function postable(alert: typeof alertA, starts: number, ends: number): Record<string, unknown> {
  return { ...alert, startsAt: new Date(starts).toISOString(), endsAt: new Date(ends).toISOString() };
}

function vigilAlert(alert: typeof alertA, starts: number, ends: number): Alert {
  return { ...alert, startsAt: starts, endsAt: ends, updatedAt: starts, timeout: false };
}

/** Splits a raw message into unfolded headers and body. */
function parseMail(raw: string): { headers: Map<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const headers = new Map<string, string>();
  for (const line of raw.slice(0, split).replace(/\r\n[ \t]/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: raw.slice(split + 4) };
}

/** The decoded parts of a multipart/alternative body, by content type. */
function mailParts(raw: string): Map<string, string> {
  const { headers, body } = parseMail(raw);
  const boundary = /boundary=("?)([^";]+)\1/.exec(headers.get('content-type') ?? '')?.[2];
  assert.ok(boundary, 'multipart boundary');
  const parts = new Map<string, string>();
  for (const piece of body.split(`--${boundary}`).slice(1, -1)) {
    const part = parseMail(piece.replace(/^\r\n/, ''));
    const decoded = Buffer.from(
      part.body
        .replace(/\r\n$/, '')
        .replace(/=\r\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_match, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
      'latin1',
    ).toString('utf8');
    parts.set((part.headers.get('content-type') ?? '').split(';')[0], decoded);
  }
  return parts;
}

/** RFC 2047 encoded words back to text. */
function decodeWords(text: string): string {
  return text.replace(/=\?utf-8\?q\?([^?]*)\?=\s*/gi, (_match, encoded: string) =>
    Buffer.from(encoded.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))), 'latin1').toString('utf8'),
  );
}

describe('Alertmanager 0.25 and Vigil send the same notifications', { skip, timeout: 120_000 }, () => {
  const dir = tempDir('vigil-am-payloads-');
  const captured: Captured[] = [];
  const mails: CapturedMail[] = [];
  let captureServer: http.Server;
  let smtpServer: SMTPServer;
  let alertmanager: ChildProcess | undefined;
  let alertmanagerLog = '';
  let receiver: ReceiverConfig;
  let templates: TemplateSet;
  let firing: Captured[] = [];
  let resolved: Captured[] = [];
  let firingMail: CapturedMail;
  let resolvedMail: CapturedMail;
  let resolvedAt = 0;

  before(async () => {
    captureServer = http.createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        captured.push({ method: request.method ?? '', path: request.url ?? '', headers: request.headers, body });
        answer(request.url ?? '', response);
      });
    });
    await new Promise<void>((done) => captureServer.listen(0, '127.0.0.1', done));
    smtpServer = new SMTPServer({
      logger: false,
      authMethods: ['PLAIN', 'LOGIN'],
      onAuth: (auth, _session, callback) => {
        if (auth.username === 'am' && auth.password === 'secret') callback(null, { user: `${auth.username}|${(auth as { authzid?: string }).authzid ?? ''}` });
        else callback(new Error('Invalid username or password'));
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const [user, authzid] = String(session.user ?? '').split('|');
          mails.push({
            hello: session.hostNameAppearsAs,
            from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
            to: session.envelope.rcptTo.map((recipient) => recipient.address),
            user,
            authzid: authzid ?? '',
            secure: session.secure,
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((done) => smtpServer.listen(0, '127.0.0.1', done));
    const httpPort = (captureServer.address() as AddressInfo).port;
    const smtpPort = (smtpServer.server.address() as AddressInfo).port;

    const text = configText(httpPort, smtpPort);
    const configFile = join(dir.path, 'alertmanager.yml');
    writeFileSync(configFile, text);
    const loaded = parseAlertmanagerConfig(text, configFile);
    receiver = loaded.config.receivers.find((candidate) => candidate.name === receiverName) as ReceiverConfig;
    templates = await loadTemplates([]);

    const port = await freePort();
    mkdirSync(join(dir.path, 'data'));
    alertmanager = spawn(
      ALERTMANAGER,
      [`--config.file=${configFile}`, `--storage.path=${join(dir.path, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', `--web.external-url=${externalURL}`],
      { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TZ: 'UTC' } },
    );
    alertmanager.stderr?.on('data', (chunk: Buffer) => (alertmanagerLog += chunk.toString('utf8')));
    const api = `http://127.0.0.1:${port}`;
    await eventually('Alertmanager ready', async () => ((await fetch(`${api}/-/ready`)).ok ? true : undefined));

    const post = async (alerts: Record<string, unknown>[]): Promise<void> => {
      const response = await fetch(`${api}/api/v2/alerts`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(alerts) });
      assert.equal(response.status, 200, await response.text());
    };
    // Each notification: 2 webhooks, Slack, PagerDuty, Discord, 2 Telegram, and Opsgenie (create + 2 updates when firing, close when resolved).
    const expectedFiring = 10;
    const expectedResolved = 8;
    const farFuture = Date.now() + 3_600_000;
    await post([postable(alertA, startsAt, farFuture), postable(alertB, startsAt + 1000, farFuture)]);
    await eventually('firing notifications', async () => (captured.length >= expectedFiring && mails.length >= 1 ? true : undefined), 30_000);
    await new Promise((done) => setTimeout(done, 300));
    firing = captured.splice(0);
    firingMail = mails.splice(0)[0];
    assert.equal(firing.length, expectedFiring, JSON.stringify(firing.map((request) => request.path)));

    resolvedAt = Date.now() - 1000;
    await post([postable(alertA, startsAt, resolvedAt), postable(alertB, startsAt + 1000, resolvedAt)]);
    await eventually('resolved notifications', async () => (captured.length >= expectedResolved && mails.length >= 1 ? true : undefined), 30_000);
    await new Promise((done) => setTimeout(done, 300));
    resolved = captured.splice(0);
    resolvedMail = mails.splice(0)[0];
  });

  after(async () => {
    alertmanager?.kill();
    await new Promise<void>((done) => captureServer?.close(() => done()));
    await new Promise<void>((done) => smtpServer?.close(() => done()));
    dir.remove();
    if (process.env.VIGIL_TEST_VERBOSE === '1') console.log(alertmanagerLog);
  });

  /** Runs Vigil's integrations of `kind` with the alerts and captures the requests they send. */
  async function vigilRequests(kind: IntegrationKind, alerts: Alert[]): Promise<HttpRequest[]> {
    const requests: HttpRequest[] = [];
    const capture: HttpFunction = async (request) => {
      requests.push(request);
      const path = new URL(request.url).pathname;
      let status = 200;
      let body = 'ok';
      const headers: Record<string, string> = {};
      if (path.startsWith('/telegram')) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify({ ok: true, result: { message_id: 1 } });
      } else if (path.startsWith('/pagerduty')) status = 202;
      return { status, headers, body };
    };
    const integrations = buildIntegrations(receiver, { templates, http: capture, userAgent: 'Vigil' }).filter((integration) => integration.kind === kind);
    for (const integration of integrations) {
      const context: NotifyContext = { receiver: receiverName, groupKey, groupLabels: { alertname: 'HighErrorRate' }, externalURL, now: Date.now(), signal: AbortSignal.timeout(10_000) };
      const result = await integration.notifier.notify(context, alerts);
      assert.deepEqual(result, { ok: true });
    }
    return requests;
  }

  const firingAlerts = (): Alert[] => [vigilAlert(alertA, startsAt, Date.now() + 3_600_000), vigilAlert(alertB, startsAt + 1000, Date.now() + 3_600_000)];
  const resolvedAlerts = (): Alert[] => [vigilAlert(alertA, startsAt, resolvedAt), vigilAlert(alertB, startsAt + 1000, resolvedAt)];

  /** Alertmanager's requests to paths starting with `prefix`, in the order Vigil sends them. */
  function alertmanagerRequests(from: Captured[], prefix: string): Captured[] {
    return from.filter((request) => request.path.startsWith(prefix));
  }

  function assertSame(kind: IntegrationKind, prefix: string, expected: Captured[], actual: HttpRequest[]): void {
    const sortKey = (path: string): string => path;
    const expectedSorted = [...expected].sort((left, right) => sortKey(left.path).localeCompare(sortKey(right.path)));
    const actualSorted = [...actual].sort((left, right) => new URL(left.url).pathname.localeCompare(new URL(right.url).pathname));
    assert.equal(actualSorted.length, expectedSorted.length, `${kind}: number of requests`);
    expectedSorted.forEach((request, index) => {
      const mine = actualSorted[index];
      const url = new URL(mine.url);
      assert.equal(url.pathname + url.search, request.path, `${kind}: path`);
      assert.equal(mine.method, request.method, `${kind}: method`);
      assert.equal(mine.body, request.body, `${kind} ${request.path}: body`);
      assert.equal(mine.headers['Content-Type'], request.headers['content-type'], `${kind}: Content-Type`);
      assert.equal(mine.headers.Authorization, request.headers.authorization, `${kind}: Authorization`);
    });
    assert.ok(expected.every((request) => request.path.startsWith(prefix)));
  }

  for (const [kind, prefix] of [
    ['webhook', '/webhook'],
    ['slack', '/slack'],
    ['pagerduty', '/pagerduty'],
    ['opsgenie', '/opsgenie'],
    ['discord', '/discord'],
    ['telegram', '/telegram'],
  ] as [IntegrationKind, string][]) {
    it(`${kind}: firing notification`, async () => {
      assertSame(kind, prefix, alertmanagerRequests(firing, prefix), await vigilRequests(kind, firingAlerts()));
    });
    it(`${kind}: resolved notification`, async () => {
      assertSame(kind, prefix, alertmanagerRequests(resolved, prefix), await vigilRequests(kind, resolvedAlerts()));
    });
  }

  async function compareMail(expectedMail: CapturedMail, alerts: Alert[], subject: string): Promise<Map<string, string>> {
    const integrations = buildIntegrations(receiver, { templates, smtp: { hostname: 'vigil.example' } }).filter((integration) => integration.kind === 'email');
    assert.equal(integrations.length, 1);
    const context: NotifyContext = { receiver: receiverName, groupKey, groupLabels: { alertname: 'HighErrorRate' }, externalURL, now: Date.now(), signal: AbortSignal.timeout(10_000) };
    assert.deepEqual(await integrations[0].notifier.notify(context, alerts), { ok: true });
    await eventually('Vigil email', async () => (mails.length >= 1 ? true : undefined), 10_000);
    const vigilMail = mails.splice(0)[0];

    for (const mail of [expectedMail, vigilMail]) {
      assert.equal(mail.secure, true, 'STARTTLS before the message');
      assert.equal(mail.user, 'am', 'authenticated');
      assert.equal(mail.hello, 'vigil-test.example', 'EHLO name from smtp_hello');
      assert.equal(mail.from, 'alertmanager@example.org');
      assert.deepEqual(mail.to, ['oncall@example.org', 'second@example.org']);
    }
    const expected = parseMail(expectedMail.raw).headers;
    const actual = parseMail(vigilMail.raw).headers;
    for (const name of ['subject', 'to', 'from', 'x-alert-group', 'mime-version']) {
      assert.equal(actual.get(name), expected.get(name), `header ${name}`);
    }
    assert.equal(decodeWords(actual.get('subject') ?? ''), subject);
    for (const name of ['message-id', 'date']) assert.ok(actual.has(name), `header ${name}`);
    assert.match(actual.get('content-type') ?? '', /^multipart\/alternative;\s+boundary=[0-9a-f]{60}$/);
    assert.match(actual.get('date') ?? '', /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    assert.match(actual.get('message-id') ?? '', /^<\d+\.\d+@vigil\.example>$/);

    const expectedParts = mailParts(expectedMail.raw);
    const actualParts = mailParts(vigilMail.raw);
    assert.deepEqual([...actualParts.keys()], [...expectedParts.keys()]);
    assert.equal(actualParts.get('text/plain'), expectedParts.get('text/plain'));
    // Both HTML bodies carry the alerts with the data HTML-escaped.
    for (const parts of [expectedParts, actualParts]) assert.match(parts.get('text/html') ?? '', /Error rate &lt;high&gt; &amp; &#34;rising&#34;/);
    return actualParts;
  }

  it('email: same envelope, EHLO name, headers and text body as Alertmanager, over STARTTLS with PLAIN auth', async () => {
    const parts = await compareMail(firingMail, firingAlerts(), '[FIRING] HighErrorRate ✓ critical');
    assert.match(parts.get('text/plain') ?? '', /Alert: Error rate <high> & "rising" \(a:80\)\r\nDescription: Error rate is 7\.12% on a:80\r\n/);
  });

  it('email: the resolved notification too', async () => {
    await compareMail(resolvedMail, resolvedAlerts(), '[RESOLVED] HighErrorRate ✓ critical');
  });
});

describe('TLS verification with a self-signed certificate (SMTP and HTTPS)', { skip: existsSync('/usr/bin/openssl') ? false : 'openssl is not installed' }, () => {
  const dir = tempDir('vigil-receiver-tls-');
  let server: SMTPServer;
  let httpsServer: https.Server;
  let httpsPort = 0;
  const httpsSeen: { authorized: boolean; clientSubject: string }[] = [];
  let port = 0;
  const received: { secure: boolean; user: string; authzid: string }[] = [];

  before(async () => {
    execFileSync('/usr/bin/openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-keyout', join(dir.path, 'key.pem'), '-out', join(dir.path, 'cert.pem')], { stdio: 'ignore' });
    server = new SMTPServer({
      logger: false,
      key: readFileSync(join(dir.path, 'key.pem')),
      cert: readFileSync(join(dir.path, 'cert.pem')),
      authMethods: ['PLAIN'],
      onAuth: (auth, _session, callback) => {
        if (auth.username === 'vigil' && auth.password === 'pw') callback(null, { user: `${auth.username}|${(auth as { authzid?: string }).authzid ?? ''}` });
        else callback(new Error('Invalid username or password'));
      },
      onData: (stream, session, callback) => {
        stream.resume();
        stream.on('end', () => {
          const [user, authzid] = String(session.user ?? '').split('|');
          received.push({ secure: session.secure, user, authzid: authzid ?? '' });
          callback();
        });
      },
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = (server.server.address() as AddressInfo).port;

    // Client certificates are checked against the same self-signed certificate, acting as CA.
    httpsServer = https.createServer(
      { key: readFileSync(join(dir.path, 'key.pem')), cert: readFileSync(join(dir.path, 'cert.pem')), ca: readFileSync(join(dir.path, 'cert.pem')), requestCert: true, rejectUnauthorized: false },
      (request, response) => {
        const socket = request.socket as TLSSocket;
        const peer = socket.getPeerCertificate();
        httpsSeen.push({ authorized: socket.authorized, clientSubject: String(peer?.subject?.CN ?? '') });
        request.resume();
        request.on('end', () => response.end('ok'));
      },
    );
    await new Promise<void>((done) => httpsServer.listen(0, '127.0.0.1', done));
    httpsPort = (httpsServer.address() as AddressInfo).port;
  });

  after(async () => {
    await new Promise<void>((done) => server.close(() => done()));
    await new Promise<void>((done) => httpsServer.close(() => done()));
    dir.remove();
  });

  it('LOGIN authentication when the server offers only LOGIN; a wrong password fails (retried)', async () => {
    const logins: string[] = [];
    const loginServer = new SMTPServer({
      logger: false,
      key: readFileSync(join(dir.path, 'key.pem')),
      cert: readFileSync(join(dir.path, 'cert.pem')),
      authMethods: ['LOGIN'],
      onAuth: (auth, _session, callback) => {
        logins.push(`${auth.method} ${auth.username}`);
        if (auth.password === 'pw') callback(null, { user: auth.username });
        else callback(new Error('Invalid username or password'));
      },
      onData: (stream, _session, callback) => {
        stream.resume();
        stream.on('end', () => callback());
      },
    });
    await new Promise<void>((done) => loginServer.listen(0, '127.0.0.1', done));
    try {
      const loginPort = (loginServer.server.address() as AddressInfo).port;
      const sendWith = async (password: string): Promise<unknown> => {
        const text = `
route: {receiver: mail}
receivers:
- name: mail
  email_configs:
  - {to: a@example.org, from: b@example.org, smarthost: '127.0.0.1:${loginPort}', auth_username: vigil, auth_password: '${password}', tls_config: {insecure_skip_verify: true}}
`;
        const [integration] = buildIntegrations(parseAlertmanagerConfig(text, 'alertmanager.yml').config.receivers[0], { templates: await loadTemplates([]), smtp: { timeoutMs: 5000 } });
        const context: NotifyContext = { receiver: 'mail', groupKey: '{}:{}', groupLabels: {}, externalURL, now: Date.now(), signal: AbortSignal.timeout(10_000) };
        return await integration.notifier.notify(context, [vigilAlert(alertA, startsAt, 0)]);
      };
      assert.deepEqual(await sendWith('pw'), { ok: true });
      const refused = (await sendWith('wrong')) as { ok: boolean; retryable: boolean; error: string };
      assert.deepEqual([refused.ok, refused.retryable], [false, true]);
      assert.match(refused.error, /Invalid username or password/);
      assert.deepEqual(logins, ['LOGIN vigil', 'LOGIN vigil']);
    } finally {
      await new Promise<void>((done) => loginServer.close(() => done()));
    }
  });

  it('HTTPS through an HTTP proxy: CONNECT with proxy_connect_header, then TLS to the receiver', async () => {
    const tunnels: string[] = [];
    const sockets: Socket[] = [];
    const proxy = http.createServer((_request, response) => {
      response.statusCode = 405;
      response.end();
    });
    proxy.on('connect', (request: http.IncomingMessage, client: Socket, head: Buffer) => {
      tunnels.push(`${request.url ?? ''} ${String(request.headers['x-tunnel'] ?? '')}`);
      const [host, targetPort] = (request.url ?? '').split(':');
      sockets.push(client);
      const upstream = netConnect(Number(targetPort), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      sockets.push(upstream);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((done) => proxy.listen(0, '127.0.0.1', done));
    try {
      const proxyPort = (proxy.address() as AddressInfo).port;
      const text = `
route: {receiver: hook}
receivers:
- name: hook
  webhook_configs:
  - url: 'https://127.0.0.1:${httpsPort}/proxied'
    http_config:
      proxy_url: 'http://127.0.0.1:${proxyPort}'
      proxy_connect_header: {X-Tunnel: [vigil]}
      tls_config: {ca_file: '${join(dir.path, 'cert.pem')}', server_name: localhost}
`;
      const receiver = parseAlertmanagerConfig(text, 'alertmanager.yml').config.receivers[0];
      const [integration] = buildIntegrations(receiver, { templates: await loadTemplates([]) });
      const context: NotifyContext = { receiver: 'hook', groupKey: '{}:{}', groupLabels: {}, externalURL, now: Date.now(), signal: AbortSignal.timeout(10_000) };
      const before = httpsSeen.length;
      assert.deepEqual(await integration.notifier.notify(context, [vigilAlert(alertA, startsAt, 0)]), { ok: true });
      assert.deepEqual(tunnels, [`127.0.0.1:${httpsPort} vigil`]);
      assert.equal(httpsSeen.length, before + 1);
    } finally {
      // Tunnels are no longer the server's connections once established; end them here.
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((done) => proxy.close(() => done()));
    }
  });

  it('webhooks over HTTPS verify the server with ca_file and server_name, and present cert_file/key_file', async () => {
    const cert = join(dir.path, 'cert.pem');
    const key = join(dir.path, 'key.pem');
    const text = `
route: {receiver: hook}
receivers:
- name: hook
  webhook_configs:
  - url: 'https://127.0.0.1:${httpsPort}/a'
  - url: 'https://127.0.0.1:${httpsPort}/b'
    http_config: {tls_config: {ca_file: '${cert}', server_name: localhost, cert_file: '${cert}', key_file: '${key}'}}
  - url: 'https://127.0.0.1:${httpsPort}/c'
    http_config: {tls_config: {insecure_skip_verify: true}}
`;
    const receiver = parseAlertmanagerConfig(text, 'alertmanager.yml').config.receivers[0];
    const integrations = buildIntegrations(receiver, { templates: await loadTemplates([]) });
    const context = (): NotifyContext => ({ receiver: 'hook', groupKey: '{}:{}', groupLabels: {}, externalURL, now: Date.now(), signal: AbortSignal.timeout(10_000) });
    const seenBefore = httpsSeen.length;
    const results = [];
    for (const integration of integrations) results.push(await integration.notifier.notify(context(), [vigilAlert(alertA, startsAt, 0)]));
    assert.equal(results[0].ok, false);
    assert.equal(!results[0].ok && results[0].retryable, true);
    assert.match(!results[0].ok ? results[0].error : '', /^Post "<redacted>": .*certificate/i);
    assert.deepEqual(results.slice(1), [{ ok: true }, { ok: true }]);
    assert.deepEqual(httpsSeen.slice(seenBefore), [
      { authorized: true, clientSubject: 'localhost' },
      { authorized: false, clientSubject: '' },
    ]);
  });

  async function send(tls: string): Promise<Awaited<ReturnType<ReturnType<typeof buildIntegrations>[number]['notifier']['notify']>>> {
    const text = `
global: {smtp_smarthost: '127.0.0.1:${port}', smtp_from: vigil@example.org}
route: {receiver: mail}
receivers:
- name: mail
  email_configs:
  - to: oncall@example.org
    auth_username: vigil
    auth_password: pw
    auth_identity: vigil-identity
    tls_config: ${tls}
`;
    const receiver = parseAlertmanagerConfig(text, 'alertmanager.yml').config.receivers[0];
    const [integration] = buildIntegrations(receiver, { templates: await loadTemplates([]), http: nodeHttp, smtp: { timeoutMs: 5000 } });
    const context: NotifyContext = { receiver: 'mail', groupKey: '{}:{}', groupLabels: {}, externalURL, now: Date.now(), signal: AbortSignal.timeout(10_000) };
    return await integration.notifier.notify(context, [vigilAlert(alertA, startsAt, 0)]);
  }

  it('refuses a certificate it cannot verify (retried), accepts it with ca_file and server_name, sends auth_identity', async () => {
    const refused = await send('{}');
    assert.equal(refused.ok, false);
    assert.equal(!refused.ok && refused.retryable, true);
    assert.match(!refused.ok ? refused.error : '', /certificate/i);
    assert.equal(received.length, 0);

    const accepted = await send(`{ca_file: '${join(dir.path, 'cert.pem')}', server_name: localhost}`);
    assert.deepEqual(accepted, { ok: true });
    assert.deepEqual(received, [{ secure: true, user: 'vigil', authzid: 'vigil-identity' }]);
  });
});
