import type { SampleIterator } from '../../types.ts';

/**
 * The Gorilla XOR chunk, bit-compatible with Prometheus's XOR chunk encoding (see
 * docs/formats/chunks.md for every bit):
 *
 *   u16 BE sample count | bit stream:
 *     sample 0: zigzag varint timestamp (8 bits per byte) | 64-bit value
 *     sample 1: uvarint (t1 - t0)                        | XOR value
 *     sample n: delta-of-delta bucket                     | XOR value
 *
 * Floats are split into two 32-bit halves through one shared Float64Array/Uint32Array pair, so NaN
 * payloads (the stale marker 0x7ff0000000000002) survive bit for bit and no BigInt is ever needed.
 * Timestamps are integer milliseconds held in JS numbers; |t| must stay below 2^52.
 */

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Index of the low / high 32-bit half of a float64 in `u32`. */
const LO = LITTLE_ENDIAN ? 0 : 1;
const HI = LITTLE_ENDIAN ? 1 : 0;

const TWO_32 = 4294967296;

/** The most samples one chunk can hold (the count header is 16 bits). */
export const MAX_XOR_CHUNK_SAMPLES = 0xffff;
/** Bytes of the count header. */
export const XOR_HEADER_BYTES = 2;
/** Worst case bytes one append can add (4+64 bits of timestamp or a 10-byte varint, 77 bits of value). */
const MAX_BYTES_PER_SAMPLE = 24;

/**
 * Encoder cost heuristic: Prometheus always reuses the previous leading/trailing window when the new
 * XOR fits in it. Reuse costs 2 + prevSig bits, a new window 2 + 11 + newSig; we open a new window when
 * it saves more than this many bits. Any XOR decoder reads both forms, so the output stays compatible.
 */
const REWINDOW_SAVING_BITS = 11;

/** n (1..24) bits MSB first from bit `pos` of b; bytes past the end read as 0. */
function bitsAt(b: Uint8Array, pos: number, n: number): number {
  const i = pos >>> 3;
  const word = ((b[i] << 24) | ((b[i + 1] | 0) << 16) | ((b[i + 2] | 0) << 8) | (b[i + 3] | 0)) << (pos & 7);
  return word >>> (32 - n);
}

/** 32 bits MSB first from bit `pos` of b, as an int32; bytes past the end read as 0. */
function peek32(b: Uint8Array, pos: number): number {
  const i = pos >>> 3;
  const s = pos & 7;
  const word = (b[i] << 24) | ((b[i + 1] | 0) << 16) | ((b[i + 2] | 0) << 8) | (b[i + 3] | 0);
  // With s = 0 the fifth byte shifts out entirely (a byte >>> 8 is 0): no branch.
  return (word << s) | ((b[i + 4] | 0) >>> (8 - s));
}

/** Where the last `uvarintAt` ended (a second return value without an allocation). */
let scanEnd = 0;

/** A uvarint of 8-bit groups from bit `pos`; its end goes to `scanEnd`. */
function uvarintAt(b: Uint8Array, pos: number): number {
  let x = 0;
  let mul = 1;
  for (let k = 0; k < 10; k++) {
    const byte = bitsAt(b, pos, 8);
    pos += 8;
    x += (byte & 127) * mul;
    if ((byte & 128) === 0) {
      scanEnd = pos;
      return x;
    }
    mul *= 128;
  }
  throw corrupt('varint overflow');
}

let wordsOf: Float64Array | null = null;
let wordsView: Uint32Array = new Uint32Array(0);

/**
 * A Uint32Array over the same memory as `values`, two words per float64, so value bits are written
 * exactly. The last one is kept: bulk readers write into the same scratch arrays again and again.
 */
export function float64Words(values: Float64Array): Uint32Array {
  if (values !== wordsOf || wordsView.length !== values.length * 2) {
    wordsOf = values;
    wordsView = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  }
  return wordsView;
}

function ctz32(x: number): number {
  // x !== 0
  return 31 - Math.clz32(x & -x);
}

