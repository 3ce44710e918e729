import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NotificationLogEntry } from '../nflog/index.ts';
import { needsUpdate } from './stages.ts';

const T = Date.UTC(2026, 0, 1);
const HOUR = 3600_000;

function entry(firing: string[], resolved: string[], timestamp = T - HOUR): NotificationLogEntry {
  return { receiver: { receiver: 'r', integration: 'webhook', index: 0 }, groupKey: 'g', timestamp, firingAlerts: firing, resolvedAlerts: resolved, expiresAt: T + HOUR };
}

test("the dedup stage's decision, case by case as Alertmanager's needsUpdate", () => {
  const set = (...items: string[]) => new Set(items);
  const cases: [string, NotificationLogEntry | undefined, Set<string>, Set<string>, boolean, boolean][] = [
    ['nothing sent yet, something firing', undefined, set('a'), set(), true, true],
    ['nothing sent yet, only resolved alerts', undefined, set(), set('a'), true, false],
    ['a new firing alert', entry(['a'], []), set('a', 'b'), set(), true, true],
    ['same firing alerts, repeat interval not passed', entry(['a', 'b'], []), set('a', 'b'), set(), true, false],
    ['fewer firing alerts, none resolved newly (a left the group)', entry(['a', 'b'], []), set('a'), set(), true, false],
    ['all resolved after some were firing', entry(['a'], []), set(), set('a'), false, true],
    ['all resolved and already told', entry([], ['a']), set(), set('a'), true, false],
    ['newly resolved, send_resolved', entry(['a', 'b'], []), set('a'), set('b'), true, true],
    ['newly resolved, no send_resolved', entry(['a', 'b'], []), set('a'), set('b'), false, false],
    ['repeat interval passed', entry(['a'], [], T - 5 * HOUR), set('a'), set(), true, true],
    ['exactly the repeat interval ago', entry(['a'], [], T - 4 * HOUR), set('a'), set(), true, false],
  ];
  for (const [name, logged, firing, resolved, sendResolved, expected] of cases) {
    assert.equal(needsUpdate(logged, firing, resolved, sendResolved, 4 * HOUR, T), expected, name);
  }
});
