/**
 * Seed 000 (metamask-integration) end to end: its prometheus.yml, alerts.yml and alertmanager.yml,
 * with only the scrape target, the external Alertmanager, the SMTP smarthost and the webhook URL
 * pointed at servers on 127.0.0.1. A fake exporter serves the seed's metric names; a fake scheduler
 * moves time, so the rules' `for: 2m` and `for: 1m`, the 5m rate windows and group_wait take no
 * wall-clock time. All four alerts are driven: HighErrorRate, SuspiciousTransactionSpike and
 * ServiceDown (critical) go pending, fire and reach the
 * `critical-alerts` email receiver, HighAuthenticationFailures (warning) the `warning-alerts` one,
 * through a real SMTP server with STARTTLS (require_tls defaults to true), with the seed's subject
 * and body templates rendered; they resolve, and no resolved email follows (email's send_resolved
 * defaults to false). Nothing reaches the root route's webhook: every seed alert has a severity.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseMail } from '../support/alertmanager-format.ts';
import { CaptureServer, FakeCounter, FakeExporter, MailServer, linkSeedFiles, makeCertificate, trustCertificate, writeRedirectedCopy } from '../support/seed-services.ts';
import type { ReceivedMail } from '../support/seed-services.ts';
import { alertmanagerAlerts, goFloat, lastEvaluationOf, ruleAlert, ruleAlerts, startSeedVigil } from '../support/seed-vigil.ts';
import type { SeedVigil } from '../support/seed-vigil.ts';
import { eventually, requireBinary, tempDir } from '../support/vigil.ts';

const SEED = 'metamask-integration';
const EXTERNAL_URL = 'http://vigil.example:9090';
const MINUTE = 60_000;

const crlf = (text: string) => text.replaceAll('\n', '\r\n');

describe(`seed ${SEED}: rules → Alertmanager → email`, { skip: requireBinary('/usr/bin/openssl') }, () => {
  const dir = tempDir('vigil-seed-metamask-');
  let seed: SeedVigil;
  let exporter: FakeExporter;
  let capture: CaptureServer;
  let mail: MailServer;
  let untrust = () => {};
  let errors5xx: FakeCounter;
  let requestsOk: FakeCounter;
  let authFailures: FakeCounter;
  let suspicious: FakeCounter;

  before(async () => {
    const certificate = makeCertificate(dir.path);
    untrust = trustCertificate(certificate.cert);
    mail = await MailServer.start(certificate);
    capture = await CaptureServer.start();
    // The exporter reads the counters at the scrape's fake time, so it starts before the counters exist.
    let body = () => '';
    exporter = await FakeExporter.start(() => body());
    writeRedirectedCopy(SEED, 'prometheus.yml', dir.path, [
      { from: 'metamask-integration-service:8080', to: exporter.address },
      { from: 'alertmanager:9093', to: capture.url('').replace('http://', '') },
    ]);
    linkSeedFiles(SEED, dir.path, ['alerts.yml']);
    writeRedirectedCopy(SEED, 'alertmanager.yml', dir.path, [
      { from: 'smtp.company.com:587', to: mail.address },
      { from: 'http://slack-webhook.company.com/alerts', to: capture.url('/web.hook') },
    ]);
    seed = await startSeedVigil({ dataDir: join(dir.path, 'data'), configFile: join(dir.path, 'prometheus.yml'), alertmanagerConfigFile: join(dir.path, 'alertmanager.yml'), externalURL: EXTERNAL_URL });
    const clock = seed.scheduler;
    requestsOk = new FakeCounter(clock);
    errors5xx = new FakeCounter(clock);
    authFailures = new FakeCounter(clock);
    suspicious = new FakeCounter(clock);
    requestsOk.setRate(20);
    body = () =>
      [
        '# HELP metamask_api_requests_total Total API requests',
        '# TYPE metamask_api_requests_total counter',
        `metamask_api_requests_total{endpoint="/api/transactions",method="POST",status_code="200"} ${requestsOk.read()}`,
        `metamask_api_requests_total{endpoint="/api/transactions",method="POST",status_code="503"} ${errors5xx.read()}`,
        '# HELP metamask_auth_failures_total Total authentication failures',
        '# TYPE metamask_auth_failures_total counter',
        `metamask_auth_failures_total{reason="invalid_signature",user_id="u1"} ${authFailures.read()}`,
        '# HELP metamask_suspicious_transactions_detected_total Total suspicious transactions detected',
        '# TYPE metamask_suspicious_transactions_detected_total counter',
        `metamask_suspicious_transactions_detected_total{reason="velocity",transaction_type="transfer"} ${suspicious.read()}`,
        '',
      ].join('\n');
  });

  after(async () => {
    await seed?.vigil.stop();
    await exporter?.close();
    await capture?.close();
    await mail?.close();
    untrust();
    dir.remove();
  });

  /** Steps until a mail with `subject` arrives; returns it and the fake time it arrived at. */
  async function mailWithSubject(subject: string, withinMs: number): Promise<{ mail: ReceivedMail; at: number }> {
    return seed.stepper.until(
      `an email "${subject}"`,
      () => {
        const found = mail.mails.find((candidate) => parseMail(candidate.raw).headers.subject === subject);
        return found === undefined ? undefined : { mail: found, at: seed.stepper.now() };
      },
      withinMs,
    );
  }

  it('the seed files load with only the endpoints redirected; quiet traffic raises nothing', async () => {
    await seed.stepper.stepTo(seed.stepper.now() + 6 * MINUTE);
    assert.deepEqual(await ruleAlerts(seed.vigil), []);
    assert.equal(exporter.requests >= 6 * 4, true, `the exporter is scraped every 15s (${exporter.requests} scrapes)`);
    const groups = seed.vigil.rules?.ruleGroups() ?? [];
    assert.deepEqual(
      groups.map((group) => [group.name, group.rules.map((rule) => rule.name)]),
      [['metamask_integration_alerts', ['HighErrorRate', 'HighAuthenticationFailures', 'SuspiciousTransactionSpike', 'ServiceDown']]],
    );
    assert.deepEqual(seed.vigil.alertmanager?.receivers().map((receiver) => receiver.name), ['web.hook', 'critical-alerts', 'warning-alerts']);
  });

  it('HighErrorRate (critical) goes pending, fires after 2m and is emailed to oncall with the seed’s subject and body', async () => {
    errors5xx.setRate(1);
    authFailures.setRate(0.5);
    const { stepper, vigil } = seed;
    const pending = await stepper.until('HighErrorRate pending', () => ruleAlert(vigil, 'HighErrorRate', 'pending'), 2 * MINUTE);
    assert.deepEqual(pending.labels, { alertname: 'HighErrorRate', endpoint: '/api/transactions', instance: exporter.address, job: 'metamask-integration', method: 'POST', severity: 'critical', status_code: '503' });
    const activeAt = Date.parse(pending.activeAt);
    assert.equal(activeAt, lastEvaluationOf(vigil, 'HighErrorRate'), 'activeAt is the evaluation that first saw the condition');

    const firing = await stepper.until('HighErrorRate firing', () => ruleAlert(vigil, 'HighErrorRate', 'firing'), 3 * MINUTE);
    const firedAt = lastEvaluationOf(vigil, 'HighErrorRate');
    assert.equal(firedAt - activeAt, 2 * MINUTE, 'for: 2m at a 15s evaluation interval fires on the evaluation 2m after activeAt');
    assert.equal(firing.activeAt, pending.activeAt);
    const value = Number(firing.value);
    assert.ok(value > 0.1, `the rate ${value} is over the threshold`);
    assert.equal(firing.annotations.description, `Error rate is ${goFloat(value)} errors per second`);

    const { mail: email, at } = await mailWithSubject('CRITICAL: HighErrorRate', MINUTE);
    assert.equal(at - firedAt, 10_000, 'sent group_wait (10s) after the alert reached the Alertmanager');
    assert.equal(email.from, 'alerts@company.com');
    assert.deepEqual(email.to, ['oncall@company.com']);
    assert.equal(email.secure, true, 'STARTTLS was used (require_tls defaults to true)');
    const { headers, parts } = parseMail(email.raw);
    assert.equal(headers.from, 'alerts@company.com');
    assert.equal(headers.to, 'oncall@company.com');
    // The seed's `body:` (Vigil reads it as the text part) rendered for the one alert of the group;
    // quoted-printable in text mode (Go's mime/quotedprintable) sends its line ends as CRLF.
    assert.equal(parts['text/plain'], crlf(`\nAlert: High error rate detected\nDescription: ${firing.annotations.description}\n\n`));
    assert.match(parts['text/html'] ?? '', /HighErrorRate/);

    const [alert] = (await alertmanagerAlerts(vigil)).filter((candidate) => candidate.labels.alertname === 'HighErrorRate');
    assert.deepEqual(alert.receivers.map((receiver) => receiver.name), ['critical-alerts']);
    assert.equal(Date.parse(alert.startsAt), firedAt, 'Prometheus sends an alert as starting when it fired');
  });

  it('HighAuthenticationFailures (warning) reaches team@ through warning-alerts, with the default body', async () => {
    const { mail: email } = await mailWithSubject('WARNING: HighAuthenticationFailures', 3 * MINUTE);
    assert.deepEqual(email.to, ['team@company.com']);
    const { parts } = parseMail(email.raw);
    assert.equal(parts['text/plain'], undefined, 'warning-alerts sets no body, and Alertmanager sends no text part by default');
    assert.match(parts['text/html'] ?? '', /High authentication failure rate/);
  });

  it('the alerts resolve when the errors stop, and no resolved email is sent', async () => {
    errors5xx.setRate(0);
    authFailures.setRate(0);
    const { stepper, vigil } = seed;
    const mailsBefore = mail.mails.length;
    await stepper.until('HighErrorRate and HighAuthenticationFailures resolved', async () => ((await ruleAlerts(vigil)).length === 0 ? true : undefined), 7 * MINUTE);
    await stepper.until('the Alertmanager to see them resolved', async () => ((await alertmanagerAlerts(vigil)).length === 0 ? true : undefined), MINUTE);
    await stepper.stepTo(stepper.now() + 2 * MINUTE);
    assert.equal(mail.mails.length, mailsBefore, 'email_configs send_resolved defaults to false');
  });

  it('SuspiciousTransactionSpike (critical) fires after 1m, is emailed to oncall and resolves', async () => {
    const { stepper, vigil } = seed;
    suspicious.setRate(0.5);
    const pending = await stepper.until('SuspiciousTransactionSpike pending', () => ruleAlert(vigil, 'SuspiciousTransactionSpike', 'pending'), 2 * MINUTE);
    assert.deepEqual(pending.labels, { alertname: 'SuspiciousTransactionSpike', instance: exporter.address, job: 'metamask-integration', reason: 'velocity', severity: 'critical', transaction_type: 'transfer' });
    const firing = await stepper.until('SuspiciousTransactionSpike firing', () => ruleAlert(vigil, 'SuspiciousTransactionSpike', 'firing'), 2 * MINUTE);
    const firedAt = lastEvaluationOf(vigil, 'SuspiciousTransactionSpike');
    assert.equal(firedAt - Date.parse(pending.activeAt), MINUTE);
    const { mail: email, at } = await mailWithSubject('CRITICAL: SuspiciousTransactionSpike', MINUTE);
    assert.equal(at - firedAt, 10_000);
    assert.deepEqual(email.to, ['oncall@company.com']);
    assert.equal(firing.annotations.description, `Suspicious transaction rate is ${goFloat(Number(firing.value))} per second`);
    assert.equal(parseMail(email.raw).parts['text/plain'], crlf(`\nAlert: Spike in suspicious transactions\nDescription: ${firing.annotations.description}\n\n`));
    suspicious.setRate(0);
    await stepper.until('SuspiciousTransactionSpike resolved', async () => ((await ruleAlert(vigil, 'SuspiciousTransactionSpike')) === undefined ? true : undefined), 7 * MINUTE);
  });

  it('ServiceDown: the target stops answering, the alert fires after 1m and is emailed, then resolves', async () => {
    const { stepper, vigil } = seed;
    exporter.status = 503;
    const pending = await stepper.until('ServiceDown pending', () => ruleAlert(vigil, 'ServiceDown', 'pending'), MINUTE);
    assert.deepEqual(pending.labels, { alertname: 'ServiceDown', instance: exporter.address, job: 'metamask-integration', severity: 'critical' });
    await stepper.until('ServiceDown firing', () => ruleAlert(vigil, 'ServiceDown', 'firing'), 2 * MINUTE);
    const firedAt = lastEvaluationOf(vigil, 'ServiceDown');
    assert.equal(firedAt - Date.parse(pending.activeAt), MINUTE);
    const { mail: email, at } = await mailWithSubject('CRITICAL: ServiceDown', MINUTE);
    assert.equal(at - firedAt, 10_000);
    assert.deepEqual(email.to, ['oncall@company.com']);
    assert.equal(parseMail(email.raw).parts['text/plain'], crlf('\nAlert: Metamask Integration Service is down\nDescription: Service has been down for more than 1 minute\n\n'));

    exporter.status = 200;
    await stepper.until('ServiceDown resolved', async () => ((await ruleAlert(vigil, 'ServiceDown')) === undefined ? true : undefined), MINUTE);
  });

  it('nothing went to the root route’s webhook, and the rules also notified the external Alertmanager of alerting:', async () => {
    assert.deepEqual(capture.to('/web.hook'), []);
    const posted = await eventually('the external Alertmanager to be notified', async () => {
      const names = capture.to('/api/v2/alerts').flatMap((request) => (JSON.parse(request.body) as { labels: Record<string, string> }[]).map((alert) => alert.labels.alertname));
      return names.includes('HighErrorRate') && names.includes('ServiceDown') ? names : undefined;
    });
    assert.ok(posted.includes('HighAuthenticationFailures'));
  });
});