export class XorAppender {
  private buf: Uint8Array;
  /** Next bit to write (bit 0 is the MSB of byte 0). */
  private bitPos = XOR_HEADER_BYTES * 8;
  private n = 0;
  private tFirst = Infinity;
  private tLast = -Infinity;
  private tDelta = 0;
  private vHi = 0;
  private vLo = 0;
  private leading = 0xff;
  private trailing = 0;
  private last = NaN;

  /**
   * `buffer`, when given, is used as the initial buffer (it must be zero-filled and at least 32 bytes):
   * a view of a larger slab is much cheaper to make than a buffer of its own, a million times over.
   */
  constructor(initialCapacityBytes = 128, buffer?: Uint8Array) {
    this.buf = buffer !== undefined && buffer.length >= 32 ? buffer : new Uint8Array(Math.max(32, Math.ceil(initialCapacityBytes)));
  }

  /** Number of samples appended. */
  get count(): number {
    return this.n;
  }
  /** First timestamp (+Infinity while empty). */
  get minTime(): number {
    return this.tFirst;
  }
  /** Last timestamp (-Infinity while empty). */
  get maxTime(): number {
    return this.tLast;
  }
  /** Last value appended (NaN while empty); read the bits through a Float64Array for the stale marker. */
  get lastValue(): number {
    return this.last;
  }
  get byteLength(): number {
    return (this.bitPos + 7) >>> 3;
  }

  /** The encoded chunk so far: a view valid until the next append/reset. Always a complete chunk. */
  bytes(): Uint8Array {
    return this.buf.subarray(0, (this.bitPos + 7) >>> 3);
  }

  /** Clears the appender for reuse, keeping its buffer. */
  reset(): void {
    this.buf.fill(0, 0, (this.bitPos + 7) >>> 3);
    this.bitPos = XOR_HEADER_BYTES * 8;
    this.n = 0;
    this.tFirst = Infinity;
    this.tLast = -Infinity;
    this.tDelta = 0;
    this.vHi = 0;
    this.vLo = 0;
    this.leading = 0xff;
    this.trailing = 0;
    this.last = NaN;
  }

  /** Appends a sample. The caller guarantees t > maxTime for every sample but the first. */
  append(t: number, v: number): void {
    const n = this.n;
    if (n >= MAX_XOR_CHUNK_SAMPLES) throw new RangeError('XOR chunk is full (65535 samples)');
    if ((this.bitPos >>> 3) + MAX_BYTES_PER_SAMPLE > this.buf.length) this.grow();
    f64[0] = v;
    const hi = u32[HI];
    const lo = u32[LO];
    if (n === 0) {
      this.writeUvarint(t >= 0 ? t * 2 : -t * 2 - 1);
      this.w(hi, 32);
      this.w(lo, 32);
      this.tFirst = t;
    } else if (n === 1) {
      const delta = t - this.tLast;
      this.writeUvarint(delta);
      this.tDelta = delta;
      this.writeValue(hi, lo);
    } else {
      const delta = t - this.tLast;
      const dod = delta - this.tDelta;
      if (dod === 0) {
        this.w(0, 1);
      } else if (dod >= -8191 && dod <= 8192) {
        this.w(0b10, 2);
        this.w(dod, 14);
      } else if (dod >= -65535 && dod <= 65536) {
        this.w(0b110, 3);
        this.w(dod, 17);
      } else if (dod >= -524287 && dod <= 524288) {
        this.w(0b1110, 4);
        this.w(dod, 20);
      } else {
        this.w(0b1111, 4);
        const dhi = Math.floor(dod / TWO_32);
        this.w(dhi, 32);
        this.w(dod - dhi * TWO_32, 32);
      }
      this.tDelta = delta;
      this.writeValue(hi, lo);
    }
    this.tLast = t;
    this.vHi = hi;
    this.vLo = lo;
    this.last = v;
    const count = n + 1;
    this.n = count;
    this.buf[0] = count >>> 8;
    this.buf[1] = count & 0xff;
  }

