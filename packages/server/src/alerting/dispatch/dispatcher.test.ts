import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Marker } from '../marker.ts';
import { NotificationLog } from '../nflog/index.ts';
import { buildPipeline } from '../notify/index.ts';
import type { DeliveryAttempt, Muting, PipelineObserver } from '../notify/index.ts';
import { AlertStore, prepareAlerts } from '../provider/index.ts';
import { FakeScheduler } from '../scheduler.ts';
import type { Alert, Integration, LabelSet, MatchedRoute, NotifyContext, NotifyResult, RouteOptions } from '../types.ts';
import { Dispatcher, groupKey } from './dispatcher.ts';

const MINUTE = 60_000;

function routeOptions(overrides: Partial<RouteOptions> = {}): RouteOptions {
  return { receiver: 'team', groupBy: ['alertname'], groupWait: 30_000, groupInterval: 5 * MINUTE, repeatInterval: 4 * 60 * MINUTE, muteTimeIntervals: [], activeTimeIntervals: [], ...overrides };
}

interface Sent {
  time: number;
  groupKey: string;
  alerts: { name: string; resolved: boolean }[];
}

class RecordingNotifier {
  readonly sent: Sent[] = [];
  /** Answers to give, in order, before succeeding. */
  failures: NotifyResult[] = [];
  async notify(context: NotifyContext, alerts: readonly Alert[]): Promise<NotifyResult> {
    const next = this.failures.shift();
    if (next !== undefined) return next;
    this.sent.push({ time: context.now, groupKey: context.groupKey, alerts: alerts.map((alert) => ({ name: alert.labels.instance ?? alert.labels.alertname, resolved: alert.endsAt !== 0 && alert.endsAt <= context.now })) });
    return { ok: true };
  }
}

const noMuting: Muting = { silencedBy: () => [], inhibitedBy: () => [], activeIntervals: () => [] };

function setup(options: { routes?: MatchedRoute[]; sendResolved?: boolean; muting?: Muting } = {}) {
  const scheduler = new FakeScheduler();
  const store = new AlertStore();
  const marker = new Marker();
  const notificationLog = new NotificationLog(120 * 60 * MINUTE);
  const notifier = new RecordingNotifier();
  const integration: Integration = { kind: 'webhook', index: 0, sendResolved: options.sendResolved ?? true, notifier };
  const attempts: DeliveryAttempt[] = [];
  const failed: string[] = [];
  const observer: PipelineObserver = { suppressed: () => {}, notification: () => {}, notificationFailed: (_name, error) => failed.push(error), attempt: (attempt) => attempts.push(attempt) };
  const routes = options.routes ?? [{ id: '{}', key: '{}', options: routeOptions() }];
  const pipeline = buildPipeline({
    receivers: new Map([['team', [integration]]]),
    muting: options.muting ?? noMuting,
    marker,
    notificationLog,
    scheduler,
    observer,
    externalURL: 'http://vigil.test',
    backoff: { initialMs: 500, multiplier: 1.5, maxMs: 60_000, randomization: 0.5, random: () => 0.5 },
  });
  const dispatcher = new Dispatcher({ store, routes: () => routes, pipeline, scheduler, marker });
  const post = (labels: LabelSet, times: { startsAt?: number; endsAt?: number } = {}) => {
    const prepared = prepareAlerts([{ labels, annotations: {}, startsAt: times.startsAt ?? 0, endsAt: times.endsAt ?? 0, generatorURL: '' }], scheduler.now(), 24 * 60 * MINUTE);
    assert.deepEqual(prepared.errors, []);
    store.put(prepared.alerts, scheduler.now());
  };
  return { scheduler, store, marker, notificationLog, notifier, dispatcher, attempts, failed, post, start: scheduler.now() };
}

test('group key: the route key, then the group labels as Go prints a label set', () => {
  const route: MatchedRoute = { id: '{}/{severity="critical"}/0', key: '{}/{severity="critical"}', options: routeOptions() };
  assert.equal(groupKey(route, { alertname: 'X' }), '{}/{severity="critical"}:{alertname="X"}');
  assert.equal(groupKey(route, { b: 'q"x', a: '1' }), '{}/{severity="critical"}:{a="1", b="q\\"x"}');
  assert.equal(groupKey(route, {}), '{}/{severity="critical"}:{}');
});

