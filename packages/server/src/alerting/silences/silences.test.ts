import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SilenceError, Silences } from './silences.ts';
import type { PostableSilence, SilenceMatcher } from './types.ts';

const T0 = 1_700_000_000_000;
const HOUR = 3600_000;

function clock(start = T0): { now: () => number; set: (time: number) => void } {
  let time = start;
  return { now: () => time, set: (next) => (time = next) };
}

function ids(): () => string {
  let next = 0;
  return () => `id-${++next}`;
}

const equal = (name: string, value: string): SilenceMatcher => ({ name, value, isRegex: false, isEqual: true });
const regex = (name: string, value: string): SilenceMatcher => ({ name, value, isRegex: true, isEqual: true });

function postable(overrides: Partial<PostableSilence> = {}): PostableSilence {
  return { matchers: [equal('alertname', 'HighErrorRate')], startsAt: T0, endsAt: T0 + HOUR, createdBy: 'ops', comment: 'deploy', ...overrides };
}

function invalid(silences: Silences, silence: PostableSilence): string {
  try {
    silences.set(silence);
  } catch (error) {
    assert.ok(error instanceof SilenceError);
    return error.message;
  }
  assert.fail('expected the silence to be refused');
}

test('validation messages are Alertmanager\'s', () => {
  const silences = new Silences({ clock: clock(), newId: ids() });
  assert.equal(invalid(silences, postable({ matchers: [] })), 'invalid silence: at least one matcher required');
  assert.equal(invalid(silences, postable({ matchers: [equal('a', ''), regex('b', '.*')] })), 'invalid silence: at least one matcher must not match the empty string');
  assert.match(invalid(silences, postable({ matchers: [regex('a', '(')] })), /^invalid silence: invalid label matcher 0: invalid regular expression "\(": error parsing regexp/);
  assert.equal(invalid(silences, postable({ matchers: [equal('', 'x')] })), 'invalid silence: invalid label matcher 0: invalid label name ""');
  assert.equal(invalid(silences, postable({ startsAt: T0 + HOUR, endsAt: T0 })), 'invalid silence: end time must not be before start time');
  assert.equal(invalid(silences, postable({ endsAt: 0 })), 'invalid silence: invalid zero end timestamp');
  assert.equal(invalid(silences, postable({ id: 'nope' })), 'silence not found');
  // `!=` on an empty value does not match the empty string, so it may stand alone.
  assert.equal(silences.set(postable({ matchers: [{ name: 'team', value: '', isRegex: false, isEqual: false }] })), 'id-1');
});

test('states move pending → active → expired; the end is inclusive', () => {
  const time = clock();
  const silences = new Silences({ clock: time, newId: ids() });
  const id = silences.set(postable({ startsAt: T0 + HOUR, endsAt: T0 + 2 * HOUR }));
  const silence = silences.get(id);
  assert.ok(silence);
  assert.equal(silences.state(silence), 'pending');
  time.set(T0 + HOUR);
  assert.equal(silences.state(silence), 'active');
  time.set(T0 + 2 * HOUR);
  assert.equal(silences.state(silence), 'active');
  time.set(T0 + 2 * HOUR + 1);
  assert.equal(silences.state(silence), 'expired');
  assert.deepEqual(silences.query({ states: ['expired'] }).map((s) => s.id), [id]);
  assert.deepEqual(silences.query({ states: ['active', 'pending'] }), []);
});

test('a start in the past becomes now; updates keep the id only when Alertmanager allows it', () => {
  const time = clock();
  const silences = new Silences({ clock: time, newId: ids() });
  const id = silences.set(postable({ startsAt: T0 - HOUR }));
  assert.equal(silences.get(id)?.startsAt, T0);

  // Active: extending the end with the same matchers and start updates in place.
  time.set(T0 + 10_000);
  assert.equal(silences.set(postable({ id, startsAt: T0, endsAt: T0 + 3 * HOUR, comment: 'longer' })), id);
  assert.equal(silences.get(id)?.endsAt, T0 + 3 * HOUR);
  assert.equal(silences.get(id)?.comment, 'longer');
  assert.equal(silences.get(id)?.updatedAt, T0 + 10_000);

  // Active: new matchers expire the old silence and create a new one.
  const replaced = silences.set(postable({ id, startsAt: T0, matchers: [equal('alertname', 'Other')] }));
  assert.equal(replaced, 'id-2');
  assert.equal(silences.get(id)?.endsAt, T0 + 10_000);
  assert.equal(silences.state(silences.get(id) ?? assert.fail()), 'active');
  time.set(T0 + 10_001);
  assert.equal(silences.state(silences.get(id) ?? assert.fail()), 'expired');

  // Expired: any change creates a new silence and leaves the expired one as it was.
  const again = silences.set(postable({ id, startsAt: 0, endsAt: T0 + HOUR }));
  assert.equal(again, 'id-3');
  assert.equal(silences.get(id)?.endsAt, T0 + 10_000);

  // Pending: moving its start later is an update in place.
  const pending = silences.set(postable({ startsAt: T0 + 5 * HOUR, endsAt: T0 + 6 * HOUR }));
  assert.equal(silences.set(postable({ id: pending, startsAt: T0 + 5.5 * HOUR, endsAt: T0 + 6 * HOUR })), pending);
  assert.equal(silences.get(pending)?.startsAt, T0 + 5.5 * HOUR);
});