  private writeValue(hi: number, lo: number): void {
    const dh = (hi ^ this.vHi) >>> 0;
    const dl = (lo ^ this.vLo) >>> 0;
    if (dh === 0 && dl === 0) {
      this.w(0, 1);
      return;
    }
    let lead = dh !== 0 ? Math.clz32(dh) : 32 + Math.clz32(dl);
    const trail = dl !== 0 ? ctz32(dl) : 32 + ctz32(dh);
    if (lead > 31) lead = 31;
    const pl = this.leading;
    if (pl !== 0xff && lead >= pl && trail >= this.trailing) {
      const prevSig = 64 - pl - this.trailing;
      if (prevSig - (64 - lead - trail) <= REWINDOW_SAVING_BITS) {
        this.w(0b10, 2);
        this.writeSignificant(dh, dl, this.trailing, prevSig);
        return;
      }
    }
    this.leading = lead;
    this.trailing = trail;
    const sig = 64 - lead - trail;
    this.w(0b11, 2);
    this.w(lead, 5);
    this.w(sig, 6); // 64 is written as 0
    this.writeSignificant(dh, dl, trail, sig);
  }

  /** Writes the `nbits` bits of the 64-bit value dh:dl starting at bit `shift` (from the LSB). */
  private writeSignificant(dh: number, dl: number, shift: number, nbits: number): void {
    let sh: number;
    let sl: number;
    if (shift === 0) {
      sh = dh;
      sl = dl;
    } else if (shift < 32) {
      sl = (dl >>> shift) | (dh << (32 - shift));
      sh = dh >>> shift;
    } else {
      sl = dh >>> (shift - 32);
      sh = 0;
    }
    if (nbits > 32) {
      this.w(sh, nbits - 32);
      this.w(sl, 32);
    } else {
      this.w(sl, nbits);
    }
  }

  private writeUvarint(x: number): void {
    while (x >= 128) {
      this.w((x % 128) | 128, 8);
      x = Math.floor(x / 128);
    }
    this.w(x, 8);
  }

  /** Writes the low `n` (1..32) bits of v, MSB first. */
  private w(v: number, n: number): void {
    let pos = this.bitPos;
    const buf = this.buf;
    this.bitPos = pos + n;
    while (n > 0) {
      const used = pos & 7;
      const free = 8 - used;
      if (n >= free) {
        n -= free;
        buf[pos >>> 3] |= (v >>> n) & (0xff >>> used);
        pos += free;
      } else {
        buf[pos >>> 3] |= (v << (free - n)) & (0xff >>> used);
        return;
      }
    }
  }

  private grow(): void {
    const next = new Uint8Array(this.buf.length * 2);
    next.set(this.buf);
    this.buf = next;
  }
}

/** An empty chunk (a zero count header); never written. */
const NO_CHUNK = new Uint8Array(XOR_HEADER_BYTES);

function corrupt(reason: string): Error {
  return new Error(`corrupt XOR chunk: ${reason}`);
}

/** Iterates the samples of an encoded chunk; reusable via reset. */
export class XorIterator implements SampleIterator {
  timestamp = 0;
  value = 0;
  /** Iterators are made per series and query: they share one empty chunk until reset. */
  private b: Uint8Array = NO_CHUNK;
  /** A DataView over `viewOf`, the buffer under the chunk bytes readInto last read. */
  private view: DataView | null = null;
  private viewOf: ArrayBufferLike | null = null;
  private pos = 0;
  private endBit = 0;
  private total = 0;
  private i = 0;
  private done = true;
  private t = 0;
  private delta = 0;
  private vHi = 0;
  private vLo = 0;
  private leading = 0;
  private trailing = 0;

  /** Points the iterator at the chunk in bytes[offset, offset + length) and rewinds it. */
  reset(bytes: Uint8Array, offset = 0, length = bytes.length - offset): this {
    if (length < XOR_HEADER_BYTES || offset < 0 || offset + length > bytes.length) {
      throw corrupt(`chunk of ${length} bytes at offset ${offset} does not fit in ${bytes.length} bytes`);
    }
    this.b = bytes;
    this.total = (bytes[offset] << 8) | bytes[offset + 1];
    this.pos = (offset + XOR_HEADER_BYTES) * 8;
    this.endBit = (offset + length) * 8;
    this.i = 0;
    this.done = this.total === 0;
    this.timestamp = 0;
    this.value = 0;
    this.t = 0;
    this.delta = 0;
    this.vHi = 0;
    this.vLo = 0;
    this.leading = 0;
    this.trailing = 0;
    return this;
  }

