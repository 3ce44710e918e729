/**
 * A growable byte buffer with the varint primitives the WAL records use. One instance is meant to be
 * reused for many records: `reset()` keeps the allocation.
 *
 * Integers are JS numbers and must be safe integers (|n| ≤ 2^53 - 1). Unsigned varints are LEB128;
 * signed varints are zigzag LEB128 (0, -1, 1, -2, … → 0, 1, 2, 3, …), computed without ever forming the
 * 54-bit zigzag value so every safe integer round-trips.
 */

const TWO_POW_28 = 0x1000_0000;
const textEncoder = new TextEncoder();

export class ByteBuffer {
  bytes: Uint8Array;
  /** Number of bytes written. */
  length = 0;
  private f64 = new Float64Array(1);
  private f64Bytes = new Uint8Array(this.f64.buffer);

  constructor(initialCapacity = 4096) {
    this.bytes = new Uint8Array(Math.max(16, initialCapacity));
  }

  reset(): void {
    this.length = 0;
  }

  /** Drops the allocation if it grew beyond `maxRetained` bytes (after one huge record). */
  shrink(maxRetained: number): void {
    if (this.bytes.length > maxRetained && this.length <= maxRetained) {
      const next = new Uint8Array(Math.max(16, maxRetained));
      next.set(this.bytes.subarray(0, this.length));
      this.bytes = next;
    }
  }

  /** The written bytes, as a view (valid until the next write or reset). */
  view(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }

  ensure(extra: number): void {
    const need = this.length + extra;
    if (need <= this.bytes.length) return;
    let cap = this.bytes.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.bytes[this.length++] = v;
  }

  u32le(v: number): void {
    this.ensure(4);
    const b = this.bytes;
    let p = this.length;
    b[p++] = v & 0xff;
    b[p++] = (v >>> 8) & 0xff;
    b[p++] = (v >>> 16) & 0xff;
    b[p++] = (v >>> 24) & 0xff;
    this.length = p;
  }

  /** Unsigned LEB128 of a non-negative safe integer. */
  uvarint(v: number): void {
    this.ensure(10);
    const b = this.bytes;
    let p = this.length;
    if (v < TWO_POW_28) {
      while (v >= 0x80) {
        b[p++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      b[p++] = v;
    } else {
      while (v >= 0x80) {
        b[p++] = (v % 0x80) | 0x80;
        v = Math.floor(v / 0x80);
      }
      b[p++] = v;
    }
    this.length = p;
  }

  /** Zigzag LEB128 of a safe integer. */
  varint(v: number): void {
    this.ensure(10);
    const b = this.bytes;
    let p = this.length;
    // m is the magnitude part: zigzag(v) = 2m + sign.
    let sign = 0;
    let m = v;
    if (v < 0) {
      sign = 1;
      m = -v - 1;
    }
    if (m < 0x40) {
      b[p++] = (m << 1) | sign;
      this.length = p;
      return;
    }
    const low6 = m < TWO_POW_28 ? m & 0x3f : m % 0x40;
    b[p++] = 0x80 | (low6 << 1) | sign;
    let rest = m < TWO_POW_28 ? m >>> 6 : Math.floor(m / 0x40);
    if (rest < TWO_POW_28) {
      while (rest >= 0x80) {
        b[p++] = (rest & 0x7f) | 0x80;
        rest >>>= 7;
      }
    } else {
      while (rest >= 0x80) {
        b[p++] = (rest % 0x80) | 0x80;
        rest = Math.floor(rest / 0x80);
      }
    }
    b[p++] = rest;
    this.length = p;
  }

  /** IEEE-754 double, little endian, bit-exact (NaN payloads are copied, never computed). */
  f64le(v: number): void {
    this.ensure(8);
    this.f64[0] = v;
    const s = this.f64Bytes;
    const b = this.bytes;
    const p = this.length;
    b[p] = s[0];
    b[p + 1] = s[1];
    b[p + 2] = s[2];
    b[p + 3] = s[3];
    b[p + 4] = s[4];
    b[p + 5] = s[5];
    b[p + 6] = s[6];
    b[p + 7] = s[7];
    this.length = p + 8;
  }

  /** Copies 8 raw bytes (a double's bit pattern, little endian) from `src` at `offset`. */
  raw8(src: Uint8Array, offset: number): void {
    this.ensure(8);
    const b = this.bytes;
    const p = this.length;
    b[p] = src[offset];
    b[p + 1] = src[offset + 1];
    b[p + 2] = src[offset + 2];
    b[p + 3] = src[offset + 3];
    b[p + 4] = src[offset + 4];
    b[p + 5] = src[offset + 5];
    b[p + 6] = src[offset + 6];
    b[p + 7] = src[offset + 7];
    this.length = p + 8;
  }

  /** A string as uvarint byte length + UTF-8 bytes. */
  string(s: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    const max = s.length * 3;
    this.ensure(max + 10);
    // Reserve the length prefix optimistically when the string is short enough for a 1-byte length.
    if (max < 0x80) {
      const start = this.length + 1;
      const { written } = textEncoder.encodeInto(s, this.bytes.subarray(start));
      this.bytes[this.length] = written;
      this.length = start + written;
      return;
    }
    const encoded = textEncoder.encode(s);
    this.uvarint(encoded.length);
    this.bytes.set(encoded, this.length);
    this.length += encoded.length;
  }

  append(src: Uint8Array): void {
    this.ensure(src.length);
    this.bytes.set(src, this.length);
    this.length += src.length;
  }
}
