import type { SampleIterator } from '../../types.ts';

/**
 * The decimal chunk: Vigil's block encoding for series whose values are decimals with few digits
 * (counters, byte gauges, CPU seconds with two decimals — most of what exporters expose). Each value
 * v is stored as the integer n = v·10^scale; integers are stored as differences (or differences of
 * differences, whichever is smaller for the chunk), divided by their greatest common divisor, in
 * variable-width bit buckets; timestamps as delta-of-delta in finer buckets than XOR's, so scrape
 * jitter of a few milliseconds costs 6 bits instead of 16. See docs/formats/chunks.md.
 *
 *   u16 BE count | u8 flags (bits 0–3 scale, bit 4 value mode: 0 delta, 1 delta-of-delta, bit 5 tail elided)
 *   | uvarint gcd | zigzag varint t0 | zigzag varint n0 | bit stream of (timestamp dod, value code)…
 *
 * Only chunks whose every value round-trips exactly through n/10^scale are encoded this way (no NaN,
 * no infinities, no -0); anything else stays XOR.
 *
 * Trailing zero bytes of the bit stream are left out (flag bit 5): a reader takes the bits after the
 * last byte as zeros. A series that ends a chunk steady — constant, or a counter rising at a steady
 * rate, scraped on time — codes each sample as two 0 bits, and most exporter series are constant, so
 * a constant 120-sample chunk scraped every 15 s takes 14 bytes instead of 44.
 */

export const DECIMAL_HEADER_BYTES = 3;
const MAX_SCALE = 12;
/** Flags bit 5: the bit stream's trailing zero bytes were left out (see above). */
const ELIDED_TAIL = 0x20;
/** Largest magnitude of any stored integer, difference or delta-of-delta; keeps arithmetic exact. */
const LIMIT = 2 ** 51;
const POW10 = Array.from({ length: MAX_SCALE + 1 }, (_, i) => 10 ** i);
const TWO_32 = 4294967296;

/** The smallest scale at which every value is an exact decimal, or -1. */
function findScale(values: Float64Array, start: number, count: number): number {
  let scale = 0;
  for (let i = start; i < start + count; i++) {
    const v = values[i];
    if (!Number.isFinite(v) || Object.is(v, -0)) return -1;
    while (scale <= MAX_SCALE) {
      const n = Math.round(v * POW10[scale]);
      if (Math.abs(n) < LIMIT && n / POW10[scale] === v) break;
      scale++;
    }
    if (scale > MAX_SCALE) return -1;
  }
  return scale;
}

function gcd(a: number, b: number): number {
  while (b !== 0) {
    const r = a % b;
    a = b;
    b = r;
  }
  return a;
}

/** Bits the bucket code of x takes. */
function codeBits(x: number): number {
  if (x === 0) return 1;
  if (x >= -8 && x < 8) return 6;
  if (x >= -128 && x < 128) return 11;
  if (x >= -32768 && x < 32768) return 20;
  if (x >= -2147483648 && x < 2147483648) return 37;
  return 58;
}

class BitWriter {
  bytes: Uint8Array;
  bit: number;

  constructor(capacity: number, startByte: number) {
    this.bytes = new Uint8Array(capacity);
    this.bit = startByte * 8;
  }

  ensure(bits: number): void {
    const needed = ((this.bit + bits) >>> 3) + 8;
    if (needed > this.bytes.length) {
      const next = new Uint8Array(Math.max(needed, this.bytes.length * 2));
      next.set(this.bytes);
      this.bytes = next;
    }
  }

  /** Writes the low `n` (≤ 32) bits of x, most significant first. */
  write(x: number, n: number): void {
    for (let i = n - 1; i >= 0; i--) {
      if ((x >>> i) & 1) this.bytes[this.bit >>> 3] |= 0x80 >>> (this.bit & 7);
      this.bit++;
    }
  }

  byte(b: number): void {
    this.bytes[this.bit >>> 3] = b;
    this.bit += 8;
  }

  uvarint(x: number): void {
    while (x >= 0x80) {
      this.byte((x % 0x80) | 0x80);
      x = Math.floor(x / 0x80);
    }
    this.byte(x);
  }

  varint(x: number): void {
    this.uvarint(x < 0 ? -2 * x - 1 : 2 * x);
  }

