import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStorage } from '../store/index.ts';
import { Engine } from '../query/promql/engine/index.ts';
import { LabelMatcher, isStaleNaN, labelsToRecord } from '../model/index.ts';
import type { PostableAlert } from '../alerting/types.ts';
import { FakeScheduler } from '../alerting/index.ts';
import { buildRuleGroup, engineQueryFunction, parseRuleFile } from './index.ts';
import type { AlertingRule, RuleGroup } from './index.ts';

const MINUTE = 60_000;

function setup(yaml: string, options: { shouldRestore?: boolean; storage?: MemoryStorage; sent?: PostableAlert[][] } = {}): { group: RuleGroup; storage: MemoryStorage } {
  const parsed = parseRuleFile(yaml, 'rules.yml');
  assert.deepEqual(parsed.errors, []);
  const storage = options.storage ?? new MemoryStorage();
  const group = buildRuleGroup(parsed.groups[0], {
    query: engineQueryFunction(new Engine(), storage),
    storage,
    evaluationIntervalMs: MINUTE,
    externalLabels: { cluster: 'c1' },
    externalURL: 'http://vigil:9090',
    sendAlerts: (alerts) => options.sent?.push(alerts),
    shouldRestore: options.shouldRestore,
  });
  return { group, storage };
}

async function write(storage: MemoryStorage, labels: string[], points: [number, number][]): Promise<void> {
  const appender = storage.appender();
  const sample = { kind: 'float' as const, timestamp: 0, value: 0 };
  for (const [timestamp, value] of points) {
    sample.timestamp = timestamp;
    sample.value = value;
    appender.append(0, labels, sample);
  }
  await appender.commit();
}

/** A series' points; a stale marker reads as 'stale' (JS arrays do not keep NaN payloads). */
function read(storage: MemoryStorage, name: string): { labels: Record<string, string>; points: [number, number | 'stale'][] }[] {
  const querier = storage.querier(-Infinity, Infinity);
  const out = [];
  for (const series of querier.select([new LabelMatcher('=', '__name__', name)])) {
    const iterator = series.iterator();
    const points: [number, number | 'stale'][] = [];
    while (iterator.next()) points.push([iterator.timestamp, isStaleNaN(iterator.value) ? 'stale' : iterator.value]);
    out.push({ labels: labelsToRecord(series.labels), points });
  }
  querier.close();
  return out;
}

const ALERT_RULES = `
groups:
  - name: g
    rules:
      - alert: High
        expr: m > 10
        for: 2m
        labels:
          severity: page
          level: "{{ if gt $value 50.0 }}high{{ else }}low{{ end }}"
        annotations:
          summary: "{{ $labels.instance }} at {{ $value }} ({{ $externalLabels.cluster }})"
          broken: "{{ index $labels 1 }}"
`;

test('an alert goes pending, fires after for, resolves, and ALERTS series are written as Prometheus writes them', async () => {
  const sent: PostableAlert[][] = [];
  const { group, storage } = setup(ALERT_RULES, { sent });
  const points: [number, number][] = [];
  for (let t = 0; t <= 10; t++) points.push([t * MINUTE, t <= 5 ? 20 : 1]);
  await write(storage, ['__name__', 'm', 'instance', 'a'], points);
  const rule = group.rules[0] as AlertingRule;
  assert.equal(rule.state(), 'unknown');

  await group.evaluate(0);
  let [alert] = rule.activeAlerts();
  assert.equal(alert.state, 'pending');
  assert.deepEqual(labelsToRecord(alert.labels), { alertname: 'High', instance: 'a', level: 'low', severity: 'page' });
  assert.equal(alert.annotations.summary, 'a at 20 (c1)');
  assert.match(alert.annotations.broken, /^<error expanding template: /);
  assert.equal(sent.length, 0, 'pending alerts are not sent');

  await group.evaluate(MINUTE);
  assert.equal(rule.activeAlerts()[0].state, 'pending');
  await group.evaluate(2 * MINUTE);
  [alert] = rule.activeAlerts();
  assert.equal(alert.state, 'firing');
  assert.equal(alert.firedAt, 2 * MINUTE);
  assert.equal(sent.length, 1);
  assert.deepEqual(sent[0][0].labels, { alertname: 'High', instance: 'a', level: 'low', severity: 'page' });
  assert.equal(sent[0][0].startsAt, 2 * MINUTE);
  assert.equal(sent[0][0].endsAt, 2 * MINUTE + 4 * MINUTE);
  assert.equal(sent[0][0].generatorURL, 'http://vigil:9090/graph?g0.expr=m+%3E+10&g0.tab=1');

  // Within the resend delay (1m) nothing is re-sent; after it, it is.
  await group.evaluate(3 * MINUTE);
  assert.equal(sent.length, 1);
  await group.evaluate(3 * MINUTE + 30_000);
  assert.equal(sent.length, 2);

  // The value drops: the alert resolves, is sent as resolved and kept (not active) for 15 minutes.
  await group.evaluate(6 * MINUTE);
  assert.equal(rule.activeAlerts().length, 0);
  assert.equal(rule.currentAlerts()[0].state, 'inactive');
  assert.equal(rule.state(), 'inactive');
  assert.equal(sent.length, 3);
  assert.equal(sent[2][0].endsAt, 6 * MINUTE);

  const alerts = read(storage, 'ALERTS');
  const pending = alerts.find((s) => s.labels.alertstate === 'pending');
  const firing = alerts.find((s) => s.labels.alertstate === 'firing');
  assert.deepEqual(pending?.labels, { __name__: 'ALERTS', alertname: 'High', alertstate: 'pending', instance: 'a', level: 'low', severity: 'page' });
  assert.deepEqual(pending?.points.slice(0, 2), [[0, 1], [MINUTE, 1]]);
  // The pending series goes stale when the alert fires; the firing one when it resolves.
  assert.equal(pending?.points[2][1], 'stale');
  assert.equal(firing?.points[0][0], 2 * MINUTE);
  assert.equal(firing?.points.at(-1)?.[1], 'stale');
  const forState = read(storage, 'ALERTS_FOR_STATE');
  assert.deepEqual(forState[0].labels, { __name__: 'ALERTS_FOR_STATE', alertname: 'High', instance: 'a', level: 'low', severity: 'page' });
  assert.deepEqual(forState[0].points[0], [0, 0]);
});

