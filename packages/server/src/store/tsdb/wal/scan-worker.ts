/**
 * Read-ahead for replay: a worker thread reads WAL files and checks every record's CRC while the main
 * thread decodes and applies the records before them. On a large WAL, reading and CRC-32 are a good
 * part of a restart; on their own core they overlap with decoding instead of adding to it.
 *
 * The worker is given the files to read, in replay order, up front. It hands over buffers holding only
 * whole, CRC-checked records, and then, per file, the same result `scanSegment` returns (including the
 * first damage found, where it stops reading that file). The main thread still decides what damage
 * means (torn tail, corruption, error), exactly as with `scanSegment`. At most `maxBuffers` buffers
 * are in flight, so memory stays bounded however far the worker could run ahead.
 *
 * The worker's code is plain JavaScript evaluated from a string, so it runs the same whatever loads
 * the TypeScript sources of the main thread, and needs nothing but Node's built-in modules.
 */
import { Worker } from 'node:worker_threads';
import { HEADER_SIZE } from './format.ts';
import type { SegmentScan } from './reader.ts';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const zlib = require('node:zlib');
const { files, chunk, credits } = workerData;
const H = ${HEADER_SIZE};
const credit = new Int32Array(credits);

function takeCredit() {
  for (;;) {
    const have = Atomics.load(credit, 0);
    if (have < 0) return false; // Stop requested.
    if (have > 0 && Atomics.compareExchange(credit, 0, have, have - 1) === have) return true;
    if (have === 0) Atomics.wait(credit, 0, 0);
  }
}

