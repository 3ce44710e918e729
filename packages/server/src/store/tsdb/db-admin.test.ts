import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LabelMatcher } from '../../model/index.ts';
import type { Labels } from '../../model/index.ts';
import type { Querier } from '../types.ts';
import { Tsdb } from './db.ts';

const HOUR = 3600_000;
const STEP = 60_000;

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-db-admin-'));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function readAll(querier: Querier): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const series of querier.select([new LabelMatcher('=~', '__name__', '.+')])) {
    const timestamps: number[] = [];
    const it = series.iterator();
    while (it.next()) timestamps.push(it.timestamp);
    out.set(series.labels.join(','), timestamps);
  }
  querier.close();
  return out;
}

const labelsOf = (i: number): Labels => ['__name__', 'x', 'i', String(i)];

async function ingest(db: Tsdb, from: number, to: number, count: number): Promise<void> {
  const sample = { kind: 'float' as const, timestamp: 0, value: 0 };
  for (let t = from; t < to; t += STEP) {
    const app = db.appender();
    for (let i = 0; i < count; i++) {
      sample.timestamp = t;
      sample.value = i;
      app.append(0, labelsOf(i), sample);
    }
    await app.commit();
  }
}

function times(from: number, to: number): number[] {
  const out: number[] = [];
  for (let t = from; t < to; t += STEP) out.push(t);
  return out;
}

const series0 = [new LabelMatcher('=', 'i', '0')];

test('deleting from the head hides the samples at once, survives a restart and is applied when the head becomes a block', async () => {
  await withDir(async (dir) => {
    let db = await Tsdb.open({ dir, retentionMs: 0, retentionBytes: 0 });
    await ingest(db, 0, HOUR, 2);
    await db.deleteSeries(series0, 10 * STEP, 20 * STEP);
    const expected = times(0, HOUR).filter((t) => t < 10 * STEP || t > 20 * STEP);
    assert.deepEqual(readAll(db.querier(0, HOUR)).get('__name__,x,i,0'), expected);
    assert.deepEqual(readAll(db.querier(0, HOUR)).get('__name__,x,i,1'), times(0, HOUR));
    // A range wholly deleted has no series 0 in it, not even for label lookups.
    const inside = db.querier(11 * STEP, 19 * STEP);
    assert.deepEqual([...inside.select([new LabelMatcher('=', '__name__', 'x')])].map((s) => s.labels[3]), ['1']);
    assert.deepEqual(inside.labelValues('i', []), ['1']);
    inside.close();
    // Seeking into a deleted range lands after it.
    const q = db.querier(0, HOUR);
    const it = [...q.select(series0)][0].iterator();
    assert.ok(it.seek(12 * STEP));
    assert.equal(it.timestamp, 21 * STEP);
    q.close();
    await db.close();

    db = await Tsdb.open({ dir, retentionMs: 0, retentionBytes: 0 });
    assert.deepEqual(readAll(db.querier(0, HOUR)).get('__name__,x,i,0'), expected);
    // Samples appended after the deletion, newer than what was deleted, are kept.
    await ingest(db, HOUR, HOUR + 5 * STEP, 2);
    await db.persistHead(true);
    assert.ok(db.listBlocks().length > 0);
    assert.deepEqual(readAll(db.querier(0, 2 * HOUR)).get('__name__,x,i,0'), [...expected, ...times(HOUR, HOUR + 5 * STEP)]);
    const blockOnly = db.listBlocks()[0].querier(0, HOUR - 1);
    assert.deepEqual(readAll(blockOnly).get('__name__,x,i,0'), expected);
    await db.close();
  });
});

test('deleting from blocks, then cleaning tombstones rewrites the blocks without the data', async () => {
  await withDir(async (dir) => {
    const db = await Tsdb.open({ dir, retentionMs: 0, retentionBytes: 0 });
    await ingest(db, 0, 6 * HOUR, 2);
    await db.persistHead(false);
    const blocksBefore = db.listBlocks().map((b) => b.meta.ulid);
    assert.ok(blocksBefore.length >= 2);
    // Across the first block boundary and into the next; series 1 entirely in the first block.
    await db.deleteSeries(series0, HOUR, 3 * HOUR);
    await db.deleteSeries([new LabelMatcher('=', 'i', '1')], -Infinity, 2 * HOUR - 1);
    const expected0 = times(0, 6 * HOUR).filter((t) => t < HOUR || t > 3 * HOUR);
    const expected1 = times(2 * HOUR, 6 * HOUR);
    const check = () => {
      const all = readAll(db.querier(0, 6 * HOUR));
      assert.deepEqual(all.get('__name__,x,i,0'), expected0);
      assert.deepEqual(all.get('__name__,x,i,1'), expected1);
    };
    check();
    assert.ok(db.listBlocks().some((b) => b.tombstones.size > 0));
    await db.cleanTombstones();
    check();
    assert.ok(db.listBlocks().every((b) => b.tombstones.size === 0));
    const after = db.listBlocks().map((b) => b.meta.ulid);
    assert.notDeepEqual(after, blocksBefore);
    for (const ulid of blocksBefore) if (!after.includes(ulid)) await assert.rejects(stat(join(dir, ulid)));
    const samples = db.listBlocks().reduce((n, b) => n + b.meta.stats.numSamples, 0);
    const inBlocks = (list: number[]) => list.filter((t) => t < 4 * HOUR).length;
    assert.equal(samples, inBlocks(expected0) + inBlocks(expected1));
    await db.close();
  });
});

