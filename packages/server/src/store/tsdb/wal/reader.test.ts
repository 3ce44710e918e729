import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { HEADER_SIZE, RecordType, segmentName } from './format.ts';
import { replayWal, WalCorruptionError } from './reader.ts';
import { SamplesEncoder, SeriesEncoder } from './records.ts';
import { collect, rmDir, segmentFiles, tmpDir } from './test-helpers.ts';
import { WalWriter } from './writer.ts';

/** Writes `n` small records (one sample each, ref = index) and returns each record's start offset. */
async function writeRecords(dir: string, n: number, segmentSize?: number): Promise<void> {
  const w = await WalWriter.open(dir, { segmentSize });
  const enc = new SamplesEncoder();
  for (let i = 0; i < n; i++) {
    enc.reset();
    enc.add(i, 1000 * i, i);
    w.log(RecordType.Samples, enc.finish());
  }
  await w.close();
}

function refsOf(samples: string[]): number[] {
  return samples.map((s) => Number(s.split(' ')[0]));
}

async function recordOffsets(file: string): Promise<number[]> {
  const b = await fs.promises.readFile(file);
  const out: number[] = [];
  for (let at = 0; at < b.length; ) {
    out.push(at);
    at += HEADER_SIZE + b.readUInt32LE(at + 1);
  }
  return out;
}

test('a torn last record is truncated at every byte offset and reported', async () => {
  const base = await tmpDir();
  try {
    const src = path.join(base, 'src');
    await writeRecords(src, 5);
    const file0 = path.join(src, segmentName(0));
    const full = await fs.promises.readFile(file0);
    const offsets = await recordOffsets(file0);
    const lastStart = offsets[4];
    assert.ok(full.length - lastStart > HEADER_SIZE + 5);
    for (let cut = lastStart; cut < full.length; cut++) {
      const dir = path.join(base, `cut${cut}`);
      await fs.promises.mkdir(dir);
      await fs.promises.writeFile(path.join(dir, segmentName(0)), full.subarray(0, cut));
      const { data, report } = await collect(dir);
      assert.deepEqual(refsOf(data.samples), [0, 1, 2, 3], `cut ${cut}`);
      if (cut === lastStart) {
        assert.equal(report.tornTail, null);
      } else {
        assert.ok(report.tornTail, `cut ${cut}: no torn tail reported`);
        assert.equal(report.tornTail.segment, 0);
        assert.equal(report.tornTail.offset, lastStart);
        assert.equal(report.tornTail.droppedBytes, cut - lastStart);
        assert.equal(report.tornTail.droppedRecords, 1);
      }
      assert.equal((await fs.promises.stat(path.join(dir, segmentName(0)))).size, lastStart);
      // A second replay is clean.
      const again = await collect(dir);
      assert.equal(again.report.tornTail, null);
      assert.equal(again.data.samples.length, 4);
      await rmDir(dir);
    }
  } finally {
    await rmDir(base);
  }
});

test('a bad CRC in the tail drops that record and everything after it', async () => {
  const dir = await tmpDir();
  try {
    await writeRecords(dir, 10);
    const file = path.join(dir, segmentName(0));
    const offsets = await recordOffsets(file);
    const b = await fs.promises.readFile(file);
    b[offsets[7] + HEADER_SIZE + 2] ^= 0x40; // flip a payload bit of record 7
    await fs.promises.writeFile(file, b);
    const { data, report } = await collect(dir);
    assert.deepEqual(refsOf(data.samples), [0, 1, 2, 3, 4, 5, 6]);
    assert.ok(report.tornTail);
    assert.equal(report.tornTail.reason, 'CRC mismatch');
    assert.equal(report.tornTail.offset, offsets[7]);
    assert.equal(report.tornTail.droppedRecords, 3);
    assert.equal(report.tornTail.droppedBytes, b.length - offsets[7]);
  } finally {
    await rmDir(dir);
  }
});

test('a zero-filled tail (preallocated or lost page) is truncated', async () => {
  const dir = await tmpDir();
  try {
    await writeRecords(dir, 3);
    const file = path.join(dir, segmentName(0));
    const size = (await fs.promises.stat(file)).size;
    await fs.promises.appendFile(file, Buffer.alloc(4096));
    const { data, report } = await collect(dir);
    assert.deepEqual(refsOf(data.samples), [0, 1, 2]);
    assert.ok(report.tornTail);
    assert.match(report.tornTail.reason, /zero/);
    assert.equal(report.tornTail.droppedBytes, 4096);
    assert.equal(report.tornTail.droppedRecords, 0);
    assert.equal((await fs.promises.stat(file)).size, size);
  } finally {
    await rmDir(dir);
  }
});