test('first flush after group_wait, then each group_interval; repeats only after repeat_interval', async () => {
  const { scheduler, notifier, post, start, dispatcher } = setup();
  post({ alertname: 'HighErrorRate', instance: 'a' });
  await scheduler.advance(29_000);
  assert.equal(notifier.sent.length, 0);
  await scheduler.advance(1_000);
  assert.equal(notifier.sent.length, 1);
  assert.equal(notifier.sent[0].time, start + 30_000);
  assert.equal(notifier.sent[0].groupKey, '{}:{alertname="HighErrorRate"}');

  // A second alert of the group waits for the next group_interval tick, not another group_wait.
  await scheduler.advance(10_000);
  post({ alertname: 'HighErrorRate', instance: 'b' });
  await scheduler.advance(4 * MINUTE);
  assert.equal(notifier.sent.length, 1);
  await scheduler.advance(MINUTE);
  assert.equal(notifier.sent.length, 2);
  assert.equal(notifier.sent[1].time, start + 30_000 + 5 * MINUTE);
  assert.deepEqual(notifier.sent[1].alerts.map((alert) => alert.name), ['a', 'b']);

  // Both keep firing: the flushes every group_interval send nothing until repeat_interval has passed
  // since the last notification, which the first flush after it does (Alertmanager's timing).
  await scheduler.advance(4 * 60 * MINUTE);
  assert.equal(notifier.sent.length, 2);
  await scheduler.advance(5 * MINUTE);
  assert.equal(notifier.sent.length, 3);
  assert.equal(notifier.sent[2].time - notifier.sent[1].time, 4 * 60 * MINUTE + 5 * MINUTE);
  await dispatcher.stop();
});

test('a resolved alert is notified once (send_resolved) and then leaves the group, which is removed', async () => {
  const { scheduler, notifier, post, dispatcher } = setup();
  post({ alertname: 'Down' });
  await scheduler.advance(30_000);
  assert.equal(notifier.sent.length, 1);
  post({ alertname: 'Down' }, { startsAt: scheduler.now() - 30_000, endsAt: scheduler.now() });
  await scheduler.advance(5 * MINUTE);
  assert.equal(notifier.sent.length, 2);
  assert.deepEqual(notifier.sent[1].alerts, [{ name: 'Down', resolved: true }]);
  assert.equal(dispatcher.groupCount, 0);
  await scheduler.advance(30 * MINUTE);
  assert.equal(notifier.sent.length, 2);
});

test('without send_resolved nothing is sent for the resolution, but it is logged', async () => {
  const { scheduler, notifier, post, notificationLog, dispatcher } = setup({ sendResolved: false });
  post({ alertname: 'Down' });
  await scheduler.advance(30_000);
  post({ alertname: 'Down' }, { startsAt: scheduler.now() - 30_000, endsAt: scheduler.now() });
  await scheduler.advance(5 * MINUTE);
  assert.equal(notifier.sent.length, 1);
  const [entry] = notificationLog.list();
  assert.deepEqual(entry.firingAlerts, []);
  assert.equal(entry.resolvedAlerts.length, 1);
  await dispatcher.stop();
});

test('an alert older than group_wait flushes a new group at once', async () => {
  const { scheduler, notifier, post, dispatcher } = setup();
  post({ alertname: 'Old' }, { startsAt: scheduler.now() - 10 * MINUTE });
  await scheduler.advance(0);
  assert.equal(notifier.sent.length, 1);
  await dispatcher.stop();
});

test("group_by ['...'] groups by every label; an alert matching two routes goes to both groups", async () => {
  const routes: MatchedRoute[] = [
    { id: '{}/{severity="critical"}/0', key: '{}/{severity="critical"}', options: routeOptions({ groupBy: 'all', groupWait: 0 }) },
    { id: '{}/{team="db"}/1', key: '{}/{team="db"}', options: routeOptions({ groupBy: [], groupWait: 0 }) },
  ];
  const { scheduler, notifier, post, dispatcher } = setup({ routes });
  post({ alertname: 'A', severity: 'critical', team: 'db' });
  post({ alertname: 'B', severity: 'critical', team: 'db' });
  await scheduler.advance(0);
  const keys = notifier.sent.map((sent) => sent.groupKey).sort();
  assert.deepEqual(keys, [
    '{}/{severity="critical"}:{alertname="A", severity="critical", team="db"}',
    '{}/{severity="critical"}:{alertname="B", severity="critical", team="db"}',
    '{}/{team="db"}:{}',
  ]);
  const groups = dispatcher.listGroups();
  assert.equal(groups.length, 3);
  assert.deepEqual(dispatcher.receiversByAlert().get(groups[0].alerts[0].fingerprint), ['team', 'team']);
  await dispatcher.stop();
});

test('retries a failing receiver with exponential back-off until it recovers; every attempt is reported', async () => {
  const { scheduler, notifier, post, attempts, dispatcher } = setup();
  notifier.failures = [
    { ok: false, retryable: true, error: 'unexpected status code 503' },
    { ok: false, retryable: true, error: 'connection refused' },
  ];
  post({ alertname: 'Down' });
  await scheduler.advance(30_000);
  assert.equal(notifier.sent.length, 0);
  await scheduler.advance(500);
  assert.equal(notifier.sent.length, 0);
  await scheduler.advance(750);
  assert.equal(notifier.sent.length, 1);
  assert.deepEqual(
    attempts.map((attempt) => [attempt.attempt, attempt.ok, attempt.error, attempt.time - attempts[0].time]),
    [
      [1, false, 'unexpected status code 503', 0],
      [2, false, 'connection refused', 500],
      [3, true, '', 1250],
    ],
  );
  assert.equal(attempts[0].receiver, 'team');
  assert.equal(attempts[0].groupKey, '{}:{alertname="Down"}');
  await dispatcher.stop();
});

