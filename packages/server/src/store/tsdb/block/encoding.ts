import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';

/** A block file failed validation. The message names the file and the byte offset. */
export class CorruptBlockError extends Error {
  readonly file: string;
  readonly offset: number;
  constructor(file: string, offset: number, reason: string) {
    super(`corrupt block file ${file} at offset ${offset}: ${reason}`);
    this.name = 'CorruptBlockError';
    this.file = file;
    this.offset = offset;
  }
}

const TWO_31 = 2147483648;
const TWO_32 = 4294967296;

export function zigzag(x: number): number {
  return x >= 0 ? x * 2 : -x * 2 - 1;
}
export function unzigzag(x: number): number {
  return x % 2 === 0 ? x / 2 : -(x + 1) / 2;
}

/** Bytes of the unsigned LEB128 encoding of x (a non-negative integer below 2^53). */
export function uvarintSize(x: number): number {
  let n = 1;
  while (x >= 128) {
    x = Math.floor(x / 128);
    n++;
  }
  return n;
}

/** Writes a uvarint into buf at pos; returns the new position. The caller ensures room (≤ 8 bytes). */
export function putUvarint(buf: Uint8Array, pos: number, x: number): number {
  while (x >= 128) {
    buf[pos++] = (x & 127) | 128;
    x = x >= TWO_31 ? Math.floor(x / 128) : x >>> 7;
  }
  buf[pos++] = x;
  return pos;
}

export function putU32(buf: Uint8Array, pos: number, x: number): number {
  buf[pos] = x >>> 24;
  buf[pos + 1] = (x >>> 16) & 255;
  buf[pos + 2] = (x >>> 8) & 255;
  buf[pos + 3] = x & 255;
  return pos + 4;
}

export function putU64(buf: Uint8Array, pos: number, x: number): number {
  const hi = Math.floor(x / TWO_32);
  putU32(buf, pos, hi);
  return putU32(buf, pos + 4, x - hi * TWO_32);
}

export function getU32(buf: Uint8Array, pos: number): number {
  return ((buf[pos] << 24) | (buf[pos + 1] << 16) | (buf[pos + 2] << 8) | buf[pos + 3]) >>> 0;
}

export function getU64(buf: Uint8Array, pos: number): number {
  return getU32(buf, pos) * TWO_32 + getU32(buf, pos + 4);
}

/** A bounds-checked cursor over a byte range; errors carry the file name and absolute offset. */
export class ByteReader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start: number,
    readonly end: number,
    readonly file: string,
    /** Added to positions in error messages (the range's offset in the file). */
    readonly fileOffset = 0,
  ) {
    this.pos = start;
  }

  fail(reason: string, at = this.pos): never {
    throw new CorruptBlockError(this.file, at + this.fileOffset, reason);
  }

  uvarint(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos >= this.end) this.fail('unexpected end of data');
    let b = buf[pos++];
    if (b < 128) {
      this.pos = pos;
      return b;
    }
    let x = b & 127;
    let mul = 128;
    for (let k = 1; k < 8; k++) {
      if (pos >= this.end) this.fail('unexpected end of data in varint');
      b = buf[pos++];
      x += (b & 127) * mul;
      if (b < 128) {
        this.pos = pos;
        return x;
      }
      mul *= 128;
    }
    return this.fail('varint too long');
  }

  varint(): number {
    return unzigzag(this.uvarint());
  }

  u8(): number {
    if (this.pos >= this.end) this.fail('unexpected end of data');
    return this.buf[this.pos++];
  }

  u32(): number {
    if (this.pos + 4 > this.end) this.fail('unexpected end of data');
    const x = getU32(this.buf, this.pos);
    this.pos += 4;
    return x;
  }

  u64(): number {
    if (this.pos + 8 > this.end) this.fail('unexpected end of data');
    const x = getU64(this.buf, this.pos);
    this.pos += 8;
    return x;
  }

  string(): string {
    const at = this.pos;
    const n = this.uvarint();
    if (this.pos + n > this.end) this.fail(`string of ${n} bytes runs past the end`, at);
    const s = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.pos, n).toString('utf8');
    this.pos += n;
    return s;
  }
}

