import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createCheckpoint } from './checkpoint.ts';
import { checkpointName, RecordType } from './format.ts';
import { listCheckpoints, listSegments, replayWal } from './reader.ts';
import { ExemplarsEncoder, MetadataEncoder, SamplesEncoder, SeriesEncoder, TombstonesEncoder } from './records.ts';
import { collect, collectRecord, emptyCollected, rmDir, tmpDir } from './test-helpers.ts';
import type { Collected } from './test-helpers.ts';
import { WalWriter } from './writer.ts';

const STALE = (() => {
  const f = new Float64Array(1);
  new BigUint64Array(f.buffer)[0] = 0x7ff0000000000002n;
  return f[0];
})();

/** Writes a deterministic workload: series appear over time, samples every step, some extras. */
async function workload(w: WalWriter, fromStep: number, toStep: number): Promise<void> {
  const series = new SeriesEncoder();
  const samples = new SamplesEncoder();
  const ex = new ExemplarsEncoder();
  const st = new TombstonesEncoder();
  const md = new MetadataEncoder();
  for (let step = fromStep; step < toStep; step++) {
    const t = step * 15_000;
    // Two new series per step.
    series.reset();
    for (const ref of [step * 2 + 1, step * 2 + 2]) series.add(ref, ['__name__', 'm', 'i', String(ref)]);
    w.log(RecordType.Series, series.finish());
    samples.reset();
    for (let ref = 1; ref <= step * 2 + 2; ref++) samples.add(ref, t, ref % 11 === 0 ? STALE : ref + step / 100);
    w.log(RecordType.Samples, samples.finish());
    if (step % 3 === 0) {
      ex.reset();
      ex.add(step + 1, t, 0.5, ['trace_id', `t${step}`]);
      w.log(RecordType.Exemplars, ex.finish());
      st.reset();
      st.add(step + 1, t - 100_000, t - 50_000);
      w.log(RecordType.Tombstones, st.finish());
      md.reset();
      md.add(step + 1, 1, 'seconds', `help v${step}`);
      md.add(1, 2, '', `help of 1 at ${step}`);
      w.log(RecordType.Metadata, md.finish());
    }
    await w.flush();
  }
}

const ref = (row: string): number => Number(row.split(' ')[0]);
const t = (row: string): number => Number(row.split(' ')[1]);
const keep = (r: number): boolean => r % 3 !== 0;

/** What a checkpoint must keep, computed from a full replay of the original WAL. */
async function expectedAfterCheckpoint(dir: string, through: number, keepRef: (ref: number) => boolean, minTime: number): Promise<Collected> {
  const want = emptyCollected();
  const lastMeta = new Map<number, string>();
  const after = emptyCollected();
  await replayWal(dir, 0, (type, payload, at) => {
    if (at.segment > through && at.checkpoint === null) {
      collectRecord(after, type, payload);
      return;
    }
    const one = emptyCollected();
    collectRecord(one, type, payload);
    want.series.push(...one.series.filter((r) => keepRef(ref(r))));
    want.samples.push(...one.samples.filter((r) => keepRef(ref(r)) && t(r) >= minTime));
    want.exemplars.push(...one.exemplars.filter((r) => keepRef(ref(r)) && t(r) >= minTime));
    want.tombstones.push(...one.tombstones.filter((r) => keepRef(ref(r)) && Number(r.split(' ')[2]) >= minTime));
    for (const r of one.metadata) if (keepRef(ref(r))) lastMeta.set(ref(r), r);
  });
  want.metadata.push(...lastMeta.values());
  for (const k of ['series', 'samples', 'exemplars', 'tombstones', 'metadata'] as const) want[k].push(...after[k]);
  return want;
}

function sorted(c: Collected): Record<string, string[]> {
  return {
    series: c.series.toSorted(),
    samples: c.samples.toSorted(),
    exemplars: c.exemplars.toSorted(),
    tombstones: c.tombstones.toSorted(),
    metadata: c.metadata.toSorted(),
  };
}

