import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { Alertmanager } from './alertmanager.ts';
import type { HttpFunction, HttpRequest } from './receivers/index.ts';
import { FakeScheduler } from './scheduler.ts';

const MINUTE = 60_000;

const CONFIG = `global:
  resolve_timeout: 5m
route:
  receiver: team
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
receivers:
  - name: team
    webhook_configs:
      - url: http://receiver.test/hook
        send_resolved: true
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [alertname]
`;

/** A webhook endpoint in memory: records what it is sent, fails while told to. */
class FakeReceiver {
  readonly bodies: { status: string; alerts: { labels: Record<string, string>; status: string }[] }[] = [];
  failuresLeft = 0;
  readonly http: HttpFunction = async (request: HttpRequest) => {
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      return { status: 503, headers: {}, body: 'down for maintenance' };
    }
    this.bodies.push(JSON.parse(request.body));
    return { status: 200, headers: {}, body: '' };
  };
  names(index: number): string[] {
    return this.bodies[index].alerts.map((alert) => `${alert.labels.alertname}/${alert.labels.severity}:${alert.status}`);
  }
}

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-alertmanager-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const configFile = join(dir, 'alertmanager.yml');
  await writeFile(configFile, CONFIG);
  const receiver = new FakeReceiver();
  const logs: string[] = [];
  const open = (scheduler: FakeScheduler, registry = new Registry()) =>
    Alertmanager.start({
      configFile,
      storagePath: join(dir, 'alertmanager'),
      retentionMs: 120 * 60 * MINUTE,
      externalURL: 'http://vigil.test:9090',
      scheduler,
      http: receiver.http,
      registry,
      log: (level, message) => logs.push(`${level}: ${message}`),
      backoff: { initialMs: 500, multiplier: 1.5, maxMs: 60_000, randomization: 0, random: () => 0.5 },
    });
  return { dir, configFile, receiver, logs, open };
}

function post(alertmanager: Alertmanager, labels: Record<string, string>, times: { startsAt?: number; endsAt?: number } = {}) {
  return alertmanager.putAlerts([{ labels, annotations: { summary: `${labels.alertname} is up` }, startsAt: times.startsAt ?? 0, endsAt: times.endsAt ?? 0, generatorURL: '' }]);
}

test('after a restart: no duplicate notification, no fresh group_wait, inhibition holds at once', async (t) => {
  const { receiver, open } = await setup(t);
  const scheduler = new FakeScheduler();
  const first = await open(scheduler);
  post(first, { alertname: 'DiskFull', severity: 'critical' });
  post(first, { alertname: 'DiskFull', severity: 'warning' });
  await scheduler.advance(30_000);
  await first.idle();
  assert.equal(receiver.bodies.length, 1);
  assert.deepEqual(receiver.names(0), ['DiskFull/critical:firing']);
  const warning = first.alerts().find((view) => view.alert.labels.severity === 'warning');
  assert.equal(warning?.status.state, 'suppressed');
  await scheduler.advance(MINUTE);
  await first.stop();

  // Vigil comes back two minutes later: the alerts are still there (Prometheus re-sends every minute).
  const second = await open(new FakeScheduler(scheduler.now() + 2 * MINUTE));
  const restartedScheduler = (second as unknown as { scheduler: FakeScheduler }).scheduler;
  const views = second.alerts();
  assert.equal(views.length, 2);
  const inhibited = views.find((view) => view.alert.labels.severity === 'warning');
  assert.equal(inhibited?.status.state, 'suppressed');
  assert.equal(inhibited?.status.inhibitedBy.length, 1);
  post(second, { alertname: 'DiskFull', severity: 'critical' });
  post(second, { alertname: 'DiskFull', severity: 'warning' });
  await restartedScheduler.advance(30_000);
  await second.idle();
  assert.equal(receiver.bodies.length, 1, 'no group_wait flush after the restart, nothing sent twice');
  // The group's next flush keeps its rhythm (first flush + group_interval) and finds nothing new.
  await restartedScheduler.advance(2 * MINUTE);
  await second.idle();
  assert.equal(receiver.bodies.length, 1);
  post(second, { alertname: 'DiskFull', severity: 'critical' });
  post(second, { alertname: 'DiskFull', severity: 'critical', instance: 'b' });
  await restartedScheduler.advance(5 * MINUTE);
  await second.idle();
  assert.equal(receiver.bodies.length, 2);
  assert.deepEqual(receiver.names(1), ['DiskFull/critical:firing', 'DiskFull/critical:firing']);
  await second.stop();
});

