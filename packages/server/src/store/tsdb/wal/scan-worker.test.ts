import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createCheckpoint } from './checkpoint.ts';
import { HEADER_SIZE, RecordType, segmentName } from './format.ts';
import type { ReplayOptions } from './reader.ts';
import { SamplesEncoder, SeriesEncoder } from './records.ts';
import { collect, rmDir, tmpDir } from './test-helpers.ts';
import { WalWriter } from './writer.ts';

/**
 * The read-ahead worker must be indistinguishable from reading inline: each scenario is replayed from
 * two identical copies, one per mode, and the records, reports and files left behind are compared.
 */
async function writeWal(dir: string, records: number, options: { segmentSize?: number; bigEvery?: number } = {}): Promise<void> {
  const w = await WalWriter.open(dir, { segmentSize: options.segmentSize });
  const series = new SeriesEncoder();
  const samples = new SamplesEncoder();
  for (let i = 0; i < records; i++) {
    series.reset();
    series.add(i + 1, ['__name__', `metric_${i}`, 'instance', `host-${i % 7}`]);
    w.log(RecordType.Series, series.finish());
    samples.reset();
    const n = options.bigEvery !== undefined && i % options.bigEvery === 0 ? 700 : 3;
    for (let k = 0; k < n; k++) samples.add(i + 1, 1000 * k, i * 0.5 + k);
    w.log(RecordType.Samples, samples.finish());
  }
  await w.close();
}

async function copyDir(from: string, to: string): Promise<void> {
  await fs.promises.cp(from, to, { recursive: true });
}

async function filesOf(dir: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const name of (await fs.promises.readdir(dir, { recursive: true })) as string[]) {
    const stat = await fs.promises.stat(path.join(dir, name));
    if (stat.isFile()) out[name] = stat.size;
  }
  return out;
}

/** Replays `source` once per mode (each on its own copy) and checks both agree; returns the worker's run. */
async function bothModes(source: string, options: ReplayOptions = {}) {
  const results: { data?: unknown; report?: unknown; error?: string; files: Record<string, number> }[] = [];
  for (const readAhead of ['inline', 'worker'] as const) {
    const copy = `${source}-${readAhead}`;
    await copyDir(source, copy);
    try {
      const { data, report } = await collect(copy, { ...options, readAhead });
      results.push({ data, report, files: await filesOf(copy) });
    } catch (error) {
      results.push({ error: (error as Error).message.replaceAll(copy, '<dir>'), files: await filesOf(copy) });
    }
  }
  assert.deepEqual(results[1], results[0]);
  return results[1];
}

test('worker read-ahead matches inline reading on a clean WAL spanning segments, with a small buffer', async () => {
  const base = await tmpDir();
  try {
    const dir = path.join(base, 'wal');
    await writeWal(dir, 300, { segmentSize: 4096, bigEvery: 37 });
    const run = await bothModes(dir, { bufferSize: 1000 });
    assert.equal((run.data as { series: string[] }).series.length, 300);
    assert.equal(run.error, undefined);
  } finally {
    await rmDir(base);
  }
});

test('worker read-ahead truncates a torn tail at every cut like inline reading', async () => {
  const base = await tmpDir();
  try {
    const src = path.join(base, 'src');
    await writeWal(src, 4, { bigEvery: 3 });
    const full = await fs.promises.readFile(path.join(src, segmentName(0)));
    for (let cut = full.length - 200; cut < full.length; cut += 7) {
      const dir = path.join(base, `cut${cut}`);
      await fs.promises.mkdir(dir);
      await fs.promises.writeFile(path.join(dir, segmentName(0)), full.subarray(0, cut));
      const run = await bothModes(dir, { bufferSize: 256 });
      assert.ok((run.report as { tornTail: unknown }).tornTail !== null, `cut ${cut}`);
    }
    // A zero-filled tail too.
    const zeros = path.join(base, 'zeros');
    await fs.promises.mkdir(zeros);
    await fs.promises.writeFile(path.join(zeros, segmentName(0)), Buffer.concat([full, Buffer.alloc(5000)]));
    const run = await bothModes(zeros);
    assert.match(String((run.report as { tornTail: { reason: string } }).tornTail.reason), /zero record type/);
  } finally {
    await rmDir(base);
  }
});