test('keep_firing_for keeps a firing alert after the condition clears', async () => {
  const { group, storage } = setup(`
groups:
  - name: g
    rules:
      - alert: Flap
        expr: m > 0
        keep_firing_for: 2m
`);
  await write(storage, ['__name__', 'm'], [[0, 1], [MINUTE, 0], [2 * MINUTE, 0], [3 * MINUTE, 0]]);
  const rule = group.rules[0] as AlertingRule;
  await group.evaluate(0);
  assert.equal(rule.activeAlerts()[0].state, 'firing');
  await group.evaluate(MINUTE);
  assert.equal(rule.activeAlerts()[0].state, 'firing');
  await group.evaluate(2 * MINUTE);
  assert.equal(rule.activeAlerts()[0].state, 'firing');
  await group.evaluate(3 * MINUTE);
  assert.equal(rule.activeAlerts().length, 0);
});

test('recording rules write renamed series, mark vanished ones stale and report duplicate label sets', async () => {
  const { group, storage } = setup(`
groups:
  - name: rec
    rules:
      - record: job:m:sum
        expr: sum by (job) (m)
        labels:
          source: rule
      - record: collapsed
        expr: m
        labels:
          job: same
`);
  await write(storage, ['__name__', 'm', 'job', 'a', 'x', '1'], [[0, 1], [5 * MINUTE, 2]]);
  await write(storage, ['__name__', 'm', 'job', 'b', 'x', '1'], [[0, 5]]);
  await group.evaluate(0);
  assert.equal(group.rules[1].health, 'err');
  assert.equal(group.rules[1].lastError, 'vector contains metrics with the same labelset after applying rule labels');
  assert.equal(group.rules[0].health, 'ok');
  assert.equal(group.counters.evaluationFailures, 1);
  await group.evaluate(6 * MINUTE);
  const recorded = read(storage, 'job:m:sum');
  assert.deepEqual(recorded.map((s) => s.labels), [
    { __name__: 'job:m:sum', job: 'a', source: 'rule' },
    { __name__: 'job:m:sum', job: 'b', source: 'rule' },
  ]);
  assert.deepEqual(recorded[0].points, [[0, 1], [6 * MINUTE, 2]]);
  assert.equal(recorded[1].points[0][1], 5);
  assert.equal(recorded[1].points[1][1], 'stale', 'job b vanished (lookback passed) and is marked stale');
  // At 6m only job a is left, so the second rule works again.
  assert.equal(group.rules[1].health, 'ok');
});

test('limit fails the rule and drops its alerts', async () => {
  const { group, storage } = setup(`
groups:
  - name: g
    limit: 1
    rules:
      - alert: Many
        expr: m > 0
`);
  await write(storage, ['__name__', 'm', 'i', '1'], [[0, 1]]);
  await write(storage, ['__name__', 'm', 'i', '2'], [[0, 1]]);
  await group.evaluate(0);
  const rule = group.rules[0] as AlertingRule;
  assert.equal(rule.health, 'err');
  assert.equal(rule.lastError, 'exceeded limit of 1 with 2 alerts');
  assert.equal(rule.activeAlerts().length, 0);
});

