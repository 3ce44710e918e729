/**
 * The WAL writer: records are queued in memory by `log()` and written by `flush()` with group commit
 * (every caller that flushes while a batch is forming shares one write syscall per segment touched).
 * All file work (batch writes, segment cuts, fsyncs, close) runs on one serial chain, so at most one
 * write is in flight and records reach the file in the order they were logged.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import zlib from 'node:zlib';
import { ByteBuffer } from './buffer.ts';
import { DEFAULT_SEGMENT_SIZE, HEADER_SIZE, MAX_PAYLOAD, MIN_SEGMENT_SIZE, segmentName } from './format.ts';
import { fsyncDir, nodeFileOps } from './fsops.ts';
import type { WalFileOps } from './fsops.ts';
import { listCheckpoints, listSegments, scanSegment, truncateTail } from './reader.ts';
import type { TailDamage } from './reader.ts';

export interface WalWriterOptions {
  /** Maximum segment size in bytes (default 128 MiB). A record larger than this gets a segment to itself. */
  segmentSize?: number;
  /** Replaces some of the file operations (tests inject failing writes this way). */
  fileOps?: Partial<WalFileOps>;
  /** Check the last non-empty segment on open and truncate a torn tail (default true). */
  repairTail?: boolean;
  /** Index of the first segment when the directory holds no segments or checkpoints (default 0). */
  firstSegment?: number;
}

/** Counters for /metrics. Plain numbers, updated in place. */
export interface WalStats {
  /** Bytes written to segment files (headers included). */
  bytesWritten: number;
  recordsWritten: number;
  /** Segment files created (or reopened) by this writer. */
  segmentsCreated: number;
  /** write(2) calls. */
  writes: number;
  /** Batches written (one per group commit). */
  batches: number;
  fsyncs: number;
  fsyncSecondsTotal: number;
  fsyncSecondsMax: number;
  /** Writes that failed (each failing a batch). */
  writeFailures: number;
  /** Records that were logged but not written because their batch failed. */
  recordsFailed: number;
  /** Truncations back to the last good record after a failure. */
  truncations: number;
  /** Index of the segment being written. */
  currentSegment: number;
  /** Bytes in the current segment. */
  currentSegmentBytes: number;
}

/** A flush that failed; nothing of the failed batch is left in the current segment. */
export class WalWriteError extends Error {
  readonly code: string | undefined;
  override readonly cause: unknown;

  constructor(message: string, cause: unknown) {
    super(message);
    this.name = 'WalWriteError';
    this.cause = cause;
    this.code = (cause as NodeJS.ErrnoException | undefined)?.code;
  }
}

export interface WalOpenReport {
  /** Torn tail truncated on open, if any. */
  tornTail: TailDamage | null;
  /** The segment writing starts in. */
  segment: number;
}

const noop = (): void => {};
const MAX_RETAINED_BUFFER = 16 * 1024 * 1024;

export class WalWriter {
  readonly dir: string;
  readonly segmentSize: number;
  readonly stats: WalStats;
  /** What `open` found and repaired. */
  openReport: WalOpenReport = { tornTail: null, segment: 0 };

  private readonly ops: WalFileOps;
  private segment = 0;
  private fd: number | null = null;
  /** Bytes durably written (write completed) in the current segment. */
  private size = 0;
  /** Set when a rollback truncate failed: the current segment must be cut back to this before writing. */
  private truncateTo: number | null = null;

  private pending = new ByteBuffer(1024 * 1024);
  private pendingEnds: number[] = [];
  private spare = new ByteBuffer(1024 * 1024);
  private spareEnds: number[] = [];

  /** Tail of the serial chain of file operations (never rejects). */
  private chain: Promise<void> = Promise.resolve();
  /** The batch that will take the currently pending records, once scheduled. */
  private queued: Promise<void> | null = null;
  /** The most recently scheduled batch while unsettled. */
  private lastBatch: Promise<void> | null = null;
  /** Background fsync+close of cut segments. */
  private background = new Set<Promise<void>>();
  private backgroundError: unknown = null;
  private closing = false;
  private closed = false;