test('worker read-ahead handles corruption in a middle segment like inline reading (repair and error)', async () => {
  const base = await tmpDir();
  try {
    const dir = path.join(base, 'wal');
    await writeWal(dir, 200, { segmentSize: 2048 });
    const file = path.join(dir, segmentName(2));
    const bytes = await fs.promises.readFile(file);
    bytes[HEADER_SIZE + 3] ^= 0xff;
    await fs.promises.writeFile(file, bytes);
    const repaired = await bothModes(dir, { bufferSize: 512 });
    assert.deepEqual((repaired.report as { corruption: { segment: number } }).corruption.segment, 2);
    const refused = await bothModes(dir, { onCorruption: 'error' });
    assert.match(refused.error ?? '', /WAL corruption in <dir>.00000002 at offset 0: CRC mismatch/);
  } finally {
    await rmDir(base);
  }
});

test('worker read-ahead reads a checkpoint, then the segments after it, like inline reading', async () => {
  const base = await tmpDir();
  try {
    const dir = path.join(base, 'wal');
    await writeWal(dir, 120, { segmentSize: 2048 });
    await createCheckpoint(dir, 3, (ref) => ref % 2 === 0, 0, { segmentSize: 1024 });
    const run = await bothModes(dir, { bufferSize: 300 });
    assert.equal((run.report as { checkpoint: number }).checkpoint, 3);
    // Corruption inside the checkpoint is an error in both modes.
    const cpFile = path.join(dir, 'checkpoint.00000003', segmentName(0));
    const bytes = await fs.promises.readFile(cpFile);
    bytes[bytes.length - 1] ^= 0xff;
    await fs.promises.writeFile(cpFile, bytes);
    const broken = await bothModes(dir);
    assert.match(broken.error ?? '', /WAL corruption in .*checkpoint\.00000003/);
  } finally {
    await rmDir(base);
  }
});

test('an error thrown by the visitor stops the worker and propagates', async () => {
  const base = await tmpDir();
  try {
    const dir = path.join(base, 'wal');
    await writeWal(dir, 50, { segmentSize: 1024 });
    const { replayWal } = await import('./reader.ts');
    let seen = 0;
    await assert.rejects(
      replayWal(
        dir,
        0,
        () => {
          if (++seen === 10) throw new Error('visitor failed');
        },
        { readAhead: 'worker', bufferSize: 128 },
      ),
      /visitor failed/,
    );
    assert.equal(seen, 10);
  } finally {
    await rmDir(base);
  }
});

test('Samples records covered by `newest` go to onCovered, others (partly covered, malformed) to the visitor', async () => {
  const base = await tmpDir();
  try {
    const dir = path.join(base, 'wal');
    const w = await WalWriter.open(dir);
    const samples = new SamplesEncoder();
    const series = new SeriesEncoder();
    series.add(1, ['a', '1']);
    w.log(RecordType.Series, series.finish());
    // Each record: refs 1..3 at time t.
    for (const t of [1000, 2000, 3000, 4000]) {
      samples.reset();
      for (let ref = 1; ref <= 3; ref++) samples.add(ref, t, ref);
      w.log(RecordType.Samples, samples.finish());
    }
    // A record with a trailing byte (malformed): only the main thread reports it.
    samples.reset();
    samples.add(1, 500, 1);
    w.log(RecordType.Samples, Buffer.concat([samples.finish(), Buffer.from([0])]));
    await w.close();
    // Ref 3 is covered through t = 2000 only, so the record at 3000 is partly covered.
    const newest = new Float64Array([-Infinity, 5000, 5000, 2000]);
    const covered: number[] = [];
    const visited: number[] = [];
    const { replayWal } = await import('./reader.ts');
    const { sampleCount } = await import('./records.ts');
    const report = await replayWal(dir, 0, (type, payload) => visited.push(type === RecordType.Samples ? sampleCount(payload) : -type), {
      readAhead: 'worker',
      coveredSamples: { newest, onCovered: (payload) => covered.push(sampleCount(payload)) },
    });
    assert.deepEqual(covered, [3, 3]);
    assert.deepEqual(visited, [-RecordType.Series, 3, 3, 1]);
    assert.equal(report.records, 6);
  } finally {
    await rmDir(base);
  }
});