  /** The bucket code: '0' | '10'+4 | '110'+8 | '1110'+16 | '11110'+32 | '11111'+53 bits, two's complement. */
  code(x: number): void {
    this.ensure(64);
    if (x === 0) this.write(0, 1);
    else if (x >= -8 && x < 8) {
      this.write(0b10, 2);
      this.write(x & 0xf, 4);
    } else if (x >= -128 && x < 128) {
      this.write(0b110, 3);
      this.write(x & 0xff, 8);
    } else if (x >= -32768 && x < 32768) {
      this.write(0b1110, 4);
      this.write(x & 0xffff, 16);
    } else if (x >= -2147483648 && x < 2147483648) {
      this.write(0b11110, 5);
      this.write(x >>> 0, 32);
    } else {
      this.write(0b11111, 5);
      const unsigned = x < 0 ? x + 2 ** 53 : x;
      this.write(Math.floor(unsigned / TWO_32), 21);
      this.write(unsigned >>> 0, 32);
    }
  }
}

/**
 * Encodes samples [start, start+count) as a decimal chunk, or returns null when the values are not all
 * exact decimals or a difference is too large. Timestamps must be strictly increasing.
 */
export function encodeDecimalChunk(timestamps: Float64Array, values: Float64Array, start: number, count: number): Uint8Array | null {
  if (count === 0 || count > 0xffff) return null;
  const scale = findScale(values, start, count);
  if (scale < 0) return null;
  const p = POW10[scale];
  const n = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    n[i] = Math.round(values[start + i] * p);
    // Values checked at a smaller scale must still come back exactly at the chunk's scale.
    if (n[i] / p !== values[start + i]) return null;
  }
  let g = 0;
  for (let i = 1; i < count; i++) {
    const d = n[i] - n[i - 1];
    if (Math.abs(d) >= LIMIT) return null;
    g = gcd(g, Math.abs(d));
  }
  if (g === 0) g = 1;
  // Pick the value mode that costs fewer bits.
  let deltaBits = 0;
  let dodBits = 0;
  let prevDelta = 0;
  for (let i = 1; i < count; i++) {
    const d = (n[i] - n[i - 1]) / g;
    deltaBits += codeBits(d);
    dodBits += codeBits(d - prevDelta);
    prevDelta = d;
  }
  const dod = dodBits < deltaBits;
  const w = new BitWriter(32 + count * 4, 0);
  w.byte(count >>> 8);
  w.byte(count & 0xff);
  w.byte(scale | (dod ? 0x10 : 0));
  w.uvarint(g);
  w.varint(timestamps[start]);
  w.varint(n[0]);
  const streamStart = w.bit >>> 3;
  let tDelta = 0;
  prevDelta = 0;
  for (let i = 1; i < count; i++) {
    const dt = timestamps[start + i] - timestamps[start + i - 1];
    const tCode = dt - tDelta;
    if (Math.abs(tCode) >= LIMIT) return null;
    w.code(tCode);
    tDelta = dt;
    const d = (n[i] - n[i - 1]) / g;
    w.code(dod ? d - prevDelta : d);
    prevDelta = d;
  }
  // Bits past the end read as zeros, so trailing zero bytes need not be stored: a code that ends in
  // them reads the same zero bits, and a code that starts in them is a 0 (every other code starts with 1).
  let end = (w.bit + 7) >>> 3;
  const full = end;
  while (end > streamStart && w.bytes[end - 1] === 0) end--;
  if (end < full) w.bytes[2] |= ELIDED_TAIL;
  return w.bytes.slice(0, end);
}

/** 32 bits MSB first from bit `bit` of b; bytes past the end read as 0. */
function peek32(b: Uint8Array, bit: number): number {
  const i = bit >>> 3;
  const s = bit & 7;
  const word = (b[i] << 24) | ((b[i + 1] | 0) << 16) | ((b[i + 2] | 0) << 8) | (b[i + 3] | 0);
  // With s = 0 the fifth byte shifts out entirely (a byte >>> 8 is 0): no branch.
  return (word << s) | ((b[i + 4] | 0) >>> (8 - s));
}

/**
 * The bulk reader's copy of a chunk, followed by zero bytes for every bit it may read past the end
 * (an elided tail reads as zeros, two bits per sample): every window is then one big-endian 32-bit
 * load and one byte, all in bounds. Shared: each readInto call copies its chunk first.
 */
let padded = new Uint8Array(1024);
let paddedView = new DataView(padded.buffer);

function padChunk(bytes: Uint8Array, bit: number, samplesLeft: number): void {
  // From where the reader is (already past the end in an elided tail), two bits per sample left,
  // and room for one more window and the widest code.
  const needed = Math.max(bit >>> 3, bytes.length) + ((samplesLeft * 2 + 7) >>> 3) + 16;
  if (needed > padded.length) {
    padded = new Uint8Array(Math.max(needed, padded.length * 2));
    paddedView = new DataView(padded.buffer);
  }
  padded.set(bytes);
  padded.fill(0, bytes.length, needed);
}