test('expire ends an active silence now and a pending one before it starts', () => {
  const time = clock();
  const silences = new Silences({ clock: time, newId: ids() });
  const active = silences.set(postable());
  const pending = silences.set(postable({ startsAt: T0 + HOUR, endsAt: T0 + 2 * HOUR }));
  time.set(T0 + 1000);
  silences.expire(active);
  silences.expire(pending);
  assert.deepEqual([silences.get(active)?.startsAt, silences.get(active)?.endsAt], [T0, T0 + 1000]);
  assert.deepEqual([silences.get(pending)?.startsAt, silences.get(pending)?.endsAt], [T0 + 1000, T0 + 1000]);
  time.set(T0 + 1001);
  assert.deepEqual(silences.query({ states: ['expired'] }).length, 2);
  silences.expire(active); // expiring an expired silence is fine, as in Alertmanager
  assert.throws(() => silences.expire('missing'), (error: SilenceError) => error.kind === 'not_found');
});

test('mutes answers the active matching silences and follows additions, expiry and pending starts', () => {
  const time = clock();
  const silences = new Silences({ clock: time, newId: ids() });
  const labels = { alertname: 'HighErrorRate', service: 'api' };
  assert.deepEqual(silences.mutes(labels), []);
  const first = silences.set(postable({ matchers: [equal('service', 'api')] }));
  silences.set(postable({ matchers: [equal('service', 'web')] }));
  assert.deepEqual(silences.mutes(labels), [first]);
  const later = silences.set(postable({ matchers: [regex('alertname', 'High.*')], startsAt: T0 + HOUR / 2, endsAt: T0 + 2 * HOUR }));
  assert.deepEqual(silences.mutes(labels), [first]);
  time.set(T0 + HOUR / 2);
  assert.deepEqual(silences.mutes(labels).sort(), [first, later].sort());
  silences.expire(first);
  time.set(T0 + HOUR / 2 + 1);
  assert.deepEqual(silences.mutes(labels), [later]);
  // An explicit time is honoured; Alertmanager's regexes do not let `.` match a newline.
  assert.deepEqual(silences.mutes(labels, T0 + 3 * HOUR), []);
  assert.deepEqual(silences.mutes({ alertname: 'High\nx' }), []);
  // Query by label set.
  assert.deepEqual(silences.query({ matches: { alertname: 'HighCPU' } }).map((s) => s.id), [later]);
});

test('expired silences are kept for the retention, then collected', () => {
  const time = clock();
  const silences = new Silences({ clock: time, retention: 2 * HOUR, newId: ids() });
  const id = silences.set(postable());
  time.set(T0 + 3 * HOUR - 1);
  assert.equal(silences.collect(), 0);
  assert.ok(silences.get(id));
  time.set(T0 + 3 * HOUR);
  assert.equal(silences.collect(), 1);
  assert.equal(silences.get(id), undefined);
});

test('limits on the number and size of silences', () => {
  const silences = new Silences({ clock: clock(), newId: ids(), maxSilences: 1, maxSilenceSizeBytes: 400 });
  silences.set(postable());
  assert.equal(invalid(silences, postable()), 'exceeded maximum number of silences: 1 (limit: 1)');
  const big = new Silences({ clock: clock(), newId: ids(), maxSilenceSizeBytes: 400 });
  assert.match(invalid(big, postable({ comment: 'x'.repeat(500) })), /^silence exceeded maximum size: \d+ bytes \(limit: 400 bytes\)$/);
});

test('a change is written to the snapshot soon after, without waiting for maintenance', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-silences-'));
  try {
    const file = join(dir, 'silences.json');
    const silences = new Silences({ clock: clock(), newId: ids(), snapshotFile: file, snapshotDelay: 10 });
    const id = silences.set(postable());
    assert.equal(existsSync(file), false);
    await new Promise((done) => setTimeout(done, 50));
    assert.deepEqual(new Silences({ clock: clock(), snapshotFile: file }).get(id), silences.get(id));
    silences.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a snapshot survives a restart; a corrupt snapshot is reported, set aside, and not fatal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-silences-'));
  try {
    const file = join(dir, 'silences.json');
    const time = clock();
    const silences = new Silences({ clock: time, newId: ids(), snapshotFile: file });
    const id = silences.set(postable({ annotations: { ticket: 'OPS-1' } }));
    silences.stop();
    const restored = new Silences({ clock: time, newId: ids(), snapshotFile: file });
    assert.equal(restored.loadProblem, null);
    assert.deepEqual(restored.get(id), silences.get(id));
    assert.deepEqual(restored.mutes({ alertname: 'HighErrorRate' }), [id]);

    // Entries past their retention are not loaded.
    const later = new Silences({ clock: { now: () => T0 + 200 * HOUR }, snapshotFile: file });
    assert.equal(later.get(id), undefined);

    writeFileSync(file, '{"format":1,"silences":[');
    const warnings: string[] = [];
    const fresh = new Silences({ clock: time, snapshotFile: file, warn: (message) => warnings.push(message) });
    assert.match(fresh.loadProblem ?? '', /silences snapshot .* is corrupt and was not loaded: not valid JSON/);
    assert.equal(warnings.length, 1);
    assert.ok(existsSync(`${file}.corrupt`));
    assert.deepEqual(fresh.query(), []);
    fresh.stop();
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { format: 1, silences: [] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
