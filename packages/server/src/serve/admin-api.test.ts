import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { LabelMatcher } from '../model/index.ts';
import { Tsdb } from '../store/tsdb/index.ts';
import { mountAdminApi } from './admin-api.ts';
import type { AdminOperations } from './admin-api.ts';

async function withTsdb(run: (db: Tsdb, dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-admin-api-'));
  const db = await Tsdb.open({ dir, retentionMs: 0, retentionBytes: 0 });
  try {
    const app = db.appender();
    const sample = { kind: 'float' as const, timestamp: 0, value: 1 };
    for (let t = 0; t <= 600_000; t += 60_000) {
      sample.timestamp = t;
      app.append(0, ['__name__', 'up', 'job', 'a'], sample);
      app.append(0, ['__name__', 'up', 'job', 'b'], sample);
    }
    await app.commit();
    await run(db, dir);
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function operations(db: Tsdb, dir: string): AdminOperations {
  return {
    dataDir: dir,
    deleteSeries: (matchers, mint, maxt) => db.deleteSeries(matchers, mint, maxt),
    cleanTombstones: () => db.cleanTombstones(),
    snapshot: (target, withHead) => db.snapshot(target, withHead),
  };
}

function timestamps(db: Tsdb, job: string): number[] {
  const querier = db.querier(-Infinity, Infinity);
  const out: number[] = [];
  for (const series of querier.select([new LabelMatcher('=', 'job', job)])) {
    const it = series.iterator();
    while (it.next()) out.push(it.timestamp);
  }
  querier.close();
  return out;
}

const form = (body: string, method = 'POST'): RequestInit => ({ method, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });

test('admin endpoints answer "admin APIs disabled" unless enabled', async () => {
  const app = new Hono();
  mountAdminApi(app, { admin: null });
  for (const path of ['delete_series?match[]=up', 'clean_tombstones', 'snapshot']) {
    for (const method of ['POST', 'PUT']) {
      const response = await app.request(`/api/v1/admin/tsdb/${path}`, { method });
      assert.equal(response.status, 500, `${method} ${path}`);
      assert.deepEqual(await response.json(), { status: 'error', errorType: 'unavailable', error: 'admin APIs disabled' });
    }
  }
  assert.equal((await app.request('/api/v1/admin/tsdb/snapshot')).status, 404);
});

test('delete_series hides the data at once; its parameter errors are Prometheus\'s', async () => {
  await withTsdb(async (db, dir) => {
    const app = new Hono();
    mountAdminApi(app, { admin: operations(db, dir) });
    const cases: [string, string][] = [
      ['', 'no match[] parameter provided'],
      ['match[]=up{', 'invalid parameter "match[]": 1:4: parse error: unexpected end of input inside braces'],
      ['match[]=up&start=x', `invalid parameter "start": invalid time value for 'start': cannot parse "x" to a valid timestamp`],
      ['match[]=up&end=x', `invalid parameter "end": invalid time value for 'end': cannot parse "x" to a valid timestamp`],
    ];
    for (const [body, error] of cases) {
      const response = await app.request('/api/v1/admin/tsdb/delete_series', form(body));
      assert.equal(response.status, 400, body);
      assert.deepEqual(await response.json(), { status: 'error', errorType: 'bad_data', error }, body);
    }
    const deleted = await app.request('/api/v1/admin/tsdb/delete_series', form('match[]=up{job="a"}&start=120&end=300'));
    assert.equal(deleted.status, 204);
    assert.equal(await deleted.text(), '');
    assert.deepEqual(timestamps(db, 'a'), [0, 60_000, 360_000, 420_000, 480_000, 540_000, 600_000]);
    assert.equal(timestamps(db, 'b').length, 11);
    // PUT works the same; without start and end everything goes.
    assert.equal((await app.request('/api/v1/admin/tsdb/delete_series?match[]={job="b"}', { method: 'PUT' })).status, 204);
    assert.deepEqual(timestamps(db, 'b'), []);
    assert.equal((await app.request('/api/v1/admin/tsdb/clean_tombstones', { method: 'POST' })).status, 204);
  });
});

test('snapshot makes <data>/snapshots/<time>-<random> with the head, or without it', async () => {
  await withTsdb(async (db, dir) => {
    const app = new Hono();
    mountAdminApi(app, { admin: operations(db, dir), now: () => Date.UTC(2026, 11, 1, 9, 5, 7) });
    const response = await app.request('/api/v1/admin/tsdb/snapshot', { method: 'POST' });
    assert.equal(response.status, 200);
    const body = (await response.json()) as { status: string; data: { name: string } };
    assert.match(body.data.name, /^20261201T090507Z-[0-9a-f]{16}$/);
    const copy = await Tsdb.open({ dir: join(dir, 'snapshots', body.data.name), retentionMs: 0, retentionBytes: 0 });
    const querier = copy.querier(-Infinity, Infinity);
    assert.equal([...querier.select([new LabelMatcher('=', '__name__', 'up')])].length, 2);
    querier.close();
    await copy.close();

    const skipped = (await (await app.request('/api/v1/admin/tsdb/snapshot?skip_head=true', { method: 'PUT' })).json()) as { data: { name: string } };
    assert.deepEqual(await readdir(join(dir, 'snapshots', skipped.data.name)), []);
    const bad = await app.request('/api/v1/admin/tsdb/snapshot', form('skip_head=maybe'));
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json(), {
      status: 'error',
      errorType: 'bad_data',
      error: 'invalid parameter "skip_head": unable to parse boolean: strconv.ParseBool: parsing "maybe": invalid syntax',
    });
  });
});
