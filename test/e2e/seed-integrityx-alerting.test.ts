/**
 * Seed 001 (integrityx) end to end: its prometheus.yml (scrape target pointed at a fake exporter) and
 * its alertmanager.yml (smarthost pointed at a real SMTP server on 127.0.0.1 offering STARTTLS),
 * time moved by a fake scheduler. The seed has an Alertmanager config but no rules, so alerts come in
 * as any client (a Prometheus, a script) would post them: through /api/v2/alerts. The route has no
 * group_by, so both alerts make one group (`{}:{}`) and one email to ops@ after the default 30s
 * group_wait, with Alertmanager's default subject; one alert is resolved by its sender, the other by
 * resolve_timeout (5m) as it is never re-sent, and no resolved email follows (send_resolved defaults
 * to false for email).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseMail } from '../support/alertmanager-format.ts';
import { FakeExporter, MailServer, makeCertificate, trustCertificate, writeRedirectedCopy } from '../support/seed-services.ts';
import { alertmanagerAlerts, startSeedVigil } from '../support/seed-vigil.ts';
import type { SeedVigil } from '../support/seed-vigil.ts';
import { requireBinary, tempDir } from '../support/vigil.ts';

const SEED = 'integrityx';
const EXTERNAL_URL = 'http://vigil.example:9090';
const MINUTE = 60_000;

describe(`seed ${SEED}: alerts posted to /api/v2/alerts → its alertmanager.yml → email`, { skip: requireBinary('/usr/bin/openssl') }, () => {
  const dir = tempDir('vigil-seed-integrityx-');
  let seed: SeedVigil;
  let exporter: FakeExporter;
  let mail: MailServer;
  let untrust = () => {};

  before(async () => {
    const certificate = makeCertificate(dir.path);
    untrust = trustCertificate(certificate.cert);
    mail = await MailServer.start(certificate);
    exporter = await FakeExporter.start(() => 'integrityx_documents_verified_total 42\n');
    writeRedirectedCopy(SEED, 'prometheus.yml', dir.path, [{ from: 'backend:8000', to: exporter.address }]);
    writeRedirectedCopy(SEED, 'alertmanager.yml', dir.path, [{ from: 'smtp.example.com:587', to: mail.address }]);
    seed = await startSeedVigil({ dataDir: join(dir.path, 'data'), configFile: join(dir.path, 'prometheus.yml'), alertmanagerConfigFile: join(dir.path, 'alertmanager.yml'), externalURL: EXTERNAL_URL });
  });

  after(async () => {
    await seed?.vigil.stop();
    await exporter?.close();
    await mail?.close();
    untrust();
    dir.remove();
  });

  const serviceDown = { alertname: 'ServiceDown', instance: 'backend:8000', job: 'integrityx-backend', severity: 'critical' };
  const slowVerification = { alertname: 'SlowVerification', instance: 'backend:8000', job: 'integrityx-backend', severity: 'warning' };

  async function post(alerts: Record<string, unknown>[]): Promise<void> {
    const response = await fetch(`${seed.vigil.url}/api/v2/alerts`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(alerts) });
    assert.equal(response.status, 200, await response.text());
    await seed.stepper.settle();
  }

  it('two posted alerts make one group and one email to ops@ after group_wait, with the default subject', async () => {
    await seed.stepper.stepTo(seed.stepper.now() + MINUTE);
    const postedAt = seed.stepper.now();
    await post([
      { labels: serviceDown, annotations: { summary: 'IntegrityX backend is down' }, startsAt: new Date(postedAt).toISOString(), generatorURL: 'http://prometheus.example:9090/graph?g0.expr=up%3D%3D0' },
      { labels: slowVerification, annotations: { summary: 'Document verification is slow' }, startsAt: new Date(postedAt).toISOString() },
    ]);
    const alerts = await alertmanagerAlerts(seed.vigil);
    assert.deepEqual(alerts.map((alert) => [alert.labels.alertname, alert.status.state, alert.receivers.map((receiver) => receiver.name)]).sort(), [
      ['ServiceDown', 'active', ['email-notifications']],
      ['SlowVerification', 'active', ['email-notifications']],
    ]);

    const at = await seed.stepper.until('the email', () => (mail.mails.length > 0 ? seed.stepper.now() : undefined), MINUTE);
    assert.equal(at - postedAt, 30_000, 'group_wait defaults to 30s');
    assert.equal(mail.mails.length, 1, 'one group (no group_by), one email');
    const [email] = mail.mails;
    assert.equal(email.from, 'alerts@integrityx.com');
    assert.deepEqual(email.to, ['ops@walacor.com']);
    assert.equal(email.secure, true, 'STARTTLS (require_tls defaults to true)');
    const { headers, parts } = parseMail(email.raw);
    // email.default.subject: no group labels, so two spaces, then the labels the alerts share.
    assert.equal(headers.subject, '[FIRING:2]  (backend:8000 integrityx-backend)');
    assert.equal(headers.from, 'alerts@integrityx.com');
    assert.equal(headers.to, 'ops@walacor.com');
    assert.equal(parts['text/plain'], undefined, 'no text part unless `text` is set');
    const html = parts['text/html'] ?? '';
    assert.match(html, /IntegrityX backend is down/);
    assert.match(html, /Document verification is slow/);
    assert.match(html, /2 alerts firing/);
  });

  it('one alert resolved by its sender, the other by resolve_timeout; no resolved email', async () => {
    const { stepper, vigil } = seed;
    const firstPost = stepper.now() - 30_000;
    await post([{ labels: serviceDown, annotations: { summary: 'IntegrityX backend is down' }, startsAt: new Date(firstPost).toISOString(), endsAt: new Date(stepper.now() - 1000).toISOString() }]);
    assert.deepEqual((await alertmanagerAlerts(vigil)).map((alert) => alert.labels.alertname), ['SlowVerification']);
    await stepper.until('SlowVerification resolved by resolve_timeout', async () => ((await alertmanagerAlerts(vigil)).length === 0 ? true : undefined), 10 * MINUTE);
    assert.ok(stepper.now() >= firstPost + 5 * MINUTE, 'an alert posted without endsAt lasts resolve_timeout (5m)');
    await stepper.stepTo(stepper.now() + 10 * MINUTE);
    assert.equal(mail.mails.length, 1, 'email_configs send_resolved defaults to false');
  });
});