  private constructor(dir: string, options: WalWriterOptions) {
    const segmentSize = options.segmentSize ?? DEFAULT_SEGMENT_SIZE;
    if (!Number.isInteger(segmentSize) || segmentSize < MIN_SEGMENT_SIZE) {
      throw new RangeError(`WAL segment size must be an integer ≥ ${MIN_SEGMENT_SIZE}, got ${segmentSize}`);
    }
    this.dir = dir;
    this.segmentSize = segmentSize;
    this.ops = { ...nodeFileOps, ...options.fileOps };
    this.stats = {
      bytesWritten: 0,
      recordsWritten: 0,
      segmentsCreated: 0,
      writes: 0,
      batches: 0,
      fsyncs: 0,
      fsyncSecondsTotal: 0,
      fsyncSecondsMax: 0,
      writeFailures: 0,
      recordsFailed: 0,
      truncations: 0,
      currentSegment: 0,
      currentSegmentBytes: 0,
    };
  }

  /**
   * Opens the WAL in `dir` (created if missing) for appending. The last non-empty segment is checked
   * and a torn tail truncated (reported in `openReport`); writing then continues in a new segment after
   * the last one (or in the last one if it is empty), never below the newest checkpoint.
   */
  static async open(dir: string, options: WalWriterOptions = {}): Promise<WalWriter> {
    const w = new WalWriter(dir, options);
    await fs.promises.mkdir(dir, { recursive: true });
    const segments = await listSegments(dir);
    const checkpoints = await listCheckpoints(dir);
    let index = options.firstSegment ?? 0;
    let tornTail: TailDamage | null = null;
    if (segments.length > 0) {
      const sizes = await Promise.all(segments.map((s) => fs.promises.stat(path.join(dir, segmentName(s))).then((st) => st.size)));
      let last = segments.length - 1;
      while (last > 0 && sizes[last] === 0) last--;
      if (options.repairTail !== false && sizes[last] > 0) {
        const scan = await scanSegment(path.join(dir, segmentName(segments[last])), null);
        if (scan.damage !== null) {
          tornTail = await truncateTail(dir, segments[last], scan.damage.offset, scan.damage.reason);
          sizes[last] = scan.damage.offset;
        }
      }
      const top = segments.length - 1;
      index = sizes[top] === 0 ? segments[top] : segments[top] + 1;
    }
    if (checkpoints.length > 0) index = Math.max(index, checkpoints[checkpoints.length - 1] + 1);
    w.segment = index;
    await w.openSegment(index);
    await fsyncDir(dir);
    w.openReport = { tornTail, segment: index };
    return w;
  }

  /** Index of the segment currently written. */
  get currentSegment(): number {
    return this.segment;
  }

  /** Bytes queued by `log` and not yet handed to a write. */
  get pendingBytes(): number {
    return this.pending.length;
  }

  /**
   * Queues one record. The payload is copied (with its header and CRC) so the caller may reuse its
   * buffer immediately. Nothing reaches the file before `flush()`.
   */
  log(type: number, payload: Uint8Array): void {
    if (this.closing) throw new Error('WAL writer is closed');
    if (!Number.isInteger(type) || type < 1 || type > 255) throw new RangeError(`invalid WAL record type ${type}`);
    const len = payload.length;
    if (len > MAX_PAYLOAD) throw new RangeError(`WAL record of ${len} bytes exceeds the maximum of ${MAX_PAYLOAD}`);
    const b = this.pending;
    b.ensure(HEADER_SIZE + len);
    b.u8(type);
    b.u32le(len);
    b.u32le(zlib.crc32(payload));
    b.append(payload);
    this.pendingEnds.push(b.length);
  }

