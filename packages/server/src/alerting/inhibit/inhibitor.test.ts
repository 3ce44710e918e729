import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LabelMatcher } from '../../model/index.ts';
import { fingerprint } from '../types.ts';
import type { Alert, LabelSet } from '../types.ts';
import { Inhibitor } from './inhibitor.ts';
import type { InhibitRule, InhibitorAlertSource } from './inhibitor.ts';

const NOW = 1_700_000_000_000;

function alert(labels: LabelSet, endsAt = NOW + 3600_000): Alert {
  return { labels, annotations: {}, startsAt: NOW - 60_000, endsAt, generatorURL: '', updatedAt: NOW, timeout: false };
}

/** A minimal alert store: the current alerts and a listener per subscriber. */
function store(initial: Alert[]): InhibitorAlertSource & { put(alert: Alert): void; listeners: number } {
  const alerts = new Map(initial.map((a) => [fingerprint(a.labels), a] as const));
  const listeners = new Set<(alert: Alert, alertFingerprint: string) => void>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return { alerts: [...alerts.entries()], unsubscribe: () => listeners.delete(listener) };
    },
    put(a) {
      alerts.set(fingerprint(a.labels), a);
      for (const listener of listeners) listener(a, fingerprint(a.labels));
    },
    get listeners() {
      return listeners.size;
    },
  };
}

const criticalInhibitsWarning: InhibitRule = {
  sourceMatchers: [new LabelMatcher('=', 'severity', 'critical')],
  targetMatchers: [new LabelMatcher('=', 'severity', 'warning')],
  equal: ['alertname', 'instance'],
};

test('a firing source inhibits targets with equal labels, and names its fingerprint', () => {
  const source = alert({ alertname: 'HighErrorRate', instance: 'a', severity: 'critical' });
  const alerts = store([source]);
  const inhibitor = new Inhibitor({ rules: [criticalInhibitsWarning], alerts, clock: { now: () => NOW } });
  assert.deepEqual(inhibitor.mutes({ alertname: 'HighErrorRate', instance: 'a', severity: 'warning' }), [fingerprint(source.labels)]);
  // A different `equal` value, or a label set outside the target matchers, is not inhibited.
  assert.deepEqual(inhibitor.mutes({ alertname: 'HighErrorRate', instance: 'b', severity: 'warning' }), []);
  assert.deepEqual(inhibitor.mutes({ alertname: 'HighErrorRate', instance: 'a', severity: 'info' }), []);
  // The source itself is not a target.
  assert.deepEqual(inhibitor.mutes(source.labels), []);
});

test('equal labels absent on both sides count as equal (empty strings), as Alertmanager compares them', () => {
  const alerts = store([alert({ alertname: 'X', severity: 'critical' })]);
  const inhibitor = new Inhibitor({ rules: [criticalInhibitsWarning], alerts, clock: { now: () => NOW } });
  assert.equal(inhibitor.mutes({ alertname: 'X', severity: 'warning' }).length, 1);
  assert.equal(inhibitor.mutes({ alertname: 'X', instance: 'a', severity: 'warning' }).length, 0);
});

test('alerts arriving later become sources; a resolved source stops inhibiting', () => {
  let now = NOW;
  const alerts = store([]);
  const inhibitor = new Inhibitor({ rules: [criticalInhibitsWarning], alerts, clock: { now: () => now } });
  const target = { alertname: 'Disk', instance: 'a', severity: 'warning' };
  assert.deepEqual(inhibitor.mutes(target), []);
  const source = alert({ alertname: 'Disk', instance: 'a', severity: 'critical' }, NOW + 60_000);
  alerts.put(source);
  assert.deepEqual(inhibitor.mutes(target), [fingerprint(source.labels)]);
  // Resolved by time passing (its endsAt) …
  now = NOW + 60_000;
  assert.deepEqual(inhibitor.mutes(target), []);
  // … and fires again when posted again.
  alerts.put(alert(source.labels, now + 60_000));
  assert.equal(inhibitor.mutes(target).length, 1);
  // Resolved explicitly by the sender.
  alerts.put(alert(source.labels, now - 1));
  assert.deepEqual(inhibitor.mutes(target), []);
  inhibitor.collect();
  assert.deepEqual(inhibitor.mutes(target), []);
});

test('alerts matching both sides of a rule do not inhibit each other, but do inhibit plain targets', () => {
  // Any `Node*` alert inhibits any other alert on the same node, NodeDown included.
  const rule: InhibitRule = {
    sourceMatchers: [new LabelMatcher('=~', 'alertname', 'Node.*')],
    targetMatchers: [new LabelMatcher('=~', 'alertname', '.+')],
    equal: ['node'],
  };
  const nodeDown = alert({ alertname: 'NodeDown', node: 'n1' });
  const nodeHot = alert({ alertname: 'NodeHot', node: 'n1' });
  const alerts = store([nodeDown, nodeHot]);
  const inhibitor = new Inhibitor({ rules: [rule], alerts, clock: { now: () => NOW } });
  assert.deepEqual(inhibitor.mutes(nodeDown.labels), []);
  assert.deepEqual(inhibitor.mutes(nodeHot.labels), []);
  assert.equal(inhibitor.mutes({ alertname: 'DiskFull', node: 'n1' }).length, 1);
  assert.deepEqual(inhibitor.mutes({ alertname: 'DiskFull', node: 'n2' }), []);
});

test('the first matching rule decides; stop unsubscribes', () => {
  const rules: InhibitRule[] = [
    { sourceMatchers: [new LabelMatcher('=', 'kind', 'a')], targetMatchers: [new LabelMatcher('=', 'target', 'yes')], equal: [] },
    { sourceMatchers: [new LabelMatcher('=', 'kind', 'b')], targetMatchers: [new LabelMatcher('=', 'target', 'yes')], equal: [] },
  ];
  const b = alert({ kind: 'b' });
  const alerts = store([b]);
  const inhibitor = new Inhibitor({ rules, alerts, clock: { now: () => NOW } });
  assert.deepEqual(inhibitor.mutes({ target: 'yes' }), [fingerprint(b.labels)]);
  assert.equal(alerts.listeners, 1);
  inhibitor.stop();
  assert.equal(alerts.listeners, 0);
});