/** peek32 on the padded copy. */
function window32(view: DataView, b: Uint8Array, bit: number): number {
  const i = bit >>> 3;
  const s = bit & 7;
  // With s = 0 the fifth byte shifts out entirely (a byte >>> 8 is 0): no branch.
  return (view.getUint32(i) << s) | (b[i + 4] >>> (8 - s));
}

/** What an iterator reads before its first reset, shared (iterators are made per series and query). */
const NO_BYTES = new Uint8Array(0);

/** Where the last `codeAt` ended (a second return value without an allocation). */
let scanBit = 0;

/** The bucket code at bit `bit` (see BitWriter.code); its end goes to `scanBit`. */
function codeAt(b: Uint8Array, bit: number): number {
  const w = peek32(b, bit);
  if (w >= 0) {
    scanBit = bit + 1;
    return 0;
  }
  if ((w & 0x40000000) === 0) {
    scanBit = bit + 6;
    return (w << 2) >> 28;
  }
  if ((w & 0x20000000) === 0) {
    scanBit = bit + 11;
    return (w << 3) >> 24;
  }
  if ((w & 0x10000000) === 0) {
    scanBit = bit + 20;
    return (w << 4) >> 16;
  }
  if ((w & 0x08000000) === 0) {
    scanBit = bit + 37;
    return peek32(b, bit + 5);
  }
  const hi = peek32(b, bit + 5) >>> 11;
  const lo = peek32(b, bit + 26) >>> 0;
  scanBit = bit + 58;
  const unsigned = hi * TWO_32 + lo;
  return unsigned >= 2 ** 52 ? unsigned - 2 ** 53 : unsigned;
}

export class DecimalIterator implements SampleIterator {
  timestamp = 0;
  value = 0;
  private b: Uint8Array = NO_BYTES;
  private bit = 0;
  private total = 0;
  private i = 0;
  private scale = 1;
  private dod = false;
  private g = 1;
  /** The chunk's trailing zero bytes were left out: bytes past the end read as 0. */
  private elided = false;
  private n = 0;
  private delta = 0;
  private tDelta = 0;
  /** `next` or `seek` returned false. */
  private done = false;

  reset(bytes: Uint8Array): this {
    if (bytes.length < DECIMAL_HEADER_BYTES + 3) throw new Error(`decimal chunk of ${bytes.length} bytes is too short`);
    this.b = bytes;
    this.total = (bytes[0] << 8) | bytes[1];
    const flags = bytes[2];
    this.scale = POW10[flags & 0xf] ?? NaN;
    this.dod = (flags & 0x10) !== 0;
    this.elided = (flags & ELIDED_TAIL) !== 0;
    this.bit = DECIMAL_HEADER_BYTES * 8;
    this.g = this.uvarint();
    this.timestamp = this.varint();
    this.n = this.varint();
    this.i = 0;
    this.delta = 0;
    this.tDelta = 0;
    this.done = false;
    return this;
  }

  get length(): number {
    return this.total;
  }

  private uvarint(): number {
    let x = 0;
    let mul = 1;
    for (;;) {
      const byte = this.b[this.bit >>> 3];
      if (byte === undefined) throw new Error('decimal chunk truncated');
      this.bit += 8;
      x += (byte & 0x7f) * mul;
      if (byte < 0x80) return x;
      mul *= 0x80;
    }
  }

  private varint(): number {
    const u = this.uvarint();
    return u % 2 === 1 ? -(u + 1) / 2 : u / 2;
  }

  private bits(count: number): number {
    const b = this.b;
    let x = 0;
    let remaining = count;
    while (remaining > 0) {
      let byte = b[this.bit >>> 3];
      if (byte === undefined) {
        if (!this.elided) throw new Error('decimal chunk truncated');
        byte = 0;
      }
      const avail = 8 - (this.bit & 7);
      const take = remaining < avail ? remaining : avail;
      x = x * (1 << take) + ((byte >>> (avail - take)) & ((1 << take) - 1));
      this.bit += take;
      remaining -= take;
    }
    return x;
  }

  private code(): number {
    if (this.bits(1) === 0) return 0;
    if (this.bits(1) === 0) return (this.bits(4) << 28) >> 28;
    if (this.bits(1) === 0) return (this.bits(8) << 24) >> 24;
    if (this.bits(1) === 0) return (this.bits(16) << 16) >> 16;
    if (this.bits(1) === 0) return this.bits(32) | 0;
    const hi = this.bits(21);
    const lo = this.bits(32);
    const unsigned = hi * TWO_32 + lo;
    return unsigned >= 2 ** 52 ? unsigned - 2 ** 53 : unsigned;
  }

  /** Whether every sample of the chunk has been read (by `next` or `readInto`). */
  get exhausted(): boolean {
    return this.i >= this.total;
  }