  /**
   * Writes every record logged before this call and resolves once the write has completed (the data is
   * in the OS page cache: it survives a process crash, not a power loss — use `sync()` for that).
   * Concurrent callers share batches. Rejects with a WalWriteError if the batch could not be written;
   * the records of a failed batch are dropped (none of them stays in the current segment; records of
   * that batch already written to an earlier segment before a segment cut stay) and later flushes may
   * succeed.
   */
  flush(): Promise<void> {
    if (this.pending.length === 0) return this.lastBatch ?? Promise.resolve();
    if (this.queued !== null) return this.queued;
    const p = this.enqueue(() => this.runBatch());
    this.queued = p;
    this.lastBatch = p;
    const settle = (): void => {
      if (this.lastBatch === p) this.lastBatch = null;
    };
    p.then(settle, settle);
    return p;
  }

  /** Flushes, then fsyncs the current segment (and waits for the fsync of segments cut before). */
  async sync(): Promise<void> {
    await this.flush();
    await this.enqueue(async () => {
      await this.awaitBackground();
      if (this.fd !== null) await this.timedFsync(this.fd);
    });
  }

  /**
   * Flushes and starts a new segment (if the current one holds anything). Returns the new segment's
   * index; every segment below it is complete, which is what `createCheckpoint` needs.
   */
  async cutSegment(): Promise<number> {
    await this.flush();
    await this.enqueue(async () => {
      if (this.size > 0) await this.cut();
    });
    return this.segment;
  }

  /** Deletes segments with index < min(n, current segment). Returns the deleted indexes. */
  async truncateSegmentsBefore(n: number): Promise<number[]> {
    return truncateSegmentsBefore(this.dir, Math.min(n, this.segment));
  }

  /** Flushes, fsyncs and closes. Further `log` calls throw. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    let error: unknown = null;
    try {
      await this.flush();
    } catch (err) {
      error = err;
    }
    await this.enqueue(async () => {
      try {
        await this.awaitBackground();
      } catch (err) {
        error ??= err;
      }
      const fd = this.fd;
      this.fd = null;
      if (fd !== null) {
        try {
          if (this.truncateTo !== null) await this.ops.ftruncate(fd, this.truncateTo);
          await this.timedFsync(fd);
        } catch (err) {
          error ??= err;
        }
        await this.ops.close(fd);
      }
    });
    this.closed = true;
    if (error !== null) throw error;
  }

  // -------------------------------------------------------------------------------------------------

  private enqueue(fn: () => Promise<void>): Promise<void> {
    const p = this.chain.then(fn);
    this.chain = p.then(noop, noop);
    return p;
  }

  private async runBatch(): Promise<void> {
    // From here on, newly logged records go to the next batch.
    this.queued = null;
    const batch = this.pending;
    const ends = this.pendingEnds;
    this.pending = this.spare;
    this.pendingEnds = this.spareEnds;
    try {
      if (batch.length > 0) await this.writeBatch(batch, ends);
    } finally {
      batch.reset();
      batch.shrink(MAX_RETAINED_BUFFER);
      ends.length = 0;
      this.spare = batch;
      this.spareEnds = ends;
    }
  }

  private async writeBatch(batch: ByteBuffer, ends: number[]): Promise<void> {
    this.stats.batches++;
    let off = 0;
    let i = 0;
    try {
      if (this.fd === null) await this.openSegment(this.segment);
      if (this.truncateTo !== null) {
        await this.ops.ftruncate(this.fd!, this.truncateTo);
        this.size = this.truncateTo;
        this.truncateTo = null;
        this.stats.truncations++;
      }
      while (i < ends.length) {
        // Take as many records as fit into the current segment.
        let chunkEnd = off;
        const first = i;
        while (i < ends.length) {
          const recEnd = ends[i];
          const fits = this.size + (recEnd - off) <= this.segmentSize;
          if (!fits && !(this.size === 0 && chunkEnd === off)) break;
          chunkEnd = recEnd;
          i++;
        }
        if (chunkEnd === off) {
          await this.cut();
          continue;
        }
        await this.writeChunk(batch.bytes, off, chunkEnd - off);
        this.stats.recordsWritten += i - first;
        off = chunkEnd;
      }
    } catch (err) {
      const failed = ends.length - countBefore(ends, off);
      this.stats.recordsFailed += failed;
      if (err instanceof WalWriteError) throw err;
      throw new WalWriteError(`WAL ${this.dir}: ${failed} records not written: ${(err as Error).message}`, err);
    }
  }

  private async writeChunk(bytes: Uint8Array, off: number, len: number): Promise<void> {
    const fd = this.fd!;
    const start = this.size;
    let done = 0;
    try {
      while (done < len) {
        this.stats.writes++;
        const n = await this.ops.write(fd, bytes, off + done, len - done, start + done);
        if (!(n > 0)) throw new Error(`write returned ${n}`);
        done += n;
      }
    } catch (err) {
      this.stats.writeFailures++;
      // Roll the segment back to the last record before this chunk so it never holds a partial record.
      try {
        await this.ops.ftruncate(fd, start);
        this.stats.truncations++;
      } catch {
        this.truncateTo = start;
      }
      const file = path.join(this.dir, segmentName(this.segment));
      const code = (err as NodeJS.ErrnoException).code;
      throw new WalWriteError(
        `WAL write to ${file} failed${code ? ` (${code})` : ''}: ${(err as Error).message}; rolled back to offset ${start}`,
        err,
      );
    }
    this.size = start + len;
    this.stats.bytesWritten += len;
    this.stats.currentSegmentBytes = this.size;
  }

  private async openSegment(index: number): Promise<void> {
    const file = path.join(this.dir, segmentName(index));
    const fd = await this.ops.open(file);
    let size: number;
    try {
      size = await this.ops.size(fd);
    } catch (err) {
      await this.ops.close(fd).catch(noop);
      throw err;
    }
    this.fd = fd;
    this.segment = index;
    this.size = size;
    this.truncateTo = null;
    this.stats.segmentsCreated++;
    this.stats.currentSegment = index;
    this.stats.currentSegmentBytes = size;
  }

  /** Closes the current segment (fsync + close in the background) and opens the next one. */
  private async cut(): Promise<void> {
    const oldFd = this.fd;
    const next = this.segment + 1;
    if (oldFd !== null) {
      this.fd = null;
      const bg = (async () => {
        await this.timedFsync(oldFd);
        await this.ops.close(oldFd);
      })();
      this.trackBackground(bg);
    }
    this.segment = next;
    this.size = 0;
    this.stats.currentSegment = next;
    this.stats.currentSegmentBytes = 0;
    await this.openSegment(next);
    this.trackBackground(fsyncDir(this.dir));
  }