  /** Samples in the chunk (from its header). */
  get length(): number {
    return this.total;
  }

  next(): boolean {
    if (this.done) return false;
    if (this.i >= this.total) {
      this.done = true;
      return false;
    }
    this.step();
    u32[HI] = this.vHi;
    u32[LO] = this.vLo;
    this.value = f64[0];
    this.timestamp = this.t;
    return true;
  }

  seek(t: number): boolean {
    if (this.done) return false;
    if (this.i > 0 && this.timestamp >= t) return true;
    while (this.next()) {
      if (this.timestamp >= t) return true;
    }
    return false;
  }

  /** Whether every sample of the chunk has been read (by `next` or `readInto`). */
  get exhausted(): boolean {
    return this.done || this.i >= this.total;
  }

  /**
   * The bulk path of SampleIterator: decodes the samples after the current one with timestamp <=
   * maxt into timestamps[offset…] and values[offset…] (value bits copied exactly through a 32-bit
   * view, so NaN payloads survive), up to the arrays' length. The first sample later than maxt is
   * left undecoded. One loop over local variables, no call per sample.
   */
  readInto(maxt: number, timestamps: Float64Array, values: Float64Array, offset: number): number {
    const end = Math.min(timestamps.length, values.length);
    if (this.done || offset >= end) return 0;
    const total = this.total;
    let i = this.i;
    if (i >= total) return 0;
    const b = this.b;
    const endBit = this.endBit;
    const words = float64Words(values);
    // Big-endian 32-bit loads for the common case, away from the end of the bytes.
    // One view per underlying buffer: chunks are views into pages (head) or segment files (blocks).
    if (this.viewOf !== b.buffer) {
      this.view = new DataView(b.buffer);
      this.viewOf = b.buffer;
    }
    const view = this.view as DataView;
    const base = b.byteOffset;
    const byteEnd = b.length;
    let pos = this.pos;
    let t = this.t;
    let delta = this.delta;
    let vHi = this.vHi;
    let vLo = this.vLo;
    let leading = this.leading;
    let trailing = this.trailing;
    let k = offset;
    while (i < total && k < end) {
      if (i >= 2) {
        // The common sample: same interval (one 0 bit), then the value unchanged or XORed in the
        // previous window with few significant bits, all from one 32-bit window.
        const at = pos >>> 3;
        const w = at + 5 <= byteEnd ? (view.getInt32(base + at) << (pos & 7)) | (b[at + 4] >>> (8 - (pos & 7))) : peek32(b, pos);
        if (w >= 0) {
          // Bits after the interval's 0 bit, and the XOR to apply.
          let used = 0;
          let xh = 0;
          let xl = 0;
          if ((w & 0x40000000) === 0) {
            used = 1;
          } else if ((w & 0x20000000) === 0) {
            const sig = 64 - leading - trailing;
            if (sig <= 29) {
              used = 2 + sig;
              const sl = (w << 3) >>> (32 - sig);
              if (trailing === 0) {
                xl = sl;
              } else if (trailing < 32) {
                xh = sl >>> (32 - trailing);
                xl = sl << trailing;
              } else {
                xh = sl << (trailing - 32);
              }
            }
          }
          if (used > 0) {
            const nextT = t + delta;
            if (nextT > maxt) break;
            vHi = (vHi ^ xh) >>> 0;
            vLo = (vLo ^ xl) >>> 0;
            pos += 1 + used;
            if (pos > endBit) {
              this.done = true;
              throw corrupt(`truncated at sample ${i} of ${total}`);
            }
            t = nextT;
            i++;
            timestamps[k] = t;
            words[k * 2 + HI] = vHi;
            words[k * 2 + LO] = vLo;
            k++;
            continue;
          }
        }
      }
      const before = pos;
      let nextT: number;
      let nextDelta = delta;
      if (i >= 2) {
        // Delta-of-delta bucket, read from a 32-bit window: '0' | '10'+14 | '110'+17 | '1110'+20 | '1111'+64.
        const w = peek32(b, pos);
        let dod = 0;
        if (w >= 0) {
          pos += 1;
        } else if ((w & 0x40000000) === 0) {
          const x = (w << 2) >>> 18;
          dod = x > 8192 ? x - 16384 : x;
          pos += 16;
        } else if ((w & 0x20000000) === 0) {
          const x = (w << 3) >>> 15;
          dod = x > 65536 ? x - 131072 : x;
          pos += 20;
        } else if ((w & 0x10000000) === 0) {
          const x = (w << 4) >>> 12;
          dod = x > 524288 ? x - 1048576 : x;
          pos += 24;
        } else {
          dod = (peek32(b, pos + 4) | 0) * TWO_32 + (peek32(b, pos + 36) >>> 0);
          pos += 68;
        }
        nextDelta = delta + dod;
        nextT = t + nextDelta;
      } else {
        const x = uvarintAt(b, pos);
        pos = scanEnd;
        if (i === 0) {
          nextT = x % 2 === 0 ? x / 2 : -(x + 1) / 2;
        } else {
          nextDelta = x;
          nextT = t + x;
        }
      }
      if (nextT > maxt) {
        pos = before;
        break;
      }
      if (i === 0) {
        vHi = peek32(b, pos) >>> 0;
        vLo = peek32(b, pos + 32) >>> 0;
        pos += 64;
      } else {
        const w = peek32(b, pos);
        if (w >= 0) {
          pos += 1;
        } else {
          if ((w & 0x40000000) !== 0) {
            const lead = (w << 2) >>> 27;
            let sig = (w << 7) >>> 26;
            if (sig === 0) sig = 64;
            pos += 13;
            if (64 - lead - sig < 0) {
              this.done = true;
              throw corrupt(`invalid XOR window (leading ${lead}, significant bits ${sig})`);
            }
            leading = lead;
            trailing = 64 - lead - sig;
          } else {
            pos += 2;
          }
          const sig = 64 - leading - trailing;
          let sh = 0;
          let sl: number;
          if (sig <= 32) {
            sl = peek32(b, pos) >>> (32 - sig);
          } else {
            const highBits = sig - 32;
            sh = peek32(b, pos) >>> (32 - highBits);
            sl = peek32(b, pos + highBits) >>> 0;
          }
          pos += sig;
          let dh: number;
          let dl: number;
          if (trailing === 0) {
            dh = sh;
            dl = sl;
          } else if (trailing < 32) {
            dh = (sh << trailing) | (sl >>> (32 - trailing));
            dl = sl << trailing;
          } else {
            dh = sl << (trailing - 32);
            dl = 0;
          }
          vHi = (vHi ^ dh) >>> 0;
          vLo = (vLo ^ dl) >>> 0;
        }
      }
      if (pos > endBit) {
        this.done = true;
        throw corrupt(`truncated at sample ${i} of ${total}`);
      }
      t = nextT;
      delta = nextDelta;
      i++;
      timestamps[k] = t;
      words[k * 2 + HI] = vHi;
      words[k * 2 + LO] = vLo;
      k++;
    }
    this.pos = pos;
    this.i = i;
    this.t = t;
    this.delta = delta;
    this.vHi = vHi;
    this.vLo = vLo;
    this.leading = leading;
    this.trailing = trailing;
    if (k > offset) {
      this.timestamp = t;
      u32[HI] = vHi;
      u32[LO] = vLo;
      this.value = f64[0];
    }
    return k - offset;
  }

