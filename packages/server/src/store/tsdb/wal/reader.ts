/**
 * Reading the WAL: listing segments and checkpoints, scanning segments record by record with large
 * sequential reads, replay (checkpoint first, then the segments after it) and crash repair.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { HEADER_SIZE, checkpointName, parseCheckpointName, parseSegmentName, segmentName } from './format.ts';
import { fsyncDir } from './fsops.ts';
import { ScanWorker } from './scan-worker.ts';
import type { CoveredSamples } from './scan-worker.ts';

/** Corruption found where it cannot be a torn write (a segment that is not the last, or a checkpoint). */
export class WalCorruptionError extends Error {
  readonly dir: string;
  readonly segment: number;
  readonly offset: number;
  readonly reason: string;
  /** True when found inside a checkpoint directory (`dir` is then that directory). */
  readonly inCheckpoint: boolean;

  constructor(dir: string, segment: number, offset: number, reason: string, inCheckpoint = false) {
    super(`WAL corruption in ${path.join(dir, segmentName(segment))} at offset ${offset}: ${reason}`);
    this.name = 'WalCorruptionError';
    this.dir = dir;
    this.segment = segment;
    this.offset = offset;
    this.reason = reason;
    this.inCheckpoint = inCheckpoint;
  }
}

/** Where the current record lives. One object is reused for every record of a replay. */
export interface RecordPosition {
  /** Set while replaying a checkpoint: its covered segment (the segment field is then the checkpoint's own file). */
  checkpoint: number | null;
  segment: number;
  /** Byte offset of the record header in its file. */
  offset: number;
}

/**
 * Called once per record. `payload` is a view into a read buffer that is reused: it is valid only during
 * the call (copy it to keep it).
 */
export type RecordVisitor = (type: number, payload: Uint8Array, at: RecordPosition) => void;

export interface TailDamage {
  segment: number;
  /** Offset of the first bad byte; the segment now ends here. */
  offset: number;
  reason: string;
  droppedBytes: number;
  /** Records that were (partly) present after the offset, best effort; a zero-filled tail counts none. */
  droppedRecords: number;
}

export interface CorruptionRepair extends TailDamage {
  /** Later segments that were deleted (Prometheus-style repair). */
  deletedSegments: number[];
}

export interface ReplayReport {
  /** The checkpoint replayed first (the last segment it covers), or null. */
  checkpoint: number | null;
  firstSegment: number | null;
  lastSegment: number | null;
  segmentsRead: number;
  records: number;
  bytes: number;
  /** A torn or corrupt tail of the last segment that was truncated away, if any. */
  tornTail: TailDamage | null;
  /** Corruption in an earlier segment that was repaired (only with onCorruption: 'repair'). */
  corruption: CorruptionRepair | null;
}

export interface ReplayOptions {
  /**
   * Corruption in a segment that is not the last: 'repair' (default) truncates that segment at the bad
   * record and deletes every later segment, reporting it in `corruption`; 'error' throws a
   * WalCorruptionError instead (nothing is changed; call `repairWal` to apply the same repair).
   */
  onCorruption?: 'repair' | 'error';
  /** Read buffer size; default 8 MiB. Grows for records larger than this. */
  bufferSize?: number;
  /**
   * Where files are read and CRC-checked: 'worker' on a worker thread, ahead of the visitor (see
   * scan-worker.ts), 'inline' on the calling thread. Default: 'worker' when the files to read add up
   * to at least READ_AHEAD_MIN_BYTES, so a small WAL does not pay for starting a thread.
   */
  readAhead?: 'worker' | 'inline';
  /**
   * With the worker only: Samples records whose every sample is no newer than `newest[ref]` go to
   * `onCovered` instead of the visitor (see scan-worker.ts). Inline reading ignores this, and the
   * visitor must then drop such samples itself.
   */
  coveredSamples?: CoveredSamples;
}

export const READ_AHEAD_MIN_BYTES = 32 * 1024 * 1024;

export const DEFAULT_READ_BUFFER = 8 * 1024 * 1024;

/** Sorted indexes of the segment files in `dir` (empty if the directory does not exist). */
export async function listSegments(dir: string): Promise<number[]> {
  const names = await readdirOrEmpty(dir);
  const out: number[] = [];
  for (const name of names) {
    const n = parseSegmentName(name);
    if (n !== null) out.push(n);
  }
  return out.toSorted((a, b) => a - b);
}