/** CRC-32 (IEEE, as zlib) of buf[start, end). */
export function crcOf(buf: Uint8Array, start: number, end: number, init = 0): number {
  return crc32(buf.subarray(start, end), init) >>> 0;
}

/**
 * An append-only file written through one in-memory buffer with async flushes. Tracks the absolute
 * offset, computes a running CRC over marked regions and can patch u32 fields already written.
 */
export class BufferedFile {
  buf: Uint8Array;
  /** Bytes buffered (not yet flushed). */
  pos = 0;
  /** Bytes already written to the file. */
  flushed = 0;
  private fh: FileHandle | null = null;
  private crcOn = false;
  private crcFrom = 0;
  private crc = 0;
  private readonly patches: { at: number; value: number }[] = [];

  constructor(
    readonly path: string,
    private readonly flushAt = 4 << 20,
  ) {
    this.buf = new Uint8Array(flushAt + (64 << 10));
  }

  /** Absolute offset of the next byte. */
  get offset(): number {
    return this.flushed + this.pos;
  }

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  u8(x: number): void {
    this.ensure(1);
    this.buf[this.pos++] = x;
  }
  u32(x: number): void {
    this.ensure(4);
    this.pos = putU32(this.buf, this.pos, x);
  }
  u64(x: number): void {
    this.ensure(8);
    this.pos = putU64(this.buf, this.pos, x);
  }
  uvarint(x: number): void {
    this.ensure(10);
    this.pos = putUvarint(this.buf, this.pos, x);
  }
  varint(x: number): void {
    this.uvarint(zigzag(x));
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  string(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.uvarint(n);
    this.ensure(n);
    Buffer.from(this.buf.buffer, this.buf.byteOffset, this.buf.length).write(s, this.pos, n, 'utf8');
    this.pos += n;
  }

  beginCrc(): void {
    this.crcOn = true;
    this.crcFrom = this.pos;
    this.crc = 0;
  }
  /** Stops the CRC region and returns its CRC-32. */
  endCrc(): number {
    this.crc = crcOf(this.buf, this.crcFrom, this.pos, this.crc);
    this.crcOn = false;
    return this.crc;
  }

  /** Overwrites the u32 at absolute offset `at` (now if still buffered, else at close). */
  patchU32(at: number, value: number): void {
    if (at >= this.flushed) putU32(this.buf, at - this.flushed, value);
    else this.patches.push({ at, value });
  }

  async maybeFlush(): Promise<void> {
    if (this.pos >= this.flushAt) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.crcOn) {
      this.crc = crcOf(this.buf, this.crcFrom, this.pos, this.crc);
      this.crcFrom = 0;
    }
    if (this.fh === null) this.fh = await open(this.path, 'w');
    let done = 0;
    while (done < this.pos) {
      const { bytesWritten } = await this.fh.write(this.buf, done, this.pos - done, this.flushed + done);
      done += bytesWritten;
    }
    this.flushed += this.pos;
    this.pos = 0;
  }

  /** Flushes, applies patches, fsyncs and closes. */
  async close(): Promise<void> {
    await this.flush();
    const fh = this.fh as FileHandle;
    for (const p of this.patches) {
      const b = new Uint8Array(4);
      putU32(b, 0, p.value);
      await fh.write(b, 0, 4, p.at);
    }
    await fh.sync();
    await fh.close();
    this.fh = null;
  }

  /** Closes without syncing (error paths). */
  async abort(): Promise<void> {
    if (this.fh !== null) await this.fh.close().catch(() => undefined);
    this.fh = null;
  }
}

/** fsyncs a directory (best effort where the platform does not support it). */
export async function syncDir(dir: string): Promise<void> {
  let fh: FileHandle | null = null;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw error;
  } finally {
    await fh?.close();
  }
}
