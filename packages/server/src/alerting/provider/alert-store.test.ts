import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Alert } from '../types.ts';
import { AlertStore, mergeAlerts } from './alert-store.ts';
import { prepareAlerts, validateAlert } from './validate.ts';

const T = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;

function alert(overrides: Partial<Alert>): Alert {
  return { labels: { alertname: 'X' }, annotations: {}, startsAt: T, endsAt: T + 5 * MINUTE, generatorURL: '', updatedAt: T, timeout: true, ...overrides };
}

test('prepareAlerts defaults start and end as Alertmanager does and counts firing / resolved', () => {
  const result = prepareAlerts(
    [
      { labels: { alertname: 'a' }, annotations: {}, startsAt: 0, endsAt: 0, generatorURL: '' },
      { labels: { alertname: 'b' }, annotations: {}, startsAt: 0, endsAt: T - MINUTE, generatorURL: '' },
      { labels: { alertname: 'c' }, annotations: {}, startsAt: T - 10 * MINUTE, endsAt: T + MINUTE, generatorURL: 'http://x' },
    ],
    T,
    5 * MINUTE,
  );
  assert.deepEqual(result.errors, []);
  assert.deepEqual(
    result.alerts.map((item) => [item.labels.alertname, item.startsAt - T, item.endsAt - T, item.timeout, item.updatedAt - T]),
    [
      ['a', 0, 5 * MINUTE, true, 0],
      ['b', -MINUTE, -MINUTE, false, 0],
      ['c', -10 * MINUTE, MINUTE, false, 0],
    ],
  );
  assert.equal(result.firing, 2);
  assert.equal(result.resolved, 1);
});

test('validateAlert answers in Alertmanager\'s words', () => {
  assert.equal(validateAlert({ labels: { a: '1' }, annotations: {}, startsAt: 0, endsAt: 0 }), 'start time missing');
  assert.equal(validateAlert({ labels: { a: '1' }, annotations: {}, startsAt: T, endsAt: T - 1 }), 'start time must be before end time');
  assert.equal(validateAlert({ labels: {}, annotations: {}, startsAt: T, endsAt: 0 }), 'at least one label pair required');
  assert.equal(validateAlert({ labels: { '': 'x' }, annotations: {}, startsAt: T, endsAt: 0 }), 'invalid label set: invalid name ""');
  assert.equal(validateAlert({ labels: { a: '1' }, annotations: { '': 'x' }, startsAt: T, endsAt: 0 }), 'invalid annotations: invalid name ""');
  // UTF-8 names are valid, as in current Alertmanager.
  assert.equal(validateAlert({ labels: { 'service.name': 'api', 'é': '1' }, annotations: {}, startsAt: T, endsAt: 0 }), null);
});

test('merge: the newer update wins, the earliest start stays, a real end beats a timeout', () => {
  const stored = alert({ startsAt: T - 10 * MINUTE, endsAt: T + 5 * MINUTE, updatedAt: T - MINUTE, timeout: true, annotations: { v: 'old' } });
  const incoming = alert({ startsAt: T, endsAt: T + 4 * MINUTE, updatedAt: T, timeout: true, annotations: { v: 'new' } });
  const merged = mergeAlerts(stored, incoming, T);
  assert.equal(merged.startsAt, T - 10 * MINUTE);
  // The stored end came from a timeout, so the newer (earlier) one is kept.
  assert.equal(merged.endsAt, T + 4 * MINUTE);
  assert.equal(merged.annotations.v, 'new');
  const explicit = mergeAlerts({ ...stored, timeout: false }, incoming, T);
  assert.equal(explicit.endsAt, T + 5 * MINUTE);
  // A resolution keeps its end unless the other was resolved later.
  const resolving = mergeAlerts(stored, alert({ startsAt: T - 10 * MINUTE, endsAt: T - 30_000, updatedAt: T, timeout: false }), T);
  assert.equal(resolving.endsAt, T - 30_000);
  // Argument order does not matter: the later update is the base.
  assert.deepEqual(mergeAlerts(incoming, stored, T), merged);
});

test('store: overlapping posts merge, a firing after a resolution replaces, listeners see every put, gc drops resolved', () => {
  const store = new AlertStore();
  const seen: [string, boolean][] = [];
  store.subscribe((item, _key, previous) => seen.push([item.labels.alertname, previous !== undefined]));
  store.put([alert({ startsAt: T - 10 * MINUTE, endsAt: T + 5 * MINUTE, updatedAt: T })], T);
  store.put([alert({ startsAt: T + MINUTE, endsAt: T + 6 * MINUTE, updatedAt: T + MINUTE })], T + MINUTE);
  assert.equal(store.list()[0].startsAt, T - 10 * MINUTE, 'merged: the first start stays');
  store.put([alert({ startsAt: T - 10 * MINUTE, endsAt: T + 2 * MINUTE, updatedAt: T + 2 * MINUTE, timeout: false })], T + 2 * MINUTE);
  // Resolved at T+2m; a new firing at T+10m does not overlap and replaces it.
  store.put([alert({ startsAt: T + 10 * MINUTE, endsAt: T + 15 * MINUTE, updatedAt: T + 10 * MINUTE })], T + 10 * MINUTE);
  assert.equal(store.list()[0].startsAt, T + 10 * MINUTE);
  assert.deepEqual(seen, [
    ['X', false],
    ['X', true],
    ['X', true],
    ['X', true],
  ]);
  assert.equal(store.gc(T + 14 * MINUTE).length, 0);
  assert.equal(store.gc(T + 15 * MINUTE).length, 1);
  assert.equal(store.size, 0);
});
