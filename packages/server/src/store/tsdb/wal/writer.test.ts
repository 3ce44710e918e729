import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { HEADER_SIZE, RecordType, segmentName } from './format.ts';
import { nodeFileOps } from './fsops.ts';
import type { WalFileOps } from './fsops.ts';
import { replayWal } from './reader.ts';
import { ExemplarsEncoder, MetadataEncoder, SamplesEncoder, SeriesEncoder, TombstonesEncoder, decodeSamples } from './records.ts';
import { collect, rmDir, segmentFiles, tmpDir } from './test-helpers.ts';
import { WalWriteError, WalWriter, truncateSegmentsBefore } from './writer.ts';

function samplesPayload(enc: SamplesEncoder, id: number, n = 3): Uint8Array {
  enc.reset();
  for (let i = 0; i < n; i++) enc.add(id, id * 1000 + i, id + i / 10);
  return enc.finish();
}

test('every record type round-trips through the files', async () => {
  const dir = await tmpDir();
  try {
    const w = await WalWriter.open(dir);
    const series = new SeriesEncoder();
    series.add(1, ['__name__', 'up', 'job', 'a']);
    series.add(2, ['__name__', 'up', 'job', 'b']);
    w.log(RecordType.Series, series.finish());
    const samples = new SamplesEncoder();
    samples.add(1, 1000, 1);
    samples.add(2, 1000, 0);
    w.log(RecordType.Samples, samples.finish());
    const ex = new ExemplarsEncoder();
    ex.add(1, 1000, 1, ['trace_id', 'x']);
    w.log(RecordType.Exemplars, ex.finish());
    const st = new TombstonesEncoder();
    st.add(2, 0, 500);
    w.log(RecordType.Tombstones, st.finish());
    const md = new MetadataEncoder();
    md.add(1, 2, '', 'Is it up.');
    w.log(RecordType.Metadata, md.finish());
    w.log(200, new Uint8Array([1, 2, 3])); // a type from the future is kept and handed over as-is
    w.log(201, new Uint8Array(0)); // an empty payload is legal at the framing level
    await w.flush();
    assert.equal(w.stats.recordsWritten, 7);
    await w.close();

    const { data, report } = await collect(dir);
    assert.equal(report.records, 7);
    assert.equal(report.tornTail, null);
    assert.deepEqual(data.series, ['1 ["__name__","up","job","a"]', '2 ["__name__","up","job","b"]']);
    assert.deepEqual(data.samples, ['1 1000 3ff0000000000000', '2 1000 0000000000000000']);
    assert.deepEqual(data.exemplars, ['1 1000 1 ["trace_id","x"]']);
    assert.deepEqual(data.tombstones, ['2 0 500']);
    assert.deepEqual(data.metadata, ['1 2  Is it up.']);
    assert.deepEqual(data.unknown, ['200 010203', '201 ']);
  } finally {
    await rmDir(dir);
  }
});

test('log rejects invalid types and closed writers', async () => {
  const dir = await tmpDir();
  try {
    const w = await WalWriter.open(dir);
    assert.throws(() => w.log(0, new Uint8Array(1)), RangeError);
    assert.throws(() => w.log(256, new Uint8Array(1)), RangeError);
    await w.close();
    assert.throws(() => w.log(1, new Uint8Array(1)), /closed/);
    await w.close(); // idempotent
  } finally {
    await rmDir(dir);
  }
});

test('segments roll over when the next record would overflow, order is kept', async () => {
  const dir = await tmpDir();
  try {
    const segmentSize = 1024;
    const w = await WalWriter.open(dir, { segmentSize });
    const enc = new SamplesEncoder();
    let expected = 0;
    for (let batch = 0; batch < 50; batch++) {
      for (let k = 0; k < 7; k++) w.log(RecordType.Samples, samplesPayload(enc, expected++, 1 + (expected % 5)));
      await w.flush();
    }
    // One record larger than a segment gets a segment to itself.
    w.log(RecordType.Samples, samplesPayload(enc, expected++, 200));
    w.log(RecordType.Samples, samplesPayload(enc, expected++, 1));
    await w.close();

    const files = await segmentFiles(dir);
    assert.ok(files.length > 10, `only ${files.length} segments`);
    let oversize = 0;
    for (const f of files) {
      const size = (await fs.promises.stat(path.join(dir, f))).size;
      if (size > segmentSize) oversize++;
    }
    assert.equal(oversize, 1);
    assert.equal(w.stats.segmentsCreated, files.length);

    const ids: number[] = [];
    const report = await replayWal(dir, 0, (type, payload) => {
      assert.equal(type, RecordType.Samples);
      let first = -1;
      decodeSamples(payload, (ref) => {
        if (first < 0) first = ref;
      });
      ids.push(first);
    });
    assert.deepEqual(
      ids,
      Array.from({ length: expected }, (_, i) => i),
    );
    assert.equal(report.segmentsRead, files.length);

    // fromSegment skips earlier segments.
    let fromThird = 0;
    await replayWal(dir, 2, () => fromThird++);
    assert.ok(fromThird < expected && fromThird > 0);
  } finally {
    await rmDir(dir);
  }
});