/** Sorted indexes of complete checkpoint directories (`checkpoint.N`, not `.tmp`). */
export async function listCheckpoints(dir: string): Promise<number[]> {
  const names = await readdirOrEmpty(dir);
  const out: number[] = [];
  for (const name of names) {
    const n = parseCheckpointName(name);
    if (n !== null) out.push(n);
  }
  return out.toSorted((a, b) => a - b);
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await fs.promises.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

export interface SegmentScan {
  size: number;
  /** End of the last good record. */
  validEnd: number;
  records: number;
  /** First problem found, or null when the whole file is good records. */
  damage: { offset: number; reason: string } | null;
}

/**
 * The read buffers of a scan, reusable across segments: two buffers of `headroom + chunk` bytes. While
 * one is parsed the next chunk is read into the other (so disk reads overlap decoding); an incomplete
 * record at the end of a chunk is moved into the other buffer's headroom, in front of the new chunk.
 */
export class ReadBuffer {
  readonly chunk: number;
  readonly headroom: number;
  readonly a: Uint8Array;
  readonly b: Uint8Array;

  constructor(chunk = DEFAULT_READ_BUFFER) {
    this.chunk = Math.max(64, chunk);
    this.headroom = Math.min(1024 * 1024, this.chunk);
    this.a = new Uint8Array(this.headroom + this.chunk);
    this.b = new Uint8Array(this.headroom + this.chunk);
  }
}

async function readFully(fh: fs.promises.FileHandle, buf: Uint8Array, off: number, len: number, at: number): Promise<number> {
  let done = 0;
  while (done < len) {
    const { bytesRead } = await fh.read(buf, off + done, len - done, at + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}

/**
 * Reads one segment file sequentially and calls `onRecord` per good record until the end or the first
 * bad record (reported in `damage`, nothing thrown). Errors thrown by `onRecord` propagate.
 */
export async function scanSegment(
  file: string,
  onRecord: ((type: number, payload: Uint8Array, offset: number) => void) | null,
  rb: ReadBuffer = new ReadBuffer(),
): Promise<SegmentScan> {
  const fh = await fs.promises.open(file, 'r');
  let prefetch: Promise<number> | null = null;
  try {
    const size = (await fh.stat()).size;
    if (size === 0) return { size, validEnd: 0, records: 0, damage: null };
    const H = rb.headroom;
    const std = [rb.a, rb.b];
    // Parse window [pos, end) of `buf`, whose index 0 is file offset `base`.
    let buf = std[0];
    let base = -H;
    let pos = H;
    let end = H;
    let records = 0;
    // Next chunk: read into std[target] at H, from file offset `readAt` (length `readLen`).
    let target = 1;
    let readAt = 0;
    let readLen = 0;
    let shrunk = false;
    const startRead = (): void => {
      readLen = Math.min(rb.chunk, size - readAt);
      prefetch = readFully(fh, std[target], H, readLen, readAt);
    };
    startRead();
    const damage = (reason: string): SegmentScan => ({
      size,
      validEnd: base + pos,
      records,
      damage: { offset: base + pos, reason },
    });
    for (;;) {
      if (prefetch === null) {
        return damage(end - pos < HEADER_SIZE ? 'partial record header' : shrunk ? 'file shrank while reading' : 'partial record');
      }
      const got: number = await prefetch;
      prefetch = null;
      const landing = std[target];
      const rest = end - pos;
      if (rest <= H) {
        landing.set(buf.subarray(pos, end), H - rest);
        buf = landing;
        base = readAt - H;
        pos = H - rest;
        end = H + got;
      } else {
        // A record longer than the headroom spans chunks: gather it in a buffer of its own.
        const combined = new Uint8Array(rest + got);
        combined.set(buf.subarray(pos, end));
        combined.set(landing.subarray(H, H + got), rest);
        buf = combined;
        base = readAt - rest;
        pos = 0;
        end = rest + got;
      }
      readAt += got;
      if (got < readLen) shrunk = true;
      target = buf === std[0] ? 1 : 0;
      if (readAt < size && !shrunk) startRead();

      // Parse every complete record in the window.
      while (end - pos >= HEADER_SIZE) {
        const type = buf[pos];
        const len = (buf[pos + 1] | (buf[pos + 2] << 8) | (buf[pos + 3] << 16) | (buf[pos + 4] << 24)) >>> 0;
        if (type === 0) return damage('zero record type (zero-filled or torn)');
        if (base + pos + HEADER_SIZE + len > size) return damage(`record of ${len} bytes runs past the end of the file (${size} bytes)`);
        if (end - pos < HEADER_SIZE + len) break;
        const crc = (buf[pos + 5] | (buf[pos + 6] << 8) | (buf[pos + 7] << 16) | (buf[pos + 8] << 24)) >>> 0;
        const payload = buf.subarray(pos + HEADER_SIZE, pos + HEADER_SIZE + len);
        if (zlib.crc32(payload) !== crc) return damage('CRC mismatch');
        if (onRecord !== null) onRecord(type, payload, base + pos);
        records++;
        pos += HEADER_SIZE + len;
      }
      if (base + pos === size) return { size, validEnd: size, records, damage: null };
    }
  } finally {
    // Never leave a read in flight on a closed handle (a visitor may have thrown).
    if (prefetch !== null) await (prefetch as Promise<number>).catch(() => 0);
    await fh.close();
  }
}

/** Best-effort count of records present from `offset` on (a zero-filled run counts none). */
async function countDropped(file: string, offset: number, size: number): Promise<number> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const head = new Uint8Array(HEADER_SIZE);
    let count = 0;
    let at = offset;
    for (let i = 0; i < 1_000_000 && at < size; i++) {
      const { bytesRead } = await fh.read(head, 0, HEADER_SIZE, at);
      if (bytesRead < HEADER_SIZE) {
        if (head.subarray(0, bytesRead).some((b) => b !== 0)) count++;
        break;
      }
      if (head[0] === 0) {
        // Zero type: a zero-filled run, or garbage. Count one record if anything non-zero follows.
        if (!(await allZero(fh, at, size))) count++;
        break;
      }
      count++;
      const len = (head[1] | (head[2] << 8) | (head[3] << 16) | (head[4] << 24)) >>> 0;
      at += HEADER_SIZE + len;
    }
    return count;
  } finally {
    await fh.close();
  }
}

async function allZero(fh: fs.promises.FileHandle, from: number, to: number): Promise<boolean> {
  const chunk = new Uint8Array(Math.min(1 << 20, Math.max(1, to - from)));
  for (let at = from; at < to; ) {
    const { bytesRead } = await fh.read(chunk, 0, Math.min(chunk.length, to - at), at);
    if (bytesRead === 0) break;
    for (let i = 0; i < bytesRead; i++) if (chunk[i] !== 0) return false;
    at += bytesRead;
  }
  return true;
}

/** Truncates a file to `length` and fsyncs it. */
async function truncateFile(file: string, length: number): Promise<void> {
  const fh = await fs.promises.open(file, 'r+');
  try {
    await fh.truncate(length);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Truncates a torn tail: cuts `segment` at `offset` and reports what was dropped. Used for the last
 * segment on replay and on writer open.
 */
export async function truncateTail(dir: string, segment: number, offset: number, reason: string): Promise<TailDamage> {
  const file = path.join(dir, segmentName(segment));
  const size = (await fs.promises.stat(file)).size;
  const droppedRecords = await countDropped(file, offset, size);
  await truncateFile(file, offset);
  return { segment, offset, reason, droppedBytes: size - offset, droppedRecords };
}

/**
 * Prometheus-style repair of corruption in `segment` at `offset`: truncates that segment there and
 * deletes every later segment. Returns what was dropped.
 */
export async function repairWal(dir: string, segment: number, offset: number, reason = 'corruption'): Promise<CorruptionRepair> {
  const tail = await truncateTail(dir, segment, offset, reason);
  const deletedSegments: number[] = [];
  let droppedBytes = tail.droppedBytes;
  for (const s of await listSegments(dir)) {
    if (s <= segment) continue;
    const file = path.join(dir, segmentName(s));
    droppedBytes += (await fs.promises.stat(file)).size;
    await fs.promises.rm(file, { force: true });
    deletedSegments.push(s);
  }
  await fsyncDir(dir);
  return { ...tail, droppedBytes, deletedSegments };
}

async function fileSize(file: string): Promise<number> {
  return (await fs.promises.stat(file)).size;
}

/**
 * Replays the WAL in `dir`: the newest checkpoint (when it is not older than `fromSegment - 1`), then
 * every segment from max(fromSegment, checkpoint + 1) in order, calling `visitor` per record.
 *
 * A torn or corrupt tail of the last non-empty segment is truncated at the last good record and
 * reported in `tornTail`. Corruption in an earlier segment is repaired (or thrown, see ReplayOptions).
 * Corruption inside a checkpoint always throws. A gap in the segment sequence throws.
 */
export async function replayWal(
  dir: string,
  fromSegment: number,
  visitor: RecordVisitor,
  options: ReplayOptions = {},
): Promise<ReplayReport> {
  const onCorruption = options.onCorruption ?? 'repair';
  const rb = new ReadBuffer(options.bufferSize ?? DEFAULT_READ_BUFFER);
  const report: ReplayReport = {
    checkpoint: null,
    firstSegment: null,
    lastSegment: null,
    segmentsRead: 0,
    records: 0,
    bytes: 0,
    tornTail: null,
    corruption: null,
  };
  const at: RecordPosition = { checkpoint: null, segment: 0, offset: 0 };
  let start = fromSegment;

  // Every file to read, in order, is known up front so a read-ahead worker can run ahead of the visitor.
  const checkpoints = await listCheckpoints(dir);
  const latest = checkpoints.length > 0 ? checkpoints[checkpoints.length - 1] : null;
  const useCheckpoint = latest !== null && latest + 1 >= fromSegment;
  const cpDir = latest !== null ? path.join(dir, checkpointName(latest)) : '';
  const cpSegments = useCheckpoint ? await listSegments(cpDir) : [];
  if (useCheckpoint) start = Math.max(start, (latest as number) + 1);
  const segments = (await listSegments(dir)).filter((s) => s >= start);
  if (useCheckpoint && segments.length > 0 && segments[0] !== (latest as number) + 1) {
    throw new Error(`WAL ${dir}: segments ${(latest as number) + 1}..${segments[0] - 1} missing after checkpoint ${latest}`);
  }
  for (let i = 1; i < segments.length; i++) {
    if (segments[i] !== segments[i - 1] + 1) {
      throw new Error(`WAL ${dir}: segment ${segments[i - 1] + 1} missing (have ${segments[i - 1]} and ${segments[i]})`);
    }
  }
  const cpFiles = cpSegments.map((s) => path.join(cpDir, segmentName(s)));
  const segmentFiles = segments.map((s) => path.join(dir, segmentName(s)));
  const cpSizes = await Promise.all(cpFiles.map(fileSize));
  const sizes = await Promise.all(segmentFiles.map(fileSize));
  const totalBytes = [...cpSizes, ...sizes].reduce((a, b) => a + b, 0);
  const readAhead = options.readAhead ?? (totalBytes >= READ_AHEAD_MIN_BYTES ? 'worker' : 'inline');
  const worker = readAhead === 'worker' && totalBytes > 0 ? new ScanWorker([...cpFiles, ...segmentFiles], { chunk: rb.chunk, coveredSamples: options.coveredSamples }) : null;
  const scan = (file: string, onRecord: (type: number, payload: Uint8Array, offset: number) => void): Promise<SegmentScan> =>
    worker !== null ? worker.scan(file, onRecord) : scanSegment(file, onRecord, rb);
  const visit = (type: number, payload: Uint8Array, offset: number): void => {
    at.offset = offset;
    visitor(type, payload, at);
  };

  try {
    if (useCheckpoint) {
      at.checkpoint = latest;
      for (let i = 0; i < cpSegments.length; i++) {
        at.segment = cpSegments[i];
        const result = await scan(cpFiles[i], visit);
        report.records += result.records;
        report.bytes += result.validEnd;
        if (result.damage) throw new WalCorruptionError(cpDir, cpSegments[i], result.damage.offset, result.damage.reason, true);
      }
      at.checkpoint = null;
      report.checkpoint = latest;
    }

    if (segments.length === 0) return report;
    // The tail is the last segment with data; empty segments after it do not make it a "middle" one.
    let tailIndex = segments.length - 1;
    while (tailIndex > 0 && sizes[tailIndex] === 0) tailIndex--;

    report.firstSegment = segments[0];
    for (let i = 0; i < segments.length; i++) {
      const s = segments[i];
      at.segment = s;
      const result = await scan(segmentFiles[i], visit);
      report.segmentsRead++;
      report.lastSegment = s;
      report.records += result.records;
      report.bytes += result.validEnd;
      if (result.damage === null) continue;
      const { offset, reason } = result.damage;
      if (i >= tailIndex) {
        report.tornTail = await truncateTail(dir, s, offset, reason);
        await fsyncDir(dir);
        // Any (empty) segments after it stay; they are valid.
        continue;
      }
      if (onCorruption === 'error') throw new WalCorruptionError(dir, s, offset, reason);
      // Stop reading ahead before later segments are deleted.
      await worker?.close();
      report.corruption = await repairWal(dir, s, offset, reason);
      break;
    }
    return report;
  } finally {
    await worker?.close();
  }
}
