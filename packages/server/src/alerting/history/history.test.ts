import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertHistory } from './history.ts';
import type { HistoryRecord } from './records.ts';

const HOUR = 3600_000;

function alertRecord(time: number, alertname: string, event: 'firing' | 'resolved' = 'firing'): HistoryRecord {
  return { kind: 'alert', time, fingerprint: `fp-${alertname}`, labels: { alertname }, event };
}

function notificationRecord(time: number, receiver: string, alertname: string, ok: boolean): HistoryRecord {
  return {
    kind: 'notification',
    time,
    receiver,
    integration: 'webhook[0]',
    groupKey: `{}:{alertname="${alertname}"}`,
    fingerprints: [`fp-${alertname}`],
    alerts: [{ fingerprint: `fp-${alertname}`, labels: { alertname }, status: 'firing' }],
    attempt: 1,
    durationMs: 3,
    ok,
    ...(ok ? {} : { error: 'connection refused', retryable: true }),
  };
}

const equals = (name: string, value: string) => ({ name, matches: (candidate: string) => candidate === value });

test('history: appended records come back newest first, filtered by time, labels, receiver and kind', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-history-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  let now = Date.UTC(2026, 0, 1);
  const history = new AlertHistory({ dir, clock: { now: () => now }, retentionMs: 48 * HOUR });
  history.append(alertRecord(now, 'A'));
  history.append(notificationRecord(now + 1, 'team', 'A', false));
  history.append(notificationRecord(now + 2, 'team', 'A', true));
  history.append(alertRecord(now + 3, 'B'));
  history.append(notificationRecord(now + 4, 'ops', 'B', true));
  const all = await history.query({ matchers: [], limit: 100 });
  assert.deepEqual(all.map((record) => record.time - now), [4, 3, 2, 1, 0]);
  const forA = await history.query({ matchers: [equals('alertname', 'A')], limit: 100 });
  assert.deepEqual(forA.map((record) => record.kind), ['notification', 'notification', 'alert']);
  const ops = await history.query({ matchers: [], receiver: 'ops', limit: 100 });
  assert.equal(ops.length, 1);
  const failures = (await history.query({ matchers: [], kind: 'notification', limit: 100 })).filter((record) => record.kind === 'notification' && !record.ok);
  assert.equal(failures.length, 1);
  assert.deepEqual(await history.query({ matchers: [], from: now + 1, to: now + 2, limit: 100 }).then((list) => list.map((record) => record.time - now)), [2, 1]);
  assert.equal((await history.query({ matchers: [], limit: 2 })).length, 2);

  // A new day starts a new file; a reopened history appends to the newest one and reads all.
  now += 25 * HOUR;
  history.append(alertRecord(now, 'C', 'resolved'));
  await history.flush();
  assert.equal((await readdir(dir)).length, 2);
  const reopened = new AlertHistory({ dir, clock: { now: () => now }, retentionMs: 48 * HOUR });
  reopened.append(alertRecord(now + 1, 'D'));
  assert.equal((await reopened.query({ matchers: [], limit: 100 })).length, 7);
  assert.equal((await readdir(dir)).length, 2);

  // A torn line from a crash is skipped.
  const files = (await readdir(dir)).sort();
  await reopened.flush();
  await appendFile(join(dir, files[1]), '{"kind":"alert","ti');
  const afterCrash = new AlertHistory({ dir, clock: { now: () => now }, retentionMs: 48 * HOUR });
  afterCrash.append(alertRecord(now + 2, 'E'));
  assert.equal((await afterCrash.query({ matchers: [], limit: 100 })).length, 8);

  // Retention deletes whole files once everything in them is too old.
  now += 30 * HOUR;
  assert.equal(await afterCrash.applyRetention(), 0);
  now += 20 * HOUR;
  assert.equal(await afterCrash.applyRetention(), 1);
  assert.deepEqual((await afterCrash.query({ matchers: [], limit: 100 })).map((record) => (record.kind === 'alert' ? record.labels.alertname : '')), ['E', 'D', 'C']);
});

test('history: a file past its size limit is closed and a new one begun', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-history-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  let now = Date.UTC(2026, 0, 1);
  const history = new AlertHistory({ dir, clock: { now: () => now }, retentionMs: 48 * HOUR, maxFileBytes: 300 });
  for (let index = 0; index < 10; index++) {
    history.append(alertRecord(now, `Alert${index}`));
    await history.flush();
    now += 1000;
  }
  assert.ok((await readdir(dir)).length >= 3);
  assert.equal((await history.query({ matchers: [], limit: 100 })).length, 10);
});