  next(): boolean {
    if (this.i >= this.total) {
      this.done = true;
      return false;
    }
    if (this.i > 0) {
      this.tDelta += this.code();
      this.timestamp += this.tDelta;
      const c = this.code();
      this.delta = this.dod ? this.delta + c : c;
      this.n += this.delta * this.g;
    }
    this.value = this.n / this.scale;
    this.i++;
    return true;
  }

  seek(t: number): boolean {
    if (this.done) return false;
    if (this.i > 0 && this.timestamp >= t) return true;
    while (this.next()) if (this.timestamp >= t) return true;
    return false;
  }

  /**
   * The bulk path of SampleIterator: decodes the samples after the current one with timestamp <=
   * maxt into timestamps[offset…] and values[offset…], up to the arrays' length, leaving the first
   * later sample undecoded. Bucket codes are read through a 32-bit window, not bit by bit.
   */
  readInto(maxt: number, timestamps: Float64Array, values: Float64Array, offset: number): number {
    const end = Math.min(timestamps.length, values.length);
    const total = this.total;
    let i = this.i;
    if (this.done || i >= total || offset >= end) return 0;
    let k = offset;
    const scale = this.scale;
    if (i === 0) {
      // The first sample was decoded by reset.
      if (this.timestamp > maxt) return 0;
      timestamps[k] = this.timestamp;
      values[k] = this.n / scale;
      k++;
      i = 1;
    }
    const endBit = this.b.length * 8;
    padChunk(this.b, this.bit, total - i);
    const b = padded;
    const view = paddedView;
    const dod = this.dod;
    const g = this.g;
    let bit = this.bit;
    let t = this.timestamp;
    let tDelta = this.tDelta;
    let delta = this.delta;
    let n = this.n;
    // Integer chunks (scale 0) skip the division: n / 1 is n, bit for bit.
    const integral = scale === 1;
    while (i < total && k < end) {
      // One 32-bit window per sample (bits past the stored bytes read as zeros). Regular scrapes of
      // a steady series code each sample as two 0 bits (same interval, same value step): count the
      // zero bits ahead and emit that many samples without decoding.
      const w = window32(view, b, bit);
      let tCode = 0;
      let c: number;
      let next: number;
      if (w >= 0 && (w & 0x60000000) !== 0x60000000) {
        // The scrape on time (a 0 bit) and a value code of 1 or 6 bits: most samples of most series.
        const zeros = Math.clz32(w);
        if (zeros >= 4) {
          // Two or more steady samples (same interval, same value step: two 0 bits each): emit
          // them without decoding.
          let steady = zeros >>> 1;
          if (steady > total - i) steady = total - i;
          if (steady > end - k) steady = end - k;
          if (!dod) delta = 0;
          const step = delta * g;
          let taken = 0;
          while (taken < steady) {
            const nextT = t + tDelta;
            if (nextT > maxt) break;
            t = nextT;
            n += step;
            timestamps[k] = t;
            values[k] = integral ? n : n / scale;
            k++;
            taken++;
          }
          bit += taken * 2;
          i += taken;
          if (taken < steady) break;
          continue;
        }
        // Without a branch on the value code, which a random walk's values make unpredictable:
        // `nonzero` is all ones when the code is '10'+4 bits, 0 when it is '0'.
        const nonzero = (w << 1) >> 31;
        c = ((w << 3) >> 28) & nonzero;
        next = bit + 2 + (nonzero & 5);
      } else if (w >= 0) {
        // On time, with a wider value code ('11…'): read from the same window up to 20 bits.
        const v = w << 1;
        if ((v & 0x20000000) === 0) {
          c = (v << 3) >> 24;
          next = bit + 12;
        } else if ((v & 0x10000000) === 0) {
          c = (v << 4) >> 16;
          next = bit + 21;
        } else {
          c = codeAt(b, bit + 1);
          next = scanBit;
        }
      } else {
        tCode = codeAt(b, bit);
        c = codeAt(b, scanBit);
        next = scanBit;
      }
      const nextTDelta = tDelta + tCode;
      const nextT = t + nextTDelta;
      if (nextT > maxt) break;
      bit = next;
      if (bit > endBit && !this.elided) throw new Error('decimal chunk truncated');
      tDelta = nextTDelta;
      t = nextT;
      delta = dod ? delta + c : c;
      n += delta * g;
      timestamps[k] = t;
      values[k] = integral ? n : n / scale;
      k++;
      i++;
    }
    this.bit = bit;
    this.i = i;
    this.timestamp = t;
    this.tDelta = tDelta;
    this.delta = delta;
    this.n = n;
    this.value = n / scale;
    return k - offset;
  }
}