test('group commit: many concurrent flushes share few writes', async () => {
  const dir = await tmpDir();
  try {
    let writes = 0;
    const ops: Partial<WalFileOps> = {
      write: async (fd, buf, off, len, pos) => {
        writes++;
        await new Promise((r) => setTimeout(r, 5)); // a slow disk makes batches form
        return nodeFileOps.write(fd, buf, off, len, pos);
      },
    };
    const w = await WalWriter.open(dir, { fileOps: ops });
    const enc = new SamplesEncoder();
    const callers = 2000;
    const acked: number[] = [];
    await Promise.all(
      Array.from({ length: callers }, async (_, id) => {
        // Stagger the callers over a few ticks.
        await new Promise((r) => setTimeout(r, id % 20));
        w.log(RecordType.Samples, samplesPayload(enc, id));
        await w.flush();
        acked.push(id);
      }),
    );
    assert.equal(acked.length, callers);
    assert.ok(writes < callers / 20, `${writes} writes for ${callers} flushes`);
    assert.equal(w.stats.writes, writes);
    assert.equal(w.stats.recordsWritten, callers);
    await w.flush(); // nothing pending: resolves at once
    await w.sync();
    assert.ok(w.stats.fsyncs >= 1);
    await w.close();

    const seen = new Set<number>();
    await replayWal(dir, 0, (_t, p) => decodeSamples(p, (ref) => seen.add(ref)));
    assert.equal(seen.size, callers);
  } finally {
    await rmDir(dir);
  }
});

test('reopening continues in a new segment and keeps the old data', async () => {
  const dir = await tmpDir();
  try {
    const enc = new SamplesEncoder();
    let w = await WalWriter.open(dir);
    w.log(RecordType.Samples, samplesPayload(enc, 1));
    await w.close();
    w = await WalWriter.open(dir);
    assert.equal(w.currentSegment, 1);
    assert.equal(w.openReport.tornTail, null);
    w.log(RecordType.Samples, samplesPayload(enc, 2));
    await w.close();
    // Reopen with the newest segment empty: it is reused.
    await fs.promises.writeFile(path.join(dir, segmentName(2)), '');
    w = await WalWriter.open(dir);
    assert.equal(w.currentSegment, 2);
    const seg = await w.cutSegment(); // nothing written: no cut
    assert.equal(seg, 2);
    w.log(RecordType.Samples, samplesPayload(enc, 3));
    assert.equal(await w.cutSegment(), 3);
    assert.deepEqual(await w.truncateSegmentsBefore(100), [0, 1, 2]); // never the current one
    await w.close();
    const { data } = await collect(dir);
    assert.deepEqual(data.recordSegments, []);
    assert.deepEqual(await truncateSegmentsBefore(dir, 0), []);
  } finally {
    await rmDir(dir);
  }
});

/** File ops whose writes fail with ENOSPC while `full` is set, after writing `partial` bytes. */
function flakyOps(state: { full: boolean; partial: number; failTruncate?: boolean }): Partial<WalFileOps> {
  return {
    write: async (fd, buf, off, len, pos) => {
      if (!state.full) return nodeFileOps.write(fd, buf, off, len, pos);
      const n = Math.min(state.partial, len);
      if (n > 0) {
        // A short write of some bytes, then the next call fails: leaves a partial record behind.
        state.partial = 0;
        return nodeFileOps.write(fd, buf, off, n, pos);
      }
      const err = new Error('ENOSPC: no space left on device, write') as NodeJS.ErrnoException;
      err.code = 'ENOSPC';
      throw err;
    },
    ftruncate: async (fd, len) => {
      if (state.failTruncate) {
        const err = new Error('EIO: i/o error, ftruncate') as NodeJS.ErrnoException;
        err.code = 'EIO';
        throw err;
      }
      return nodeFileOps.ftruncate(fd, len);
    },
  };
}

