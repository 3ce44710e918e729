import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LabelMatcher } from '../../model/index.ts';
import type { Labels } from '../../model/index.ts';
import type { Querier } from '../types.ts';
import { nodeFileOps } from './wal/index.ts';
import { Tsdb } from './db.ts';

const HOUR = 3600_000;
const STEP = 15_000;

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-db-'));
  try {
    await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function readAll(querier: Querier): Map<string, [number, number][]> {
  const out = new Map<string, [number, number][]>();
  for (const series of querier.select([new LabelMatcher('=~', '__name__', '.+')])) {
    const samples: [number, number][] = [];
    const it = series.iterator();
    while (it.next()) samples.push([it.timestamp, it.value]);
    out.set(series.labels.join(','), samples);
  }
  querier.close();
  return out;
}

const series = (i: number): Labels => ['__name__', 'requests_total', 'instance', `host-${i}`, 'job', 'api'];

async function ingest(db: Tsdb, from: number, to: number, count: number): Promise<void> {
  const refs = new Array<number>(count).fill(0);
  const sample = { kind: 'float' as const, timestamp: 0, value: 0 };
  for (let t = from; t < to; t += STEP) {
    const app = db.appender();
    for (let i = 0; i < count; i++) {
      sample.timestamp = t;
      sample.value = t / STEP + i;
      refs[i] = app.append(refs[i], series(i), sample);
    }
    await app.commit();
  }
}

test('replays the WAL on reopen', async () => {
  await withDir(async (dir) => {
    const db = await Tsdb.open({ dir, retentionMs: 0, retentionBytes: 0 });
    await ingest(db, 0, HOUR, 20);
    const before = readAll(db.querier(-Infinity, Infinity));
    await db.close();
    const reopened = await Tsdb.open({ dir, retentionMs: 0, retentionBytes: 0 });
    assert.deepEqual(readAll(reopened.querier(-Infinity, Infinity)), before);
    assert.equal(reopened.head.numSeries, 20);
    await reopened.close();
  });
});

test('cuts blocks from the head, checkpoints the WAL, and reads across blocks and head', async () => {
  await withDir(async (dir) => {
    const db = await Tsdb.open({ dir, retentionMs: 0, retentionBytes: 0, walSegmentSize: 64 * 1024 });
    await ingest(db, 0, 7 * HOUR, 5);
    const expected = readAll(db.querier(-Infinity, Infinity));
    await db.maintain();
    assert.ok(db.listBlocks().length >= 2, `blocks written (${db.listBlocks().length})`);
    assert.ok(db.head.timeRange().minTime >= 4 * HOUR, 'head truncated');
    assert.deepEqual(readAll(db.querier(-Infinity, Infinity)), expected);
    const wal = await readdir(join(dir, 'wal'));
    assert.ok(wal.some((name) => name.startsWith('checkpoint.')), `checkpoint written: ${wal.join(' ')}`);
    await db.close();
    const reopened = await Tsdb.open({ dir, retentionMs: 0, retentionBytes: 0 });
    assert.deepEqual(readAll(reopened.querier(-Infinity, Infinity)), expected);
    // A partial range reads only what it covers.
    const part = readAll(reopened.querier(HOUR, 5 * HOUR));
    for (const samples of part.values()) assert.ok(samples.every(([t]) => t >= HOUR && t <= 5 * HOUR));
    await reopened.close();
  });
});

test('retention by time deletes old blocks', async () => {
  await withDir(async (dir) => {
    const db = await Tsdb.open({ dir, retentionMs: 4 * HOUR, retentionBytes: 0 });
    await ingest(db, 0, 13 * HOUR, 2);
    await db.maintain();
    const blocks = db.listBlocks();
    assert.ok(blocks.length > 0);
    const newest = Math.max(...blocks.map((b) => b.meta.maxTime));
    assert.ok(blocks.every((b) => newest - b.meta.maxTime <= 4 * HOUR), 'no block beyond retention');
    const data = readAll(db.querier(-Infinity, Infinity));
    const first = [...data.values()][0][0][0];
    assert.ok(first >= 4 * HOUR, `oldest sample ${first} is within retention`);
    await db.close();
  });
});

test('a full disk fails the commit, keeps the WAL clean, and recovers', async () => {
  await withDir(async (dir) => {
    let full = false;
    const db = await Tsdb.open({
      dir,
      retentionMs: 0,
      retentionBytes: 0,
      walFileOps: {
        write: async (fd, buffer, offset, length, position) => {
          if (full) {
            // Part of the batch reaches the disk before the error, as on a real full disk.
            await nodeFileOps.write(fd, buffer, offset, Math.min(length, 7), position);
            throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          }
          return nodeFileOps.write(fd, buffer, offset, length, position);
        },
      },
    });
    await ingest(db, 0, 10 * STEP, 3);
    full = true;
    await assert.rejects(ingest(db, 10 * STEP, 11 * STEP, 3), /no space left on device/);
    assert.match(db.counters.lastWriteError ?? '', /ENOSPC/);
    full = false;
    await ingest(db, 11 * STEP, 12 * STEP, 3);
    assert.equal(db.counters.lastWriteError, null);
    const expected = readAll(db.querier(-Infinity, Infinity));
    for (const samples of expected.values()) assert.equal(samples.length, 11, 'the failed commit applied nothing');
    await db.close();
    const reopened = await Tsdb.open({ dir, retentionMs: 0, retentionBytes: 0 });
    assert.deepEqual(readAll(reopened.querier(-Infinity, Infinity)), expected);
    assert.equal(reopened.counters.walTornTailBytesDropped, 0, 'nothing torn: the failed write was rolled back');
    await reopened.close();
  });
});

test('out-of-order samples inside the window are kept, queried, persisted and replayed', async () => {
  await withDir(async (dir) => {
    const db = await Tsdb.open({ dir, retentionMs: 0, retentionBytes: 0, outOfOrderWindowMs: 30 * 60_000 });
    const labels = series(0);
    const sample = { kind: 'float' as const, timestamp: 0, value: 0 };
    const write = async (t: number, v: number) => {
      const app = db.appender();
      sample.timestamp = t;
      sample.value = v;
      const result = app.append(0, labels, sample);
      await app.commit();
      return result;
    };
    for (let t = 0; t <= 3 * HOUR; t += 60_000) await write(t, t);
    assert.ok((await write(3 * HOUR - 10 * 60_000 + 1, -1)) > 0, 'inside the window');
    assert.ok((await write(3 * HOUR - 20 * 60_000 + 7, -2)) > 0, 'inside the window');
    assert.equal(await write(HOUR, -3), -1, 'outside the window: out of order');
    assert.equal(db.head.counters.outOfOrderAccepted, 2);
    const read = () => [...readAll(db.querier(-Infinity, Infinity)).values()][0];
    const samples = read();
    assert.deepEqual(samples.filter(([, v]) => v < 0), [[3 * HOUR - 20 * 60_000 + 7, -2], [3 * HOUR - 10 * 60_000 + 1, -1]]);
    assert.ok(samples.every(([t], i) => i === 0 || t > samples[i - 1][0]), 'merged in time order');
    await db.close();
    const reopened = await Tsdb.open({ dir, retentionMs: 0, retentionBytes: 0, outOfOrderWindowMs: 30 * 60_000 });
    assert.deepEqual([...readAll(reopened.querier(-Infinity, Infinity)).values()][0], samples, 'replayed from the WAL');
    // Push the head on so both ranges are cut to blocks, with the late samples in them.
    const app = reopened.appender();
    app.append(0, labels, { kind: 'float', timestamp: 6 * HOUR, value: 6 * HOUR });
    await app.commit();
    await reopened.persistHead(false);
    const after = [...readAll(reopened.querier(-Infinity, 3 * HOUR)).values()][0];
    assert.deepEqual(after, samples);
    await reopened.close();
  });
});

for (const walReadAhead of ['inline', 'worker'] as const) {
  test(`restarts from head chunk files, replaying only the WAL after them, and survives a torn chunk file (WAL read ${walReadAhead})`, async () => {
    await withDir(async (dir) => {
      const db = await Tsdb.open({ dir, retentionMs: 0, retentionBytes: 0 });
      await ingest(db, 0, 100 * 60_000, 30); // 400 samples per series: 3 completed chunks each
      const expected = readAll(db.querier(-Infinity, Infinity));
      await db.close();
      const reopened = await Tsdb.open({ dir, retentionMs: 0, retentionBytes: 0, walReadAhead });
      assert.equal(reopened.counters.headChunksRestored, 30 * 3);
      assert.equal(reopened.head.counters.samplesRestored, 30 * 360);
      assert.equal(reopened.counters.walReplaySkippedSamples, 30 * 360);
      assert.deepEqual(readAll(reopened.querier(-Infinity, Infinity)), expected);
      // Appending continues where the restored chunks end.
      await ingest(reopened, 100 * 60_000, 101 * 60_000, 30);
      await reopened.close();
      // Tear the chunk file: the WAL still has every sample.
      const files = (await readdir(join(dir, 'chunks_head'))).map((name) => join(dir, 'chunks_head', name));
      const { truncate, stat } = await import('node:fs/promises');
      for (const file of files) await truncate(file, (await stat(file)).size - 5);
      const torn = await Tsdb.open({ dir, retentionMs: 0, retentionBytes: 0, walReadAhead });
      const after = readAll(torn.querier(-Infinity, 100 * 60_000 - 1));
      assert.deepEqual(after, new Map([...expected].map(([key, samples]) => [key, samples.filter(([t]) => t < 100 * 60_000)])));
      assert.ok(torn.counters.headChunksRestored < 90, 'the torn chunk was dropped');
      await torn.close();
    });
  });
}

test('removes what a crash left half-written: import scratch and unfinished blocks', async () => {
  await withDir(async (dir) => {
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(join(dir, 'import-01JABCDEFGHJKMNPQRSTVWXYZ0.tmp'));
    await mkdir(join(dir, '01JABCDEFGHJKMNPQRSTVWXYZ1.tmp-for-creation'));
    await writeFile(join(dir, '01JABCDEFGHJKMNPQRSTVWXYZ1.tmp-for-creation', 'meta.json'), '{');
    const db = await Tsdb.open({ dir, retentionMs: 0, retentionBytes: 0 });
    await db.close();
    const left = (await readdir(dir)).filter((entry) => entry.includes('.tmp'));
    assert.deepEqual(left, []);
  });
});