test('a receiver that fails and recovers is retried; attempts are in the history and the metrics', async (t) => {
  const { receiver, open } = await setup(t);
  const scheduler = new FakeScheduler();
  const registry = new Registry();
  const alertmanager = await open(scheduler, registry);
  t.after(() => alertmanager.stop());
  receiver.failuresLeft = 2;
  post(alertmanager, { alertname: 'HighErrorRate', severity: 'critical' });
  await scheduler.advance(30_000 + 500 + 750);
  await alertmanager.idle();
  assert.equal(receiver.bodies.length, 1);
  const history = await alertmanager.history({ matchers: [], kind: 'notification', limit: 10 });
  assert.deepEqual(
    history.map((record) => (record.kind === 'notification' ? [record.attempt, record.ok, record.error ?? '', record.integration] : [])),
    [
      [3, true, '', 'webhook[0]'],
      [2, false, 'unexpected status code 503: down for maintenance', 'webhook[0]'],
      [1, false, 'unexpected status code 503: down for maintenance', 'webhook[0]'],
    ],
  );
  const alertHistory = await alertmanager.history({ matchers: [{ name: 'alertname', matches: (value) => value === 'HighErrorRate' }], kind: 'alert', limit: 10 });
  assert.deepEqual(alertHistory.map((record) => (record.kind === 'alert' ? record.event : '')), ['firing', 'received']);
  const metrics = await registry.metrics();
  assert.match(metrics, /alertmanager_notification_requests_total\{integration="webhook"\} 3/);
  assert.match(metrics, /alertmanager_notification_requests_failed_total\{integration="webhook"\} 2/);
  assert.match(metrics, /alertmanager_notifications_total\{integration="webhook"\} 1/);
  assert.match(metrics, /alertmanager_alerts_received_total\{status="firing"\} 1/);
  assert.match(metrics, /alertmanager_alerts\{state="active"\} 1/);

  // Resolution by timeout is recorded at the alert's end.
  await scheduler.advance(6 * MINUTE);
  await alertmanager.idle();
  const resolved = await alertmanager.history({ matchers: [], kind: 'alert', limit: 1 });
  assert.equal(resolved[0].kind === 'alert' && resolved[0].event, 'resolved');
  assert.equal(receiver.names(1)[0], 'HighErrorRate/critical:resolved');
});

test('malformed alerts are refused with Alertmanager\'s reasons; valid ones in the same request are kept', async (t) => {
  const { open } = await setup(t);
  const scheduler = new FakeScheduler();
  const alertmanager = await open(scheduler);
  t.after(() => alertmanager.stop());
  const now = scheduler.now();
  const result = alertmanager.putAlerts([
    { labels: {}, annotations: {}, startsAt: 0, endsAt: 0, generatorURL: '' },
    { labels: { alertname: 'x' }, annotations: {}, startsAt: now, endsAt: now - 1000, generatorURL: '' },
    { labels: { alertname: 'ok', empty: '' }, annotations: {}, startsAt: 0, endsAt: 0, generatorURL: '' },
    { labels: { alertname: '\ud800' }, annotations: {}, startsAt: 0, endsAt: 0, generatorURL: '' },
  ]);
  assert.deepEqual(result.errors, ['at least one label pair required', 'start time must be before end time', 'invalid label set: invalid value "\\ud800"']);
  assert.deepEqual(
    alertmanager.alerts().map((view) => view.alert.labels),
    [{ alertname: 'ok' }],
  );
  const [view] = alertmanager.alerts();
  assert.equal(view.alert.endsAt, now + 5 * MINUTE);
  assert.deepEqual(view.receivers, ['team']);
});

test('reload: a bad file keeps the running config and names the line; a good one swaps', async (t) => {
  const { configFile, open } = await setup(t);
  const scheduler = new FakeScheduler();
  const alertmanager = await open(scheduler);
  t.after(() => alertmanager.stop());
  await writeFile(configFile, CONFIG.replace('group_wait: 30s', 'group_wait: soon'));
  await assert.rejects(alertmanager.reload(), /alertmanager\.yml:6:\d+/);
  assert.equal(alertmanager.reloadStatus.ok, false);
  assert.deepEqual(alertmanager.receivers().map((receiver) => receiver.name), ['team']);
  await writeFile(configFile, CONFIG.replace('name: team', 'name: ops').replace('receiver: team', 'receiver: ops'));
  await alertmanager.reload();
  assert.equal(alertmanager.reloadStatus.ok, true);
  assert.deepEqual(alertmanager.receivers().map((receiver) => receiver.name), ['ops']);
  assert.match(alertmanager.configText(), /url: <secret>/);
});

test('a corrupt snapshot is reported and the rest of the state loads', async (t) => {
  const { dir, receiver, logs, open } = await setup(t);
  const scheduler = new FakeScheduler();
  const first = await open(scheduler);
  post(first, { alertname: 'DiskFull', severity: 'critical' });
  await scheduler.advance(30_000);
  await first.stop();
  assert.equal(receiver.bodies.length, 1);
  await writeFile(join(dir, 'alertmanager', 'alerts.json'), '{"format":1,"alerts":[{"labels":');
  const second = await open(new FakeScheduler(scheduler.now() + MINUTE));
  t.after(() => second.stop());
  assert.ok(logs.some((line) => /error: alerts snapshot unreadable/.test(line)));
  assert.equal(second.alerts().length, 0);
  assert.equal(second.notificationLog.size, 1);
  assert.ok((await readFile(join(dir, 'alertmanager', 'nflog.json'), 'utf8')).includes('DiskFull'));
});
