/**
 * Checkpoints: a compacted copy of the WAL up to some segment, holding only what is still needed
 * (series that are kept, and samples/exemplars/tombstones at or after minTime). A checkpoint is a
 * directory `checkpoint.NNNNNNNN` (N = last segment covered) with segment files in the WAL format.
 * It is written to `checkpoint.NNNNNNNN.tmp`, fsynced and renamed, so it is either complete or absent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { checkpointName, RecordType, segmentName } from './format.ts';
import { fsyncDir } from './fsops.ts';
import { listCheckpoints, listSegments, ReadBuffer, scanSegment, WalCorruptionError } from './reader.ts';
import {
  decodeExemplars,
  decodeMetadata,
  decodeSamplesRaw,
  decodeSeries,
  decodeTombstones,
  ExemplarsEncoder,
  MetadataEncoder,
  SamplesEncoder,
  SeriesEncoder,
  TombstonesEncoder,
} from './records.ts';
import { WalWriter } from './writer.ts';

export interface CheckpointOptions {
  /** Segment size inside the checkpoint directory (default: the WAL default, 128 MiB). */
  segmentSize?: number;
}

export interface CheckpointReport {
  /** Last segment covered; the directory is `checkpoint.<segmentName(checkpoint)>`. */
  checkpoint: number;
  /** True when an existing checkpoint already covered `throughSegment` and nothing was written. */
  skipped: boolean;
  dir: string;
  /** The older checkpoint it was built on, or null. */
  fromCheckpoint: number | null;
  /** WAL segments read (first and last), or null when only the old checkpoint was read. */
  fromSegment: number | null;
  toSegment: number | null;
  seriesKept: number;
  seriesDropped: number;
  samplesKept: number;
  samplesDropped: number;
  exemplarsKept: number;
  exemplarsDropped: number;
  tombstonesKept: number;
  tombstonesDropped: number;
  metadataKept: number;
  /** Records of unknown type (from a newer version) that were not carried over. */
  unknownDropped: number;
  /** Size of the checkpoint's files. */
  bytes: number;
  /** Older checkpoints deleted after the new one was in place. */
  deletedCheckpoints: number[];
  seconds: number;
}

function emptyReport(checkpoint: number, dir: string): CheckpointReport {
  return {
    checkpoint,
    skipped: false,
    dir,
    fromCheckpoint: null,
    fromSegment: null,
    toSegment: null,
    seriesKept: 0,
    seriesDropped: 0,
    samplesKept: 0,
    samplesDropped: 0,
    exemplarsKept: 0,
    exemplarsDropped: 0,
    tombstonesKept: 0,
    tombstonesDropped: 0,
    metadataKept: 0,
    unknownDropped: 0,
    bytes: 0,
    deletedCheckpoints: [],
    seconds: 0,
  };
}

/**
 * Builds `checkpoint.<throughSegment>` from the newest older checkpoint (if any) and the segments up to
 * and including `throughSegment`, which must all be complete (cut the writer's segment first). Keeps
 * Series records of series for which `keepSeries(ref)` is true; samples and exemplars with t ≥ minTime,
 * tombstone intervals with maxt ≥ minTime and the latest metadata, all only for kept series. Afterwards
 * older checkpoints are deleted; the caller may then delete the covered segments with
 * `truncateSegmentsBefore(throughSegment + 1)`. If a checkpoint at or beyond `throughSegment` already
 * exists, nothing is done and the report says `skipped`.
 */