test('a damaged last segment followed only by empty segments counts as the tail', async () => {
  const dir = await tmpDir();
  try {
    await writeRecords(dir, 3);
    await fs.promises.appendFile(path.join(dir, segmentName(0)), Buffer.from([2, 9, 9]));
    await fs.promises.writeFile(path.join(dir, segmentName(1)), '');
    const { report } = await collect(dir, { onCorruption: 'error' });
    assert.equal(report.tornTail?.segment, 0);
    assert.equal(report.tornTail?.droppedBytes, 3);
    assert.deepEqual(await segmentFiles(dir), ['00000000', '00000001']);
  } finally {
    await rmDir(dir);
  }
});

test('corruption in a middle segment: error names segment and offset, or repair deletes later segments', async () => {
  const dir = await tmpDir();
  try {
    await writeRecords(dir, 60, 200);
    const files = await segmentFiles(dir);
    assert.ok(files.length >= 5, `${files.length} segments`);
    const victim = 2;
    const file = path.join(dir, segmentName(victim));
    const offsets = await recordOffsets(file);
    const b = await fs.promises.readFile(file);
    b[offsets[1] + HEADER_SIZE] ^= 0xff;
    await fs.promises.writeFile(file, b);

    // 'error' mode: throws, changes nothing.
    await assert.rejects(
      replayWal(dir, 0, () => {}, { onCorruption: 'error' }),
      (err: unknown) => {
        assert.ok(err instanceof WalCorruptionError);
        assert.equal(err.segment, victim);
        assert.equal(err.offset, offsets[1]);
        assert.match(err.message, /00000002 at offset \d+: CRC mismatch/);
        return true;
      },
    );
    assert.deepEqual(await segmentFiles(dir), files);

    // Default: repair.
    const { data, report } = await collect(dir);
    assert.ok(report.corruption);
    assert.equal(report.corruption.segment, victim);
    assert.equal(report.corruption.offset, offsets[1]);
    assert.deepEqual(
      report.corruption.deletedSegments,
      files.slice(victim + 1).map(Number),
    );
    assert.deepEqual(await segmentFiles(dir), files.slice(0, victim + 1));
    const refs = refsOf(data.samples);
    assert.deepEqual(
      refs,
      Array.from({ length: refs.length }, (_, i) => i),
    );
    // Writing continues after the repaired WAL.
    const w = await WalWriter.open(dir);
    assert.equal(w.currentSegment, victim + 1);
    await w.close();
    const again = await collect(dir);
    assert.equal(again.report.corruption, null);
    assert.equal(again.data.samples.length, refs.length);
  } finally {
    await rmDir(dir);
  }
});

test('a missing segment in the middle is an error', async () => {
  const dir = await tmpDir();
  try {
    await writeRecords(dir, 40, 200);
    await fs.promises.rm(path.join(dir, segmentName(1)));
    await assert.rejects(replayWal(dir, 0, () => {}), /segment 1 missing/);
  } finally {
    await rmDir(dir);
  }
});

test('WalWriter.open truncates a torn tail and reports it', async () => {
  const dir = await tmpDir();
  try {
    await writeRecords(dir, 4);
    const file = path.join(dir, segmentName(0));
    const size = (await fs.promises.stat(file)).size;
    await fs.promises.appendFile(file, Buffer.from([RecordType.Samples, 100, 0, 0, 0, 1, 2, 3, 4, 5]));
    const w = await WalWriter.open(dir);
    assert.equal(w.openReport.tornTail?.droppedBytes, 10);
    assert.equal(w.openReport.tornTail?.droppedRecords, 1);
    assert.equal((await fs.promises.stat(file)).size, size);
    const s = new SeriesEncoder();
    s.add(1, ['a', 'b']);
    w.log(RecordType.Series, s.finish());
    await w.close();
    const { data, report } = await collect(dir);
    assert.equal(report.tornTail, null);
    assert.equal(data.samples.length, 4);
    assert.equal(data.series.length, 1);
  } finally {
    await rmDir(dir);
  }
});

test('records larger than the read buffer are read correctly', async () => {
  const dir = await tmpDir();
  try {
    const w = await WalWriter.open(dir);
    const enc = new SamplesEncoder();
    for (let r = 0; r < 3; r++) {
      enc.reset();
      for (let i = 0; i < 20_000; i++) enc.add(i, i, r);
      w.log(RecordType.Samples, enc.finish());
    }
    await w.close();
    let n = 0;
    const report = await replayWal(dir, 0, () => n++, { bufferSize: 4096 });
    assert.equal(n, 3);
    assert.equal(report.tornTail, null);
    const { data } = await collect(dir, { bufferSize: 1000 });
    assert.equal(data.samples.length, 60_000);
  } finally {
    await rmDir(dir);
  }
});

test('replaying a missing or empty directory yields nothing', async () => {
  const dir = await tmpDir();
  try {
    const r1 = await replayWal(path.join(dir, 'nope'), 0, () => assert.fail());
    assert.equal(r1.records, 0);
    const r2 = await replayWal(dir, 0, () => assert.fail());
    assert.equal(r2.segmentsRead, 0);
  } finally {
    await rmDir(dir);
  }
});