  private step(): void {
    const i = this.i;
    if (i === 0) {
      const zz = this.readUvarint();
      this.t = zz % 2 === 0 ? zz / 2 : -(zz + 1) / 2;
      this.vHi = this.r(32);
      this.vLo = this.r(32);
    } else if (i === 1) {
      this.delta = this.readUvarint();
      this.t += this.delta;
      this.readValue();
    } else {
      let dod = 0;
      if (this.r1() !== 0) {
        let ones = 1;
        while (ones < 4 && this.r1() !== 0) ones++;
        if (ones === 1) {
          const x = this.r(14);
          dod = x > 8192 ? x - 16384 : x;
        } else if (ones === 2) {
          const x = this.r(17);
          dod = x > 65536 ? x - 131072 : x;
        } else if (ones === 3) {
          const x = this.r(20);
          dod = x > 524288 ? x - 1048576 : x;
        } else {
          const dhi = this.r(32) | 0;
          dod = dhi * TWO_32 + this.r(32);
        }
      }
      this.delta += dod;
      this.t += this.delta;
      this.readValue();
    }
    this.i = i + 1;
    if (this.pos > this.endBit) {
      this.done = true;
      throw corrupt(`truncated at sample ${i} of ${this.total}`);
    }
  }

  private readValue(): void {
    if (this.r1() === 0) return;
    if (this.r1() !== 0) {
      const lead = this.r(5);
      let sig = this.r(6);
      if (sig === 0) sig = 64;
      const trail = 64 - lead - sig;
      if (trail < 0) {
        this.done = true;
        throw corrupt(`invalid XOR window (leading ${lead}, significant bits ${sig})`);
      }
      this.leading = lead;
      this.trailing = trail;
    }
    const sig = 64 - this.leading - this.trailing;
    let sh = 0;
    let sl: number;
    if (sig > 32) {
      sh = this.r(sig - 32);
      sl = this.r(32);
    } else {
      sl = this.r(sig);
    }
    const t = this.trailing;
    let dh: number;
    let dl: number;
    if (t === 0) {
      dh = sh;
      dl = sl;
    } else if (t < 32) {
      dh = (sh << t) | (sl >>> (32 - t));
      dl = sl << t;
    } else {
      dh = sl << (t - 32);
      dl = 0;
    }
    this.vHi = (this.vHi ^ dh) >>> 0;
    this.vLo = (this.vLo ^ dl) >>> 0;
  }

