import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NotificationLog } from './notification-log.ts';

const T = Date.UTC(2026, 0, 1);
const HOUR = 3600_000;
const receiver = { receiver: 'team', integration: 'webhook', index: 0 };

test('entries are kept per group key and integration, expire after min(retention, 2 × repeat), survive a snapshot', () => {
  const log = new NotificationLog(120 * HOUR);
  log.log(receiver, '{}:{alertname="A"}', ['a1'], [], T, 8 * HOUR);
  log.log({ ...receiver, index: 1 }, '{}:{alertname="A"}', ['a1', 'a2'], [], T, 0);
  assert.deepEqual(log.query('{}:{alertname="A"}', receiver)?.firingAlerts, ['a1']);
  assert.deepEqual(log.query('{}:{alertname="A"}', { ...receiver, index: 1 })?.firingAlerts, ['a1', 'a2']);
  assert.equal(log.query('{}:{alertname="B"}', receiver), undefined);
  assert.equal(log.query('{}:{alertname="A"}', receiver)?.expiresAt, T + 8 * HOUR);
  assert.equal(log.query('{}:{alertname="A"}', { ...receiver, index: 1 })?.expiresAt, T + 120 * HOUR);
  // An older write does not replace a newer entry (a clock that went back).
  log.log(receiver, '{}:{alertname="A"}', [], ['a1'], T - 1000, 8 * HOUR);
  assert.deepEqual(log.query('{}:{alertname="A"}', receiver)?.firingAlerts, ['a1']);

  const restored = new NotificationLog(120 * HOUR);
  const problems = restored.restore([...JSON.parse(JSON.stringify(log.list())), { receiver: 'bad' }], T + 9 * HOUR);
  assert.deepEqual(problems, ['entry 2 is malformed']);
  assert.equal(restored.size, 1, 'the expired entry is not restored');
  assert.equal(log.gc(T + 8 * HOUR), 1);
  assert.equal(log.size, 1);
});