test('a receiver down for longer than group_interval: the flush gives up at the next one, which tries again', async () => {
  const { scheduler, notifier, post, attempts, failed, dispatcher } = setup();
  notifier.failures = Array.from({ length: 20 }, () => ({ ok: false as const, retryable: true, error: 'connection refused' }));
  post({ alertname: 'Down' });
  await scheduler.advance(30_000 + 5 * MINUTE);
  assert.equal(failed.length, 1);
  assert.match(failed[0], /notify retry canceled after \d+ attempts: connection refused/);
  assert.equal(notifier.sent.length, 0);
  await scheduler.advance(MINUTE);
  assert.equal(notifier.sent.length, 1);
  assert.equal(attempts.length, 21);
  await dispatcher.stop();
});

test('an unrecoverable error is not retried; the next flush sends it again', async () => {
  const { scheduler, notifier, post, attempts, failed, dispatcher } = setup();
  notifier.failures = [{ ok: false, retryable: false, error: 'bad request' }];
  post({ alertname: 'Down' });
  await scheduler.advance(30_000);
  assert.equal(attempts.length, 1);
  assert.match(failed[0], /unrecoverable error after 1 attempts: bad request/);
  await scheduler.advance(5 * MINUTE);
  assert.equal(notifier.sent.length, 1);
  await dispatcher.stop();
});

test('silenced and inhibited alerts are muted and marked; time intervals mute the whole group', async () => {
  let silenced = true;
  let muteNow = false;
  const muting: Muting = {
    silencedBy: (labels) => (silenced && labels.instance === 'a' ? ['silence-1'] : []),
    inhibitedBy: (labels) => (labels.instance === 'b' ? ['0123456789abcdef'] : []),
    activeIntervals: (names) => (muteNow ? [...names] : []),
  };
  const routes: MatchedRoute[] = [{ id: '{}', key: '{}', options: routeOptions({ muteTimeIntervals: ['weekends'] }) }];
  const { scheduler, notifier, post, marker, store, dispatcher } = setup({ muting, routes });
  post({ alertname: 'X', instance: 'a' });
  post({ alertname: 'X', instance: 'b' });
  post({ alertname: 'X', instance: 'c' });
  await scheduler.advance(30_000);
  assert.deepEqual(notifier.sent[0].alerts.map((alert) => alert.name), ['c']);
  const statuses = [...store.entries()].map(([key]) => marker.status(key));
  assert.deepEqual(statuses, [
    { state: 'suppressed', silencedBy: ['silence-1'], inhibitedBy: [] },
    { state: 'suppressed', silencedBy: [], inhibitedBy: ['0123456789abcdef'] },
    { state: 'active', silencedBy: [], inhibitedBy: [] },
  ]);
  silenced = false;
  muteNow = true;
  await scheduler.advance(5 * MINUTE);
  assert.equal(notifier.sent.length, 1);
  assert.deepEqual(marker.groupMutedBy('{}', '{}:{alertname="X"}'), ['weekends']);
  muteNow = false;
  await scheduler.advance(5 * MINUTE);
  assert.equal(notifier.sent.length, 2);
  assert.deepEqual(notifier.sent[1].alerts.map((alert) => alert.name), ['a', 'c']);
  await dispatcher.stop();
});

test('restored flush times: a re-created group keeps its rhythm instead of waiting group_wait', async () => {
  const scheduler = new FakeScheduler();
  const store = new AlertStore();
  const marker = new Marker();
  const times: number[] = [];
  const route: MatchedRoute = { id: '{}', key: '{}', options: routeOptions() };
  const now = scheduler.now();
  store.put(prepareAlerts([{ labels: { alertname: 'X' }, annotations: {}, startsAt: now - 60 * MINUTE, endsAt: 0, generatorURL: '' }], now, 5 * MINUTE).alerts, now);
  const dispatcher = new Dispatcher({
    store,
    routes: () => [route],
    pipeline: async (context, alerts) => {
      times.push(context.now);
      return alerts;
    },
    scheduler,
    marker,
    restoredFlushes: [{ routeId: '{}', groupKey: '{}:{alertname="X"}', lastFlush: now - 2 * MINUTE }],
  });
  await scheduler.advance(0);
  assert.deepEqual(times, []);
  await scheduler.advance(3 * MINUTE);
  assert.deepEqual(times, [now + 3 * MINUTE]);
  assert.deepEqual(dispatcher.flushRecords(), [{ routeId: '{}', groupKey: '{}:{alertname="X"}', lastFlush: now + 3 * MINUTE }]);
  await dispatcher.stop();
});
