import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

/**
 * Completed head chunks on disk (`chunks_head/<window>`), so a restart loads them in bulk instead of
 * re-encoding every WAL sample. One file per block window: chunks never straddle a window boundary,
 * so a window's file is deleted whole once the head has been truncated past it. Files are written
 * with plain buffered appends and never fsynced: anything lost in a crash is still in the WAL, and a
 * torn last record is detected by its CRC and cut off.
 *
 * Record: u32 LE ref | f64 LE minTime | f64 LE maxTime | f64 LE last value (raw bits) |
 *         u32 LE length | chunk bytes (XOR) | u32 LE CRC-32 of everything before it in the record.
 */
const RECORD_OVERHEAD = 4 + 8 + 8 + 8 + 4 + 4;
const FLUSH_BYTES = 1 << 20;

/** One chunk read back from a file: its bytes are `data[offset, offset + length)`. */
export type RestoredChunkVisitor = (ref: number, minTime: number, maxTime: number, lastValue: number, data: Uint8Array, offset: number, length: number) => void;

export interface HeadChunksLoadReport {
  files: number;
  chunks: number;
  /** Bytes cut from torn or corrupt file tails. */
  droppedBytes: number;
}

export class HeadChunkFiles {
  private readonly open = new Map<number, { fd: number; buffer: Uint8Array; used: number; size: number }>();
  private readonly header = new Uint8Array(RECORD_OVERHEAD - 4);
  private readonly headerView = new DataView(this.header.buffer);
  private readonly f64 = new Float64Array(1);
  private readonly f64Bytes = new Uint8Array(this.f64.buffer);
  private failed = false;
  bytesWritten = 0;

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /**
   * Reads every file, cutting torn tails, and hands each chunk to `onChunk` (file by file, in write
   * order). The chunk's bytes are `data[offset, offset + length)`, `data` being the whole file's
   * buffer (positional arguments rather than an object and a view per chunk: a restart restores
   * millions of chunks).
   */
  static load(dir: string, onChunk: RestoredChunkVisitor): HeadChunksLoadReport {
    const report: HeadChunksLoadReport = { files: 0, chunks: 0, droppedBytes: 0 };
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return report;
    }
    const f64 = new Float64Array(1);
    const f64Bytes = new Uint8Array(f64.buffer);
    for (const name of names.filter((n) => /^-?\d+$/.test(n)).sort((a, b) => Number(a) - Number(b))) {
      const path = join(dir, name);
      const file = readFileSync(path);
      const data = new Uint8Array(file.buffer, file.byteOffset, file.byteLength);
      const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
      report.files++;
      let p = 0;
      while (p + RECORD_OVERHEAD <= data.length) {
        const length = view.getUint32(p + 28, true);
        const end = p + RECORD_OVERHEAD + length;
        if (end > data.length) break;
        if ((crc32(data.subarray(p, end - 4)) >>> 0) !== view.getUint32(end - 4, true)) break;
        // Byte copy, so NaN payloads (the stale marker) survive exactly.
        for (let k = 0; k < 8; k++) f64Bytes[k] = data[p + 20 + k];
        onChunk(view.getUint32(p, true), view.getFloat64(p + 4, true), view.getFloat64(p + 12, true), f64[0], data, p + 32, length);
        report.chunks++;
        p = end;
      }
      if (p < data.length) {
        report.droppedBytes += data.length - p;
        truncateSync(path, p);
      }
    }
    return report;
  }

  /** Appends a completed chunk of series `ref` in block window `window`. */
  append(window: number, ref: number, minTime: number, maxTime: number, lastValue: number, bytes: Uint8Array): void {
    if (this.failed) return;
    let file = this.open.get(window);
    try {
      if (file === undefined) {
        const path = join(this.dir, String(window));
        const fd = openSync(path, 'a');
        file = { fd, buffer: new Uint8Array(FLUSH_BYTES + 4096), used: 0, size: statSync(path).size };
        this.open.set(window, file);
      }
      const need = RECORD_OVERHEAD + bytes.length;
      if (file.used + need > file.buffer.length) this.flushFile(file);
      if (need > file.buffer.length) file.buffer = new Uint8Array(need);
      const h = this.headerView;
      h.setUint32(0, ref, true);
      h.setFloat64(4, minTime, true);
      h.setFloat64(12, maxTime, true);
      this.f64[0] = lastValue;
      this.header.set(this.f64Bytes, 20);
      h.setUint32(28, bytes.length, true);
      const start = file.used;
      file.buffer.set(this.header, start);
      file.buffer.set(bytes, start + this.header.length);
      const crcEnd = start + this.header.length + bytes.length;
      const crc = crc32(file.buffer.subarray(start, crcEnd)) >>> 0;
      new DataView(file.buffer.buffer).setUint32(crcEnd, crc, true);
      file.used = crcEnd + 4;
      if (file.used >= FLUSH_BYTES) this.flushFile(file);
    } catch {
      // The WAL still has every sample: losing head chunk files only makes the next restart slower.
      this.failed = true;
    }
  }

  private flushFile(file: { fd: number; buffer: Uint8Array; used: number; size: number }): void {
    if (file.used === 0) return;
    let off = 0;
    while (off < file.used) off += writeSync(file.fd, file.buffer, off, file.used - off);
    file.size += file.used;
    this.bytesWritten += file.used;
    file.used = 0;
  }

  flush(): void {
    if (this.failed) return;
    try {
      for (const file of this.open.values()) this.flushFile(file);
    } catch {
      this.failed = true;
    }
  }

  /** Deletes the files of every window that ends at or before `mint`. */
  truncateBefore(mint: number, windowSize: number): void {
    for (const [window, file] of this.open) {
      if (window + windowSize <= mint) {
        closeSync(file.fd);
        this.open.delete(window);
      }
    }
    let names: string[] = [];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    for (const name of names) {
      if (/^-?\d+$/.test(name) && Number(name) + windowSize <= mint) rmSync(join(this.dir, name), { force: true });
    }
  }

  close(): void {
    this.flush();
    for (const file of this.open.values()) {
      try {
        fsyncSync(file.fd);
      } catch {
        // Best effort: the WAL is the durable copy.
      }
      closeSync(file.fd);
    }
    this.open.clear();
  }
}