  private trackBackground(p: Promise<void>): void {
    const tracked = p.then(noop, (err) => {
      this.backgroundError ??= err;
    });
    this.background.add(tracked);
    void tracked.then(() => this.background.delete(tracked));
  }

  private async awaitBackground(): Promise<void> {
    while (this.background.size > 0) await Promise.all(this.background);
    const err = this.backgroundError;
    if (err !== null) {
      this.backgroundError = null;
      throw new WalWriteError(`WAL ${this.dir}: closing a finished segment failed: ${(err as Error).message}`, err);
    }
  }

  private async timedFsync(fd: number): Promise<void> {
    const t0 = performance.now();
    await this.ops.fsync(fd);
    const s = (performance.now() - t0) / 1000;
    this.stats.fsyncs++;
    this.stats.fsyncSecondsTotal += s;
    if (s > this.stats.fsyncSecondsMax) this.stats.fsyncSecondsMax = s;
  }
}

function countBefore(ends: number[], off: number): number {
  let n = 0;
  while (n < ends.length && ends[n] <= off) n++;
  return n;
}

/** Deletes WAL segments in `dir` with index < n (after a checkpoint covering them). Returns the deleted indexes. */
export async function truncateSegmentsBefore(dir: string, n: number): Promise<number[]> {
  const deleted: number[] = [];
  for (const s of await listSegments(dir)) {
    if (s >= n) break;
    await fs.promises.rm(path.join(dir, segmentName(s)), { force: true });
    deleted.push(s);
  }
  if (deleted.length > 0) await fsyncDir(dir);
  return deleted;
}