test("restore continues a pending alert's for state after a restart", async () => {
  const storage = new MemoryStorage();
  const rules = `
groups:
  - name: g
    rules:
      - alert: Slow
        expr: m > 0
        for: 30m
`;
  const points: [number, number][] = [];
  for (let t = 0; t <= 60; t++) points.push([t * MINUTE, 1]);
  await write(storage, ['__name__', 'm'], points);
  // Before the "restart": pending from t=0 until t=10m.
  const before = setup(rules, { storage }).group;
  for (let t = 0; t <= 10; t++) await before.evaluate(t * MINUTE);
  // Down from 10m to 15m; the new group restores after its evaluations.
  const after = setup(rules, { storage, shouldRestore: true }).group;
  const rule = after.rules[0] as AlertingRule;
  assert.equal(rule.restored, false);
  await after.evaluate(15 * MINUTE);
  await after.evaluate(16 * MINUTE);
  assert.equal(read(storage, 'ALERTS').length, 1, 'no ALERTS written before the restore');
  await after.restoreForState(16 * MINUTE);
  assert.equal(rule.restored, true);
  // 10 minutes were spent pending before the outage; the 6 minutes of downtime shift activeAt.
  assert.equal(rule.activeAlerts()[0].activeAt, 6 * MINUTE);
  await after.evaluate(35 * MINUTE);
  assert.equal(rule.activeAlerts()[0].state, 'pending');
  await after.evaluate(36 * MINUTE);
  assert.equal(rule.activeAlerts()[0].state, 'firing');
});

test('evaluation slots are spread by the group hash and stay interval-aligned', () => {
  const { group } = setup(`
groups:
  - name: g
    rules: []
`);
  const first = group.evaluationTimestamp(1_700_000_000_000);
  assert.ok(first <= 1_700_000_000_000 && first > 1_700_000_000_000 - MINUTE);
  // Slots carry the hash's sub-millisecond part, truncated: one ms later is safely in the next slot.
  assert.equal(group.evaluationTimestamp(first + MINUTE + 1), first + MINUTE);
  assert.equal(group.evaluationTimestamp(first + MINUTE - 1), first);
});

test('alert templates can query at the evaluation time and see external URL and labels', async () => {
  const { group, storage } = setup(`
groups:
  - name: g
    query_offset: 1m
    rules:
      - alert: Q
        expr: m > 0
        annotations:
          total: "{{ with query \\"sum(m)\\" }}{{ . | first | value }}{{ end }}"
          link: "{{ $externalURL }}/alerts {{ $labels.__name__ }}"
`);
  await write(storage, ['__name__', 'm', 'i', '1'], [[0, 2], [2 * MINUTE, 7]]);
  await write(storage, ['__name__', 'm', 'i', '2'], [[0, 3], [2 * MINUTE, 4]]);
  // Evaluated at 2m with a 1m offset: the rule sees the samples at 0; templates query at 2m.
  await group.evaluate(2 * MINUTE);
  const alerts = (group.rules[0] as AlertingRule).activeAlerts();
  assert.deepEqual(alerts.map((alert) => alert.value).sort(), [2, 3]);
  assert.equal(alerts[0].annotations.total, '11');
  assert.equal(alerts[0].annotations.link, 'http://vigil:9090/alerts m');
  assert.equal(alerts[0].activeAt, 2 * MINUTE);
  const series = read(storage, 'ALERTS');
  assert.equal(series[0].points[0][0], MINUTE, 'ALERTS samples carry the offset time');
});

test('a group started on a scheduler evaluates at its slots as the scheduler moves, and idle waits for the evaluation', async () => {
  const scheduler = new FakeScheduler(Date.UTC(2026, 0, 1));
  const parsed = parseRuleFile(ALERT_RULES, 'rules.yml');
  const storage = new MemoryStorage();
  const group = buildRuleGroup(parsed.groups[0], { query: engineQueryFunction(new Engine(), storage), storage, evaluationIntervalMs: MINUTE, clock: scheduler, scheduler });
  group.start();
  assert.equal(scheduler.pending, 1, 'the first evaluation waits on the scheduler, not on a wall-clock timer');
  const firstSlot = group.evaluationTimestamp(scheduler.now()) + MINUTE;
  await scheduler.advance(firstSlot - scheduler.now() - 1);
  assert.equal(group.lastEvaluationTimestamp, null);
  await scheduler.advance(1);
  await group.idle();
  assert.equal(group.lastEvaluationTimestamp, firstSlot);
  assert.equal(scheduler.pending, 1, 'the next evaluation is scheduled once this one finished');
  await scheduler.advance(MINUTE);
  await group.idle();
  assert.equal(group.lastEvaluationTimestamp, firstSlot + MINUTE);
  assert.equal(group.counters.iterationsMissed, 0);
  await group.stop();
  assert.equal(scheduler.pending, 0, 'stop cancels the scheduled evaluation');
});

test("a group's slot is Prometheus's: xxHash64 of its file and name, modulo the interval", () => {
  // The hash itself is checked against reference vectors in model/hash.test.ts.
  const parsed = parseRuleFile('groups:\n  - name: slotcheck\n    interval: 10s\n    rules: []\n', 'rules.yml');
  const storage = new MemoryStorage();
  const group = buildRuleGroup(parsed.groups[0], { query: engineQueryFunction(new Engine(), storage), storage, evaluationIntervalMs: MINUTE });
  // Prometheus 2.42 with this group wrote its recording rule's samples at …8.065 s (seen with a real server).
  assert.equal(group.evaluationTimestamp(1_796_124_620_000) % 10_000, 8_065);
});
