/**
 * WAL throughput benchmark: writes then replays N samples (default 50M) in a temp dir and reports MB/s
 * and samples/s for each phase. Bounded in time: writing stops after VIGIL_BENCH_SECONDS (default 60).
 *
 *   node --import tsx bench/wal.ts [samples] [series]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  RecordType,
  SamplesEncoder,
  SeriesEncoder,
  WalWriter,
  decodeSamples,
  decodeSamplesInto,
  replayWal,
  sampleCount,
} from '../packages/server/src/store/tsdb/wal/index.ts';

const totalSamples = Number(process.argv[2] ?? 50_000_000);
const seriesCount = Number(process.argv[3] ?? 100_000);
const perRecord = 1000; // samples per record (one scrape of a mid-sized target)
const budgetSeconds = Number(process.env.VIGIL_BENCH_SECONDS ?? 60);
const mb = (bytes: number): string => (bytes / 1e6).toFixed(0);
const rate = (n: number, s: number): string => `${((n / s) / 1e6).toFixed(1)}M/s`;

const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'vigil-wal-bench-'));
try {
  const w = await WalWriter.open(dir);
  // Series records first, like a fresh head.
  const se = new SeriesEncoder();
  for (let id = 1; id <= seriesCount; id++) {
    se.add(id, ['__name__', `metric_${id % 500}`, 'instance', `host-${id % 1000}:9100`, 'job', 'node', 'id', String(id)]);
    if (se.count === 1000) {
      w.log(RecordType.Series, se.finish());
      se.reset();
    }
  }
  if (se.count > 0) w.log(RecordType.Series, se.finish());
  await w.flush();

  const enc = new SamplesEncoder();
  const start = performance.now();
  let written = 0;
  let t = 1_700_000_000_000;
  let ref = 1;
  let value = 0;
  let flushes = 0;
  outer: while (written < totalSamples) {
    // One "commit" = 16 records, flushed together.
    for (let r = 0; r < 16; r++) {
      enc.reset();
      for (let i = 0; i < perRecord; i++) {
        enc.add(ref, t, value);
        value += 0.5;
        if (++ref > seriesCount) {
          ref = 1;
          t += 15_000;
        }
      }
      w.log(RecordType.Samples, enc.finish());
      written += perRecord;
      if (written >= totalSamples) break;
    }
    await w.flush();
    flushes++;
    if ((performance.now() - start) / 1000 > budgetSeconds) break outer;
  }
  await w.flush();
  const writeSeconds = (performance.now() - start) / 1000;
  await w.close();
  const bytes = w.stats.bytesWritten;
  console.log(
    `write:  ${written.toLocaleString()} samples, ${mb(bytes)} MB in ${writeSeconds.toFixed(2)} s — ` +
      `${(bytes / 1e6 / writeSeconds).toFixed(0)} MB/s, ${rate(written, writeSeconds)} samples, ` +
      `${(bytes / written).toFixed(2)} B/sample, ${w.stats.writes} writes for ${flushes} flushes, ${w.stats.segmentsCreated} segments`,
  );

  // Replay: CRC + framing only.
  let t0 = performance.now();
  let records = 0;
  let r = await replayWal(dir, 0, () => {
    records++;
  });
  let s = (performance.now() - t0) / 1000;
  console.log(`replay (framing + CRC only): ${records} records, ${(r.bytes / 1e6 / s).toFixed(0)} MB/s in ${s.toFixed(2)} s`);

  // Replay with a visitor per sample.
  t0 = performance.now();
  // Accumulate into a typed array: module-level number variables would box every update.
  const acc = new Float64Array(3);
  const onSample = (sref: number, st: number, v: number): void => {
    acc[0]++;
    acc[1] += v + sref;
    acc[2] = st;
  };
  r = await replayWal(dir, 0, (type, payload) => {
    if (type === RecordType.Samples) decodeSamples(payload, onSample);
  });
  s = (performance.now() - t0) / 1000;
  let n = acc[0];
  console.log(
    `replay (decodeSamples visitor): ${n.toLocaleString()} samples in ${s.toFixed(2)} s — ${(r.bytes / 1e6 / s).toFixed(0)} MB/s, ${rate(n, s)} samples`,
  );

  // Replay into typed arrays.
  t0 = performance.now();
  const refs = new Float64Array(64 * 1024);
  const ts = new Float64Array(refs.length);
  const vs = new Float64Array(refs.length);
  n = 0;
  r = await replayWal(dir, 0, (type, payload) => {
    if (type !== RecordType.Samples) return;
    if (sampleCount(payload) > refs.length) throw new Error('record too large for bench arrays');
    n += decodeSamplesInto(payload, refs, ts, vs, 0);
  });
  s = (performance.now() - t0) / 1000;
  console.log(`replay (decodeSamplesInto): ${n.toLocaleString()} samples in ${s.toFixed(2)} s — ${(r.bytes / 1e6 / s).toFixed(0)} MB/s, ${rate(n, s)} samples`);
} finally {
  await fs.promises.rm(dir, { recursive: true, force: true });
}