test('a failing write (ENOSPC) rolls back, rejects, and later flushes succeed', async () => {
  const dir = await tmpDir();
  try {
    const state = { full: false, partial: 0 };
    const w = await WalWriter.open(dir, { fileOps: flakyOps(state) });
    const enc = new SamplesEncoder();
    w.log(RecordType.Samples, samplesPayload(enc, 1));
    await w.flush();

    state.full = true;
    state.partial = HEADER_SIZE + 5; // tear the first record of the batch
    w.log(RecordType.Samples, samplesPayload(enc, 2));
    w.log(RecordType.Samples, samplesPayload(enc, 3));
    const failing = [w.flush(), w.flush()];
    for (const f of failing) {
      await assert.rejects(f, (err: unknown) => {
        assert.ok(err instanceof WalWriteError);
        assert.equal(err.code, 'ENOSPC');
        assert.match(err.message, /00000000 failed \(ENOSPC\)/);
        return true;
      });
    }
    assert.equal(w.stats.writeFailures, 1);
    assert.equal(w.stats.recordsFailed, 2);
    // The file holds only the first record again.
    const size = (await fs.promises.stat(path.join(dir, segmentName(0)))).size;
    assert.equal(size, w.stats.bytesWritten);

    state.full = false;
    w.log(RecordType.Samples, samplesPayload(enc, 4));
    await w.flush();
    await w.close();

    const { data, report } = await collect(dir);
    assert.equal(report.tornTail, null);
    assert.deepEqual(
      [...new Set(data.samples.map((s) => Number(s.split(' ')[0])))],
      [1, 4],
    );
  } finally {
    await rmDir(dir);
  }
});

test('when the rollback truncate fails too, the next flush truncates first', async () => {
  const dir = await tmpDir();
  try {
    const state = { full: true, partial: 7, failTruncate: true };
    const w = await WalWriter.open(dir, { fileOps: flakyOps(state) });
    const enc = new SamplesEncoder();
    w.log(RecordType.Samples, samplesPayload(enc, 1, 50));
    await assert.rejects(w.flush(), WalWriteError);
    // Still broken: the pending truncate fails, the flush is refused.
    w.log(RecordType.Samples, samplesPayload(enc, 2));
    await assert.rejects(w.flush(), /EIO/);
    state.full = false;
    state.failTruncate = false;
    w.log(RecordType.Samples, samplesPayload(enc, 3));
    await w.flush();
    await w.close();
    const { data, report } = await collect(dir);
    assert.equal(report.tornTail, null);
    assert.deepEqual(
      [...new Set(data.samples.map((s) => Number(s.split(' ')[0])))],
      [3],
    );
  } finally {
    await rmDir(dir);
  }
});

test('a failure while opening the next segment is retried on the next flush', async () => {
  const dir = await tmpDir();
  try {
    let failOpen = false;
    const w = await WalWriter.open(dir, {
      segmentSize: 256,
      fileOps: {
        open: async (p) => {
          if (failOpen) {
            const err = new Error(`EMFILE: too many open files, open '${p}'`) as NodeJS.ErrnoException;
            err.code = 'EMFILE';
            throw err;
          }
          return nodeFileOps.open(p);
        },
      },
    });
    const enc = new SamplesEncoder();
    w.log(RecordType.Samples, samplesPayload(enc, 1, 15));
    await w.flush();
    failOpen = true;
    w.log(RecordType.Samples, samplesPayload(enc, 2, 15));
    await assert.rejects(w.flush(), (err: unknown) => err instanceof WalWriteError && err.code === 'EMFILE');
    failOpen = false;
    w.log(RecordType.Samples, samplesPayload(enc, 3, 15));
    await w.flush();
    await w.close();
    const { data } = await collect(dir);
    assert.deepEqual(
      [...new Set(data.samples.map((s) => Number(s.split(' ')[0])))],
      [1, 3],
    );
    assert.deepEqual(await segmentFiles(dir), ['00000000', '00000001']);
  } finally {
    await rmDir(dir);
  }
});