function readFully(fd, buf, off, len, at) {
  let done = 0;
  while (done < len) {
    const n = fs.readSync(fd, buf, off + done, len - done, at + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

function scanFile(index) {
  const fd = fs.openSync(files[index], 'r');
  try {
    const size = fs.fstatSync(fd).size;
    let records = 0;
    // File offset of the first byte not yet read, and the bytes of an incomplete record before it.
    let readAt = 0;
    let carry = new Uint8Array(0);
    let need = 0;
    let shrunk = false;
    const end = (validEnd, damage) => parentPort.postMessage({ kind: 'end', index, size, validEnd, records, damage });
    if (size === 0) return end(0, null);
    for (;;) {
      const base = readAt - carry.length;
      if (readAt >= size || shrunk) {
        const reason = carry.length < H ? 'partial record header' : shrunk ? 'file shrank while reading' : 'partial record';
        return end(base, { offset: base, reason });
      }
      const readLen = Math.min(size - readAt, Math.max(chunk, need - carry.length));
      const buf = new Uint8Array(carry.length + readLen);
      buf.set(carry);
      const got = readFully(fd, buf, carry.length, readLen, readAt);
      readAt += got;
      if (got < readLen) shrunk = true;
      const limit = carry.length + got;
      let p = 0;
      let count = 0;
      let damage = null;
      need = 0;
      while (limit - p >= H) {
        const type = buf[p];
        const len = (buf[p + 1] | (buf[p + 2] << 8) | (buf[p + 3] << 16) | (buf[p + 4] << 24)) >>> 0;
        if (type === 0) { damage = 'zero record type (zero-filled or torn)'; break; }
        if (base + p + H + len > size) { damage = 'record of ' + len + ' bytes runs past the end of the file (' + size + ' bytes)'; break; }
        if (limit - p < H + len) { need = H + len; break; }
        const crc = (buf[p + 5] | (buf[p + 6] << 8) | (buf[p + 7] << 16) | (buf[p + 8] << 24)) >>> 0;
        if (zlib.crc32(buf.subarray(p + H, p + H + len)) !== crc) { damage = 'CRC mismatch'; break; }
        count++;
        p += H + len;
      }
      carry = damage === null ? buf.slice(p, limit) : carry;
      if (count > 0) {
        if (!takeCredit()) return;
        records += count;
        parentPort.postMessage({ kind: 'records', index, base, bytes: buf.buffer, end: p, count }, [buf.buffer]);
      }
      if (damage !== null) return end(base + p, { offset: base + p, reason: damage });
      if (base + p === size) return end(size, null);
    }
  } finally {
    fs.closeSync(fd);
  }
}

try {
  for (let i = 0; i < files.length; i++) {
    if (Atomics.load(credit, 0) < 0) break;
    scanFile(i);
  }
} catch (error) {
  parentPort.postMessage({ kind: 'error', message: error && error.message ? error.message : String(error), code: error && error.code });
}
`;

type WorkerMessage =
  | { kind: 'records'; index: number; base: number; bytes: ArrayBuffer; end: number; count: number }
  | { kind: 'end'; index: number; size: number; validEnd: number; records: number; damage: { offset: number; reason: string } | null }
  | { kind: 'error'; message: string; code?: string };

export interface ScanWorkerOptions {
  /** Bytes read per step; default 8 MiB. */
  chunk?: number;
  /** Buffers handed over but not yet consumed, at most; default 4. */
  maxBuffers?: number;
}

/**
 * Scans a fixed list of files on a worker thread. Call `scan` for each file in the order given, then
 * `close` (always, also after an error: it stops the worker).
 */
export class ScanWorker {
  private readonly worker: Worker;
  private readonly credit: Int32Array;
  private readonly queue: WorkerMessage[] = [];
  private wake: (() => void) | null = null;
  private failure: Error | null = null;
  private next = 0;
  private closed = false;
  /** Set once the last file's result has arrived (the worker then exits by itself). */
  private finished = false;

  constructor(
    private readonly files: readonly string[],
    options: ScanWorkerOptions = {},
  ) {
    const credits = new SharedArrayBuffer(4);
    this.credit = new Int32Array(credits);
    this.credit[0] = Math.max(1, options.maxBuffers ?? 4);
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { files, chunk: Math.max(64, options.chunk ?? 8 * 1024 * 1024), credits },
      // The worker reads files and nothing else; it needs no loaders or flags of the main thread.
      execArgv: [],
    });
    this.worker.on('message', (message: WorkerMessage) => this.push(message));
    this.worker.on('error', (error: Error) => {
      this.failure = error;
      this.wakeUp();
    });
    this.worker.on('exit', () => {
      if (!this.closed && !this.finished && this.failure === null) this.failure = new Error('WAL read-ahead worker exited early');
      this.wakeUp();
    });
  }

  private push(message: WorkerMessage): void {
    if (message.kind === 'end' && message.index === this.files.length - 1) this.finished = true;
    this.queue.push(message);
    this.wakeUp();
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private async take(): Promise<WorkerMessage> {
    for (;;) {
      const message = this.queue.shift();
      if (message !== undefined) return message;
      if (this.failure !== null) throw this.failure;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /**
   * Like `scanSegment` for the next file of the list (which must be `file`): `onRecord` per good record
   * in order, and the same SegmentScan result. Errors thrown by `onRecord` propagate.
   */
  async scan(file: string, onRecord: ((type: number, payload: Uint8Array, offset: number) => void) | null): Promise<SegmentScan> {
    const index = this.next++;
    if (this.files[index] !== file) throw new Error(`WAL read-ahead: expected ${this.files[index] ?? 'no more files'}, asked for ${file}`);
    for (;;) {
      const message = await this.take();
      if (message.kind === 'error') {
        const error = new Error(message.message) as NodeJS.ErrnoException;
        if (message.code !== undefined) error.code = message.code;
        throw error;
      }
      if (message.index !== index) throw new Error(`WAL read-ahead: message for file ${message.index} while reading file ${index}`);
      if (message.kind === 'end') {
        return { size: message.size, validEnd: message.validEnd, records: message.records, damage: message.damage };
      }
      // The buffer is ours now: hand the worker a new credit right away so it reads on while we decode.
      Atomics.add(this.credit, 0, 1);
      Atomics.notify(this.credit, 0);
      if (onRecord === null) continue;
      const bytes = new Uint8Array(message.bytes);
      for (let p = 0; p < message.end; ) {
        const len = (bytes[p + 1] | (bytes[p + 2] << 8) | (bytes[p + 3] << 16) | (bytes[p + 4] << 24)) >>> 0;
        onRecord(bytes[p], bytes.subarray(p + HEADER_SIZE, p + HEADER_SIZE + len), message.base + p);
        p += HEADER_SIZE + len;
      }
    }
  }

  /** Stops the worker (it may still be reading ahead) and waits until it has exited. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.credit, 0, -1);
    Atomics.notify(this.credit, 0);
    await this.worker.terminate();
  }
}
