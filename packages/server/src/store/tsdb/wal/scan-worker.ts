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
import { HEADER_SIZE, RecordType } from './format.ts';
import type { SegmentScan } from './reader.ts';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const zlib = require('node:zlib');
const { files, chunk, credits, slots: slotBuffers, covered: coveredBuffer } = workerData;
const H = ${HEADER_SIZE};
const SAMPLES = ${RecordType.Samples};
// [0]: buffers the worker may still hand over (-1: stop); [1 + k]: 1 while slot k is free.
const credit = new Int32Array(credits);
const slots = slotBuffers.map((b) => new Uint8Array(b));
const covered = coveredBuffer === null ? null : new Float64Array(coveredBuffer);

// True when buf[start, end) is a well-formed Samples payload whose every sample has t <= covered[ref].
// Anything unusual (malformed, too long a varint) answers false: the main thread then decodes the
// record itself and reports what is wrong with it.
function allCovered(buf, start, end) {
  let p = start;
  // Unsigned LEB128 at p, at most 8 bytes (values stay below 2^53); -1 when malformed or too long.
  function uvarint() {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8 && p < end; i++) {
      const byte = buf[p++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    return -1;
  }
  const n = uvarint();
  if (n <= 0) return false;
  let ref = uvarint();
  const zt = uvarint();
  if (ref < 0 || zt < 0) return false;
  const baseT = zt % 2 === 0 ? zt / 2 : -(zt + 1) / 2;
  const limit = covered.length;
  for (let i = 0; i < n; i++) {
    // Zigzag varints; one byte each in the common case (ascending refs, one timestamp per record).
    let z = buf[p];
    if (z < 0x80 && p < end) p++;
    else if ((z = uvarint()) < 0) return false;
    ref += z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    z = buf[p];
    if (z < 0x80 && p < end) p++;
    else if ((z = uvarint()) < 0) return false;
    const t = baseT + (z % 2 === 0 ? z / 2 : -(z + 1) / 2);
    if (p + 8 > end || !(ref >= 0 && ref < limit && t <= covered[ref])) return false;
    p += 8;
  }
  return p === end;
}

function takeCredit() {
  for (;;) {
    const have = Atomics.load(credit, 0);
    if (have < 0) return false; // Stop requested.
    if (have > 0 && Atomics.compareExchange(credit, 0, have, have - 1) === have) return true;
    if (have === 0) Atomics.wait(credit, 0, 0);
  }
}

function takeSlot() {
  for (let k = 0; k < slots.length; k++) {
    if (Atomics.load(credit, 1 + k) === 1) {
      Atomics.store(credit, 1 + k, 0);
      return k;
    }
  }
  throw new Error('no free read buffer although one was granted');
}

function releaseSlot(k) {
  Atomics.store(credit, 1 + k, 1);
  Atomics.add(credit, 0, 1);
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
      // Shared buffers, reused, so a replay of gigabytes allocates (and collects) almost nothing; a
      // record too large for them gets a buffer of its own, handed over.
      if (!takeCredit()) return;
      const slot = carry.length + readLen <= slots[0].length ? takeSlot() : -1;
      const buf = slot >= 0 ? slots[slot] : new Uint8Array(carry.length + readLen);
      buf.set(carry);
      const got = readFully(fd, buf, carry.length, readLen, readAt);
      readAt += got;
      if (got < readLen) shrunk = true;
      const limit = carry.length + got;
      let p = 0;
      let count = 0;
      let damage = null;
      const skipped = [];
      need = 0;
      while (limit - p >= H) {
        const type = buf[p];
        const len = (buf[p + 1] | (buf[p + 2] << 8) | (buf[p + 3] << 16) | (buf[p + 4] << 24)) >>> 0;
        if (type === 0) { damage = 'zero record type (zero-filled or torn)'; break; }
        if (base + p + H + len > size) { damage = 'record of ' + len + ' bytes runs past the end of the file (' + size + ' bytes)'; break; }
        if (limit - p < H + len) { need = H + len; break; }
        const crc = (buf[p + 5] | (buf[p + 6] << 8) | (buf[p + 7] << 16) | (buf[p + 8] << 24)) >>> 0;
        if (zlib.crc32(buf.subarray(p + H, p + H + len)) !== crc) { damage = 'CRC mismatch'; break; }
        if (covered !== null && type === SAMPLES && allCovered(buf, p + H, p + H + len)) skipped.push(p);
        count++;
        p += H + len;
      }
      carry = damage === null ? buf.slice(p, limit) : carry;
      if (count > 0) {
        records += count;
        if (slot >= 0) parentPort.postMessage({ kind: 'records', index, base, slot, bytes: null, end: p, count, skipped });
        else parentPort.postMessage({ kind: 'records', index, base, slot, bytes: buf.buffer, end: p, count, skipped }, [buf.buffer]);
      } else if (slot >= 0) {
        releaseSlot(slot);
      } else {
        Atomics.add(credit, 0, 1);
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
  | { kind: 'records'; index: number; base: number; slot: number; bytes: ArrayBuffer | null; end: number; count: number; skipped: number[] }
  | { kind: 'end'; index: number; size: number; validEnd: number; records: number; damage: { offset: number; reason: string } | null }
  | { kind: 'error'; message: string; code?: string };

export interface ScanWorkerOptions {
  /** Bytes read per step; default 8 MiB. */
  chunk?: number;
  /** Buffers handed over but not yet consumed, at most; default 4. */
  maxBuffers?: number;
  /** See ReplayOptions.coveredSamples. */
  coveredSamples?: CoveredSamples;
}

/**
 * Samples records to leave out: a record all of whose samples have `t <= newest[ref]` is not handed to
 * the visitor but to `onCovered` (replay: every sample is already in a chunk restored from disk, so
 * decoding the record on the main thread would only drop its samples one by one). The worker checks
 * against a copy of `newest` taken when it starts.
 */
export interface CoveredSamples {
  newest: Float64Array;
  onCovered: (payload: Uint8Array) => void;
}

/**
 * Scans a fixed list of files on a worker thread. Call `scan` for each file in the order given, then
 * `close` (always, also after an error: it stops the worker).
 */
export class ScanWorker {
  private readonly worker: Worker;
  private readonly credit: Int32Array;
  private readonly slots: Uint8Array[];
  private readonly queue: WorkerMessage[] = [];
  private wake: (() => void) | null = null;
  private failure: Error | null = null;
  private next = 0;
  private closed = false;
  private readonly onCovered: ((payload: Uint8Array) => void) | null = null;
  /** Set once the last file's result has arrived (the worker then exits by itself). */
  private finished = false;

  constructor(
    private readonly files: readonly string[],
    options: ScanWorkerOptions = {},
  ) {
    const buffers = Math.max(1, options.maxBuffers ?? 4);
    const chunk = Math.max(64, options.chunk ?? 8 * 1024 * 1024);
    const credits = new SharedArrayBuffer(4 * (1 + buffers));
    this.credit = new Int32Array(credits);
    this.credit.fill(1);
    this.credit[0] = buffers;
    // Room for a chunk plus the start of a record carried over from the chunk before.
    const slots = Array.from({ length: buffers }, () => new SharedArrayBuffer(chunk + Math.min(chunk, 1024 * 1024)));
    this.slots = slots.map((b) => new Uint8Array(b));
    let covered: SharedArrayBuffer | null = null;
    if (options.coveredSamples !== undefined) {
      covered = new SharedArrayBuffer(options.coveredSamples.newest.byteLength);
      new Float64Array(covered).set(options.coveredSamples.newest);
      this.onCovered = options.coveredSamples.onCovered;
    }
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { files, chunk, credits, slots, covered },
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
      try {
        if (onRecord === null) continue;
        const bytes = message.slot >= 0 ? this.slots[message.slot] : new Uint8Array(message.bytes as ArrayBuffer);
        const skipped = message.skipped;
        let nextSkipped = 0;
        for (let p = 0; p < message.end; ) {
          const len = (bytes[p + 1] | (bytes[p + 2] << 8) | (bytes[p + 3] << 16) | (bytes[p + 4] << 24)) >>> 0;
          const payload = bytes.subarray(p + HEADER_SIZE, p + HEADER_SIZE + len);
          if (nextSkipped < skipped.length && skipped[nextSkipped] === p) {
            nextSkipped++;
            this.onCovered?.(payload);
          } else {
            onRecord(bytes[p], payload, message.base + p);
          }
          p += HEADER_SIZE + len;
        }
      } finally {
        // The buffer goes back to the worker only now: payloads are views of it.
        if (message.slot >= 0) Atomics.store(this.credit, 1 + message.slot, 1);
        Atomics.add(this.credit, 0, 1);
        Atomics.notify(this.credit, 0);
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