test('checkpoint + truncate + replay gives the same state as filtering the full WAL', async () => {
  const dir = await tmpDir();
  try {
    const w = await WalWriter.open(dir, { segmentSize: 4096 });
    await workload(w, 0, 40);
    const through = (await w.cutSegment()) - 1;
    await workload(w, 40, 50);
    assert.ok(through >= 3, `only ${through + 1} segments`);

    const minTime = 20 * 15_000;
    const want = await expectedAfterCheckpoint(dir, through, keep, minTime);

    const report = await createCheckpoint(dir, through, keep, minTime, { segmentSize: 8192 });
    assert.equal(report.checkpoint, through);
    assert.equal(report.fromCheckpoint, null);
    assert.equal(report.fromSegment, 0);
    assert.equal(report.toSegment, through);
    assert.ok(report.seriesDropped > 0 && report.samplesDropped > 0 && report.samplesKept > 0);
    assert.ok(report.bytes > 0);
    assert.deepEqual(await listCheckpoints(dir), [through]);

    // Replay before deleting segments already uses the checkpoint and skips covered segments.
    const before = await collect(dir);
    assert.equal(before.report.checkpoint, through);
    assert.deepEqual(sorted(before.data), sorted(want));

    assert.deepEqual(
      await w.truncateSegmentsBefore(through + 1),
      Array.from({ length: through + 1 }, (_, i) => i),
    );
    const afterTruncate = await collect(dir);
    assert.equal(afterTruncate.report.firstSegment, through + 1);
    assert.deepEqual(sorted(afterTruncate.data), sorted(want));
    // Stale markers survived the checkpoint bit for bit.
    assert.ok(afterTruncate.data.samples.some((s) => s.endsWith(' 7ff0000000000002')));

    // A second checkpoint builds on the first; the first is deleted.
    await workload(w, 50, 60);
    const through2 = (await w.cutSegment()) - 1;
    await workload(w, 60, 62);
    const keep2 = (r: number): boolean => keep(r) && r % 5 !== 0;
    const minTime2 = 45 * 15_000;
    const want2 = await expectedAfterCheckpoint(dir, through2, keep2, minTime2);
    const report2 = await createCheckpoint(dir, through2, keep2, minTime2);
    assert.equal(report2.fromCheckpoint, through);
    assert.deepEqual(report2.deletedCheckpoints, [through]);
    await w.truncateSegmentsBefore(through2 + 1);
    await w.close();
    const final = await collect(dir);
    assert.equal(final.report.checkpoint, through2);
    assert.deepEqual(sorted(final.data), sorted(want2));

    // The writer reopens above the checkpoint even if every segment is gone.
    for (const s of await listSegments(dir)) await fs.promises.rm(path.join(dir, String(s).padStart(8, '0')));
    const w2 = await WalWriter.open(dir);
    assert.equal(w2.currentSegment, through2 + 1);
    await w2.close();
  } finally {
    await rmDir(dir);
  }
});

test('checkpoint refuses bad ranges and cleans up interrupted attempts', async () => {
  const dir = await tmpDir();
  try {
    const w = await WalWriter.open(dir, { segmentSize: 1024 });
    await workload(w, 0, 10);
    const cur = await w.cutSegment();
    await w.close();
    await assert.rejects(createCheckpoint(dir, cur + 5, () => true, 0), /does not exist/);
    // Leftover of a crashed checkpoint.
    await fs.promises.mkdir(path.join(dir, `${checkpointName(0)}.tmp`));
    await fs.promises.writeFile(path.join(dir, `${checkpointName(0)}.tmp`, '00000000'), 'garbage');
    const r = await createCheckpoint(dir, 1, () => true, 0);
    assert.equal(r.seriesDropped, 0);
    assert.equal(r.samplesDropped, 0);
    const names = await fs.promises.readdir(dir);
    assert.ok(!names.some((n) => n.endsWith('.tmp')), names.join(','));
    const again = await createCheckpoint(dir, 1, () => true, 0);
    assert.equal(again.skipped, true);
    assert.equal(again.checkpoint, 1);
    assert.equal((await createCheckpoint(dir, 0, () => true, 0)).skipped, true);
    // Replay with fromSegment beyond the checkpoint skips it.
    const r2 = await replayWal(dir, cur, () => {});
    assert.equal(r2.checkpoint, null);
    assert.equal(r2.firstSegment, cur);
  } finally {
    await rmDir(dir);
  }
});
