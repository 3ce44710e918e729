import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calculateInterval, describeRange, formatInterval, parseInterval, parseTime, rateInterval, resolveRange, roundInterval } from './time.ts';

// A fixed local time: 2026-03-18 (Wednesday) 14:37:12.345.
const now = new Date(2026, 2, 18, 14, 37, 12, 345).getTime();
const local = (...parts: number[]) => new Date(parts[0], parts[1], parts[2], parts[3] ?? 0, parts[4] ?? 0, parts[5] ?? 0, parts[6] ?? 0).getTime();

test('relative times and rounding as Grafana date math', () => {
  assert.equal(parseTime('now', now, false), now);
  assert.equal(parseTime('now-6h', now, false), now - 6 * 3600_000);
  assert.equal(parseTime('now-1d/d', now, false), local(2026, 2, 17));
  assert.equal(parseTime('now-1d/d', now, true), local(2026, 2, 18) - 1);
  assert.equal(parseTime('now/d', now, false), local(2026, 2, 18));
  assert.equal(parseTime('now/w', now, false), local(2026, 2, 16), 'weeks start on Monday');
  assert.equal(parseTime('now/M', now, true), local(2026, 3, 1) - 1);
  assert.equal(parseTime('now-1M', now, false), local(2026, 1, 18, 14, 37, 12, 345));
  assert.equal(parseTime('now+5m', now, false), now + 300_000);
  assert.equal(parseTime('now-1h-30m', now, false), now - 5_400_000);
});

test('absolute times: epoch ms, epoch seconds, local dates, ISO; garbage is null', () => {
  assert.equal(parseTime('1700000000000', now, false), 1_700_000_000_000);
  assert.equal(parseTime('1700000000', now, false), 1_700_000_000_000);
  assert.equal(parseTime('2026-01-02 10:00:00', now, false), local(2026, 0, 2, 10));
  assert.equal(parseTime('2026-01-02', now, false), local(2026, 0, 2));
  assert.equal(parseTime('2026-01-02T10:00:00Z', now, false), Date.UTC(2026, 0, 2, 10));
  assert.equal(parseTime('yesterday', now, false), null);
  assert.equal(parseTime('now-6x', now, false), null);
  assert.equal(resolveRange({ from: 'now', to: 'now-1h' }, now), null);
  assert.deepEqual(resolveRange({ from: 'now-1h', to: 'now' }, now), { raw: { from: 'now-1h', to: 'now' }, fromMs: now - 3600_000, toMs: now });
});

test('intervals: parse, print, round like kbn.roundInterval, and the panel interval', () => {
  assert.equal(parseInterval('1h30m'), 5_400_000);
  assert.equal(parseInterval('250ms'), 250);
  assert.equal(parseInterval('5x'), null);
  assert.equal(formatInterval(5_400_000), '1h30m');
  assert.equal(formatInterval(15_000), '15s');
  assert.equal(formatInterval(250), '250ms');
  assert.equal(roundInterval(21_600_000 / 1200), 20_000);
  assert.equal(roundInterval(13_000), 15_000);
  // 6 h over a 1,200 px panel: 18 s → 20 s; never below the 15 s scrape interval.
  assert.equal(calculateInterval({ rangeMs: 21_600_000, maxDataPoints: 1200, minIntervalMs: 15_000 }), 20_000);
  assert.equal(calculateInterval({ rangeMs: 3_600_000, maxDataPoints: 1200, minIntervalMs: 15_000 }), 15_000);
  // 30 days at 1 s minimum: stays under Prometheus's 11,000 points.
  assert.ok(30 * 86_400_000 / calculateInterval({ rangeMs: 30 * 86_400_000, maxDataPoints: 100_000, minIntervalMs: 1000 }) <= 11_000);
  assert.equal(rateInterval(20_000, 15_000), 60_000);
  assert.equal(rateInterval(120_000, 15_000), 135_000);
});

test('range names', () => {
  assert.equal(describeRange({ from: 'now-6h', to: 'now' }, null), 'Last 6 hours');
  assert.equal(describeRange({ from: 'now-90m', to: 'now' }, null), 'Last 90 minutes');
  assert.equal(describeRange({ from: 'now-1d/d', to: 'now-1d/d' }, null), 'Yesterday');
});

test('dashboards in UTC round and parse in UTC', () => {
  const utcNow = Date.UTC(2026, 2, 18, 14, 37, 12, 345);
  assert.equal(parseTime('now/d', utcNow, false, 'utc'), Date.UTC(2026, 2, 18));
  assert.equal(parseTime('now-1d/d', utcNow, true, 'utc'), Date.UTC(2026, 2, 18) - 1);
  assert.equal(parseTime('now/w', utcNow, false, 'utc'), Date.UTC(2026, 2, 16));
  assert.equal(parseTime('now/y', utcNow, false, 'utc'), Date.UTC(2026, 0, 1));
  assert.equal(parseTime('now/h', utcNow, true, 'utc'), Date.UTC(2026, 2, 18, 15) - 1);
  assert.equal(parseTime('2026-01-02 10:00:00', utcNow, false, 'utc'), Date.UTC(2026, 0, 2, 10));
  assert.equal(describeRange({ from: String(Date.UTC(2026, 0, 2, 10)), to: String(Date.UTC(2026, 0, 2, 12)) }, resolveRange({ from: String(Date.UTC(2026, 0, 2, 10)), to: String(Date.UTC(2026, 0, 2, 12)) }, utcNow, 'utc'), 'utc'), '2026-01-02 10:00:00 to 2026-01-02 12:00:00 UTC');
});