export async function createCheckpoint(
  dir: string,
  throughSegment: number,
  keepSeries: (ref: number) => boolean,
  minTime: number,
  options: CheckpointOptions = {},
): Promise<CheckpointReport> {
  const t0 = performance.now();
  const checkpoints = await listCheckpoints(dir);
  const older = checkpoints.filter((c) => c < throughSegment);
  const newest = checkpoints.length > 0 ? checkpoints[checkpoints.length - 1] : null;
  if (newest !== null && newest >= throughSegment) {
    // Already covered (e.g. nothing was written since the last checkpoint): nothing to do.
    return { ...emptyReport(newest, path.join(dir, checkpointName(newest))), skipped: true, seconds: (performance.now() - t0) / 1000 };
  }
  const fromCheckpoint = older.length > 0 ? older[older.length - 1] : null;
  const segments = (await listSegments(dir)).filter((s) => s <= throughSegment && (fromCheckpoint === null || s > fromCheckpoint));
  for (let i = 1; i < segments.length; i++) {
    if (segments[i] !== segments[i - 1] + 1) throw new Error(`WAL ${dir}: segment ${segments[i - 1] + 1} missing`);
  }
  if (fromCheckpoint !== null && segments.length > 0 && segments[0] !== fromCheckpoint + 1) {
    throw new Error(`WAL ${dir}: segments ${fromCheckpoint + 1}..${segments[0] - 1} missing after checkpoint ${fromCheckpoint}`);
  }
  if (segments.length === 0 || segments[segments.length - 1] !== throughSegment) {
    throw new Error(`WAL ${dir}: segment ${throughSegment} does not exist`);
  }

  // Clear leftovers of an interrupted checkpoint.
  for (const name of await fs.promises.readdir(dir)) {
    if (name.startsWith('checkpoint.') && name.endsWith('.tmp')) {
      await fs.promises.rm(path.join(dir, name), { recursive: true, force: true });
    }
  }
  const finalDir = path.join(dir, checkpointName(throughSegment));
  const tmpDir = `${finalDir}.tmp`;
  const out = await WalWriter.open(tmpDir, { segmentSize: options.segmentSize, repairTail: false });

  const report: CheckpointReport = {
    ...emptyReport(throughSegment, finalDir),
    fromCheckpoint,
    fromSegment: segments[0],
    toSegment: segments[segments.length - 1],
  };

  const series = new SeriesEncoder();
  const samples = new SamplesEncoder();
  const exemplars = new ExemplarsEncoder();
  const stones = new TombstonesEncoder();
  const metadata = new Map<number, { type: number; unit: string; help: string }>();

  const onSeries = (ref: number, labels: string[]): void => {
    if (keepSeries(ref)) {
      series.add(ref, labels);
      report.seriesKept++;
    } else {
      report.seriesDropped++;
    }
  };
  const onSample = (ref: number, t: number, payload: Uint8Array, valueOffset: number): void => {
    if (t >= minTime && keepSeries(ref)) {
      samples.addRaw(ref, t, payload, valueOffset);
      report.samplesKept++;
    } else {
      report.samplesDropped++;
    }
  };
  const onExemplar = (ref: number, t: number, v: number, labels: string[]): void => {
    if (t >= minTime && keepSeries(ref)) {
      exemplars.add(ref, t, v, labels);
      report.exemplarsKept++;
    } else {
      report.exemplarsDropped++;
    }
  };
  const onStone = (ref: number, mint: number, maxt: number): void => {
    if (maxt >= minTime && keepSeries(ref)) {
      stones.add(ref, mint, maxt);
      report.tombstonesKept++;
    } else {
      report.tombstonesDropped++;
    }
  };
  const onMetadata = (ref: number, type: number, unit: string, help: string): void => {
    if (keepSeries(ref)) metadata.set(ref, { type, unit, help });
  };

  const onRecord = (type: number, payload: Uint8Array): void => {
    switch (type) {
      case RecordType.Series:
        series.reset();
        decodeSeries(payload, onSeries);
        if (series.count > 0) out.log(RecordType.Series, series.finish());
        break;
      case RecordType.Samples:
        samples.reset();
        decodeSamplesRaw(payload, onSample);
        if (samples.count > 0) out.log(RecordType.Samples, samples.finish());
        break;
      case RecordType.Exemplars:
        exemplars.reset();
        decodeExemplars(payload, onExemplar);
        if (exemplars.count > 0) out.log(RecordType.Exemplars, exemplars.finish());
        break;
      case RecordType.Tombstones:
        stones.reset();
        decodeTombstones(payload, onStone);
        if (stones.count > 0) out.log(RecordType.Tombstones, stones.finish());
        break;
      case RecordType.Metadata:
        decodeMetadata(payload, onMetadata);
        break;
      default:
        report.unknownDropped++;
    }
  };

  const rb = new ReadBuffer();
  try {
    if (fromCheckpoint !== null) {
      const cpDir = path.join(dir, checkpointName(fromCheckpoint));
      for (const s of await listSegments(cpDir)) {
        const scan = await scanSegment(path.join(cpDir, segmentName(s)), onRecord, rb);
        if (scan.damage) throw new WalCorruptionError(cpDir, s, scan.damage.offset, scan.damage.reason, true);
        await out.flush();
      }
    }
    for (const s of segments) {
      const scan = await scanSegment(path.join(dir, segmentName(s)), onRecord, rb);
      if (scan.damage) throw new WalCorruptionError(dir, s, scan.damage.offset, scan.damage.reason);
      await out.flush();
    }
    if (metadata.size > 0) {
      const enc = new MetadataEncoder();
      for (const [ref, m] of metadata) {
        enc.add(ref, m.type, m.unit, m.help);
        report.metadataKept++;
        if (enc.byteLength > 1024 * 1024) {
          out.log(RecordType.Metadata, enc.finish());
          enc.reset();
        }
      }
      if (enc.count > 0) out.log(RecordType.Metadata, enc.finish());
    }
    await out.close();
    report.bytes = out.stats.bytesWritten;
  } catch (err) {
    await out.close().catch(() => {});
    await fs.promises.rm(tmpDir, { recursive: true, force: true });
    throw err;
  }

  await fsyncDir(tmpDir);
  await fs.promises.rename(tmpDir, finalDir);
  await fsyncDir(dir);

  for (const c of older) {
    await fs.promises.rm(path.join(dir, checkpointName(c)), { recursive: true, force: true });
    report.deletedCheckpoints.push(c);
  }
  if (older.length > 0) await fsyncDir(dir);
  report.seconds = (performance.now() - t0) / 1000;
  return report;
}