  private readUvarint(): number {
    let x = 0;
    let mul = 1;
    for (let k = 0; k < 10; k++) {
      const byte = this.r(8);
      x += (byte & 127) * mul;
      if ((byte & 128) === 0) return x;
      mul *= 128;
    }
    this.done = true;
    throw corrupt('varint overflow');
  }

  private r1(): number {
    const pos = this.pos;
    this.pos = pos + 1;
    return (this.b[pos >>> 3] >>> (7 - (pos & 7))) & 1;
  }

  /** Reads n (1..32) bits MSB first as an unsigned number. */
  private r(n: number): number {
    if (n > 24) {
      const high = this.r(n - 16);
      return (high * 65536 + this.r(16)) >>> 0;
    }
    const pos = this.pos;
    const b = this.b;
    const i = pos >>> 3;
    // A big-endian 32-bit window at the byte holding `pos`; bytes past the end read as 0.
    const word = ((b[i] << 24) | ((b[i + 1] | 0) << 16) | ((b[i + 2] | 0) << 8) | (b[i + 3] | 0)) << (pos & 7);
    this.pos = pos + n;
    return word >>> (32 - n);
  }

}

/** Samples in an encoded chunk, from its 2-byte header. */
export function xorChunkSampleCount(bytes: Uint8Array): number {
  if (bytes.length < XOR_HEADER_BYTES) throw corrupt(`chunk of ${bytes.length} bytes has no header`);
  return (bytes[0] << 8) | bytes[1];
}

const sharedIterator = new XorIterator();
const EMPTY_CHUNK = NO_CHUNK;

/**
 * Decodes a whole chunk into timestamps[at…] and values[at…]; returns the number of samples written.
 * The arrays must have room for xorChunkSampleCount(bytes) samples from `at`. Value bits (NaN
 * payloads included) are copied exactly.
 */
export function decodeXorChunk(bytes: Uint8Array, timestamps: Float64Array, values: Float64Array, at: number): number {
  const it = sharedIterator.reset(bytes);
  const n = it.length;
  if (at < 0 || at + n > timestamps.length || at + n > values.length) {
    throw new RangeError(`decodeXorChunk: ${n} samples do not fit at index ${at}`);
  }
  try {
    return it.readInto(Infinity, timestamps, values, at);
  } finally {
    sharedIterator.reset(EMPTY_CHUNK);
  }
}