test('a snapshot holds the blocks (hard links) and the head, and a database opened on it sees everything', async () => {
  await withDir(async (dir) => {
    const data = join(dir, 'data');
    await mkdir(data);
    const db = await Tsdb.open({ dir: data, retentionMs: 0, retentionBytes: 0 });
    await ingest(db, 0, 5 * HOUR, 3);
    await db.persistHead(false);
    await db.deleteSeries(series0, 4 * HOUR, 4 * HOUR + 10 * STEP);
    const all = readAll(db.querier(-Infinity, Infinity));

    const full = join(dir, 'snapshots', 'full');
    await mkdir(full, { recursive: true });
    await db.snapshot(full, true);
    const block = db.listBlocks()[0];
    const linked = await stat(join(full, block.meta.ulid, 'index'));
    assert.equal(linked.ino, (await stat(join(block.dir, 'index'))).ino);
    const copy = await Tsdb.open({ dir: full, retentionMs: 0, retentionBytes: 0 });
    assert.deepEqual(readAll(copy.querier(-Infinity, Infinity)), all);
    await copy.close();

    const blocksOnly = join(dir, 'snapshots', 'blocks');
    await mkdir(blocksOnly, { recursive: true });
    await db.snapshot(blocksOnly, false);
    assert.deepEqual((await readdir(blocksOnly)).sort(), db.listBlocks().map((b) => b.meta.ulid).sort());
    const partial = await Tsdb.open({ dir: blocksOnly, retentionMs: 0, retentionBytes: 0 });
    const blockEnd = Math.max(...db.listBlocks().map((b) => b.meta.maxTime));
    assert.deepEqual(readAll(partial.querier(-Infinity, Infinity)).get('__name__,x,i,1'), times(0, blockEnd));
    await partial.close();
    // The live database keeps working: its head was not changed by the snapshot.
    await ingest(db, 5 * HOUR, 5 * HOUR + STEP, 3);
    assert.equal(readAll(db.querier(-Infinity, Infinity)).get('__name__,x,i,1')?.length, all.get('__name__,x,i,1')!.length + 1);
    await db.close();
  });
});

test('exemplars of the series the selectors match, grouped by series', async () => {
  await withDir(async (dir) => {
    const db = await Tsdb.open({ dir, retentionMs: 0, retentionBytes: 0 });
    const app = db.appender();
    const a = ['__name__', 'req', 'path', '/a'];
    const b = ['__name__', 'req', 'path', '/b'];
    app.append(0, b, { kind: 'exemplar', timestamp: 2000, value: 2, labels: ['trace_id', 'bbb'] });
    app.append(0, a, { kind: 'float', timestamp: 1000, value: 1 });
    app.append(0, a, { kind: 'exemplar', timestamp: 1500, value: 1.5, labels: ['trace_id', 'aaa'] });
    app.append(0, a, { kind: 'exemplar', timestamp: 1000, value: 1, labels: ['trace_id', 'a0'] });
    await app.commit();
    assert.deepEqual(db.queryExemplars([[new LabelMatcher('=', '__name__', 'req')]], 0, 10_000), [
      {
        seriesLabels: a,
        exemplars: [
          { labels: ['trace_id', 'a0'], value: 1, timestamp: 1000 },
          { labels: ['trace_id', 'aaa'], value: 1.5, timestamp: 1500 },
        ],
      },
      { seriesLabels: b, exemplars: [{ labels: ['trace_id', 'bbb'], value: 2, timestamp: 2000 }] },
    ]);
    assert.deepEqual(db.queryExemplars([[new LabelMatcher('=', 'path', '/b')]], 0, 1999), []);
    await db.close();
  });
});

test('head tombstones survive a WAL checkpoint and a restart', async () => {
  await withDir(async (dir) => {
    let db = await Tsdb.open({ dir, retentionMs: 0, retentionBytes: 0 });
    await ingest(db, 0, 6 * HOUR, 2);
    await db.deleteSeries(series0, 4.5 * HOUR, 5 * HOUR);
    // Two head ranges become blocks; the WAL before them is checkpointed and truncated.
    await db.persistHead(false);
    assert.equal(db.listBlocks().length, 2);
    assert.ok((await readdir(join(dir, 'wal'))).some((name) => name.startsWith('checkpoint.')));
    const expected = times(0, 6 * HOUR).filter((t) => t < 4.5 * HOUR || t > 5 * HOUR);
    assert.deepEqual(readAll(db.querier(0, 6 * HOUR)).get('__name__,x,i,0'), expected);
    await db.close();
    db = await Tsdb.open({ dir, retentionMs: 0, retentionBytes: 0 });
    assert.deepEqual(readAll(db.querier(0, 6 * HOUR)).get('__name__,x,i,0'), expected);
    assert.deepEqual(readAll(db.querier(0, 6 * HOUR)).get('__name__,x,i,1'), times(0, 6 * HOUR));
    await db.close();
  });
});
