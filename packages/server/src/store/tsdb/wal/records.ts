/**
 * Encoders and decoders for WAL record payloads (layouts in docs/formats/wal.md).
 *
 * Encoders append to a reusable ByteBuffer and never create per-sample objects; `finish()` returns a
 * view of the payload that stays valid until the next `reset()`/`add…()`. Decoders walk a payload and
 * call a visitor per entry (or fill caller-provided typed arrays) without per-sample allocations.
 * Float values are copied as raw bytes, so NaN payloads (the stale marker 0x7ff0000000000002 included)
 * survive bit for bit.
 */
import { ByteBuffer } from './buffer.ts';

/** A payload that passed its CRC but does not parse: a bug or a format mismatch, never a torn write. */
export class WalRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WalRecordError';
  }
}

/** Space reserved in front of the entries for the (count, base…) header, filled in by `finish()`. */
const PREFIX = 32;
const utf8 = new TextDecoder('utf-8', { fatal: false });

/** Shared header writer: writes count (and bases) right-aligned into the reserved prefix. */
const headerScratch = new ByteBuffer(64);

function finishWithHeader(buf: ByteBuffer, count: number, withBase: boolean, baseRef: number, baseT: number): Uint8Array {
  headerScratch.reset();
  headerScratch.uvarint(count);
  if (withBase && count > 0) {
    headerScratch.uvarint(baseRef);
    headerScratch.varint(baseT);
  }
  const h = headerScratch.length;
  const start = PREFIX - h;
  buf.bytes.set(headerScratch.bytes.subarray(0, h), start);
  return buf.bytes.subarray(start, buf.length);
}

abstract class EncoderBase {
  readonly buf: ByteBuffer;
  protected n = 0;

  constructor(buf?: ByteBuffer) {
    this.buf = buf ?? new ByteBuffer(64 * 1024);
    this.reset();
  }

  reset(): void {
    this.buf.reset();
    this.buf.ensure(PREFIX);
    this.buf.length = PREFIX;
    this.n = 0;
  }

  /** Entries added since the last reset. */
  get count(): number {
    return this.n;
  }

  /** Approximate payload size so far (entries plus at most PREFIX header bytes). */
  get byteLength(): number {
    return this.buf.length;
  }

  abstract finish(): Uint8Array;
}

function labelsArray(buf: ByteBuffer, labels: readonly string[]): void {
  const n = labels.length;
  buf.uvarint(n);
  for (let i = 0; i < n; i++) buf.string(labels[i]);
}

/**
 * Series payload: uvarint count, then count × (uvarint ref, uvarint nStrings, nStrings × string) where
 * the strings are the flat label array [name, value, …].
 */
export class SeriesEncoder extends EncoderBase {
  add(ref: number, labels: readonly string[]): void {
    this.buf.uvarint(ref);
    labelsArray(this.buf, labels);
    this.n++;
  }

  finish(): Uint8Array {
    return finishWithHeader(this.buf, this.n, false, 0, 0);
  }
}

/**
 * Samples payload: uvarint count, and when count > 0: uvarint baseRef, varint baseT, then count ×
 * (varint ref − previous ref, varint t − baseT, 8-byte LE float64). The base is the first sample's ref
 * and time; the "previous ref" of the first sample is baseRef (so its ref delta is 0).
 */
export class SamplesEncoder extends EncoderBase {
  private baseRef = 0;
  private prevRef = 0;
  private baseT = 0;
  private f64 = new Float64Array(1);
  private f64Bytes = new Uint8Array(this.f64.buffer);

  add(ref: number, t: number, v: number): void {
    this.f64[0] = v;
    this.addRaw(ref, t, this.f64Bytes, 0);
  }

  /** Adds a sample whose value is the 8 raw little-endian bytes at `src[offset]` (bit-exact copy). */
  addRaw(ref: number, t: number, src: Uint8Array, offset: number): void {
    if (this.n === 0) {
      this.baseRef = ref;
      this.prevRef = ref;
      this.baseT = t;
    }
    const buf = this.buf;
    if (buf.length + 28 > buf.bytes.length) buf.ensure(28);
    const dRef = ref - this.prevRef;
    const dT = t - this.baseT;
    this.prevRef = ref;
    let b = buf.bytes;
    let p = buf.length;
    if (dRef >= -64 && dRef < 64) {
      b[p++] = (dRef << 1) ^ (dRef >> 31);
    } else if (dRef >= -8192 && dRef < 8192) {
      const z = (dRef << 1) ^ (dRef >> 31);
      b[p++] = (z & 0x7f) | 0x80;
      b[p++] = z >>> 7;
    } else {
      buf.length = p;
      buf.varint(dRef);
      p = buf.length;
      b = buf.bytes;
    }
    if (dT >= -64 && dT < 64) {
      b[p++] = (dT << 1) ^ (dT >> 31);
    } else if (dT >= -8192 && dT < 8192) {
      const z = (dT << 1) ^ (dT >> 31);
      b[p++] = (z & 0x7f) | 0x80;
      b[p++] = z >>> 7;
    } else {
      buf.length = p;
      buf.varint(dT);
      p = buf.length;
      b = buf.bytes;
    }
    b[p] = src[offset];
    b[p + 1] = src[offset + 1];
    b[p + 2] = src[offset + 2];
    b[p + 3] = src[offset + 3];
    b[p + 4] = src[offset + 4];
    b[p + 5] = src[offset + 5];
    b[p + 6] = src[offset + 6];
    b[p + 7] = src[offset + 7];
    buf.length = p + 8;
    this.n++;
  }

  /**
   * Adds samples [start, end) from parallel arrays. Values are copied from the Float64Array's bytes,
   * so the bit pattern is kept whatever the engine does with NaNs in registers.
   */
  addFrom(refs: ArrayLike<number>, ts: ArrayLike<number>, vs: Float64Array, start = 0, end = vs.length): void {
    if (end <= start) return;
    const vBytes = new Uint8Array(vs.buffer, vs.byteOffset, vs.byteLength);
    for (let i = start; i < end; i++) this.addRaw(refs[i], ts[i], vBytes, i * 8);
  }

  finish(): Uint8Array {
    return finishWithHeader(this.buf, this.n, true, this.baseRef, this.baseT);
  }
}

/**
 * Exemplars payload: like Samples (ref deltas from the previous entry, time deltas from the base), each
 * entry followed by uvarint nStrings and the exemplar's flat label array.
 */
export class ExemplarsEncoder extends EncoderBase {
  private baseRef = 0;
  private prevRef = 0;
  private baseT = 0;

  add(ref: number, t: number, v: number, labels: readonly string[]): void {
    if (this.n === 0) {
      this.baseRef = ref;
      this.prevRef = ref;
      this.baseT = t;
    }
    const buf = this.buf;
    buf.varint(ref - this.prevRef);
    this.prevRef = ref;
    buf.varint(t - this.baseT);
    buf.f64le(v);
    labelsArray(buf, labels);
    this.n++;
  }

  finish(): Uint8Array {
    return finishWithHeader(this.buf, this.n, true, this.baseRef, this.baseT);
  }
}

/** Tombstones payload: uvarint count, then count × (uvarint ref, varint mint, varint maxt). */
export class TombstonesEncoder extends EncoderBase {
  /** One deletion interval [mint, maxt] (inclusive). Use ±Number.MAX_SAFE_INTEGER for open ends. */
  add(ref: number, mint: number, maxt: number): void {
    this.buf.uvarint(ref);
    this.buf.varint(mint);
    this.buf.varint(maxt);
    this.n++;
  }

  finish(): Uint8Array {
    return finishWithHeader(this.buf, this.n, false, 0, 0);
  }
}

/** Metadata payload: uvarint count, then count × (uvarint ref, uvarint type, string unit, string help). */
export class MetadataEncoder extends EncoderBase {
  /** `type` is a MetricTypeCode. */
  add(ref: number, type: number, unit: string, help: string): void {
    this.buf.uvarint(ref);
    this.buf.uvarint(type);
    this.buf.string(unit);
    this.buf.string(help);
    this.n++;
  }

  finish(): Uint8Array {
    return finishWithHeader(this.buf, this.n, false, 0, 0);
  }
}

// ---------------------------------------------------------------------------------------------------
// Decoding

/** A read cursor. Reads past the end yield zeros; callers check `pos <= end` before trusting a value. */
class Cursor {
  b: Uint8Array = new Uint8Array(0);
  pos = 0;
  end = 0;

  init(b: Uint8Array): void {
    this.b = b;
    this.pos = 0;
    this.end = b.length;
  }

  uvarint(): number {
    const b = this.b;
    let p = this.pos;
    let byte = b[p++];
    let v = byte & 0x7f;
    if (byte < 0x80) {
      this.pos = p;
      return v;
    }
    byte = b[p++];
    v |= (byte & 0x7f) << 7;
    if (byte < 0x80) {
      this.pos = p;
      return v;
    }
    byte = b[p++];
    v |= (byte & 0x7f) << 14;
    if (byte < 0x80) {
      this.pos = p;
      return v;
    }
    byte = b[p++];
    v |= (byte & 0x7f) << 21;
    if (byte < 0x80) {
      this.pos = p;
      return v >>> 0;
    }
    // Beyond 28 bits: continue with arithmetic (safe up to 2^53).
    let mul = 0x1000_0000;
    v >>>= 0;
    for (let i = 0; i < 6; i++) {
      byte = b[p++];
      if (byte === undefined) {
        this.pos = this.end + 1;
        return 0;
      }
      v += (byte & 0x7f) * mul;
      if (byte < 0x80) {
        this.pos = p;
        return v;
      }
      mul *= 0x80;
    }
    throw new WalRecordError(`varint too long at offset ${this.pos}`);
  }

  varint(): number {
    const b = this.b;
    const first = b[this.pos];
    if (first < 0x80) {
      this.pos++;
      return first & 1 ? -(first >>> 1) - 1 : first >>> 1;
    }
    // Zigzag value = 2m + sign, split as: first byte holds sign and low 6 bits of m.
    const sign = first & 1;
    const low = (first >>> 1) & 0x3f;
    this.pos++;
    const rest = this.uvarint();
    const m = rest * 64 + low;
    return sign ? -m - 1 : m;
  }

  string(): string {
    const len = this.uvarint();
    const start = this.pos;
    const end = start + len;
    if (end > this.end) throw new WalRecordError('string runs past the end of the record');
    this.pos = end;
    const b = this.b;
    if (len <= 24) {
      // Short ASCII strings are the norm for label names and values; avoid the decoder call.
      let ascii = true;
      for (let i = start; i < end; i++) {
        if (b[i] >= 0x80) {
          ascii = false;
          break;
        }
      }
      if (ascii) {
        let s = '';
        for (let i = start; i < end; i++) s += String.fromCharCode(b[i]);
        return s;
      }
    }
    return utf8.decode(b.subarray(start, end));
  }

  strings(): string[] {
    const n = this.uvarint();
    if (n > this.end - this.pos) throw new WalRecordError('label count exceeds record size');
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(this.string());
    return out;
  }

  check(what: string): void {
    if (this.pos > this.end) throw new WalRecordError(`${what} record truncated`);
  }
}

const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);

function readCount(c: Cursor, minEntryBytes: number, what: string): number {
  const n = c.uvarint();
  c.check(what);
  if (n * minEntryBytes > c.end - c.pos) throw new WalRecordError(`${what} record: count ${n} exceeds payload size`);
  return n;
}

function finishCheck(c: Cursor, what: string): void {
  if (c.pos !== c.end) throw new WalRecordError(`${what} record: ${c.end - c.pos} trailing bytes`);
}

export type SeriesVisitor = (ref: number, labels: string[]) => void;
export type SampleVisitor = (ref: number, t: number, v: number) => void;
export type ExemplarVisitor = (ref: number, t: number, v: number, labels: string[]) => void;
export type TombstoneVisitor = (ref: number, mint: number, maxt: number) => void;
export type MetadataVisitor = (ref: number, type: number, unit: string, help: string) => void;

/** Calls `onSeries` for every series of a Series payload; returns the number of entries. */
export function decodeSeries(payload: Uint8Array, onSeries: SeriesVisitor): number {
  const c = new Cursor();
  c.init(payload);
  const n = readCount(c, 2, 'series');
  // Series of one record usually come from one target and share most label names and values with
  // the series before them. A string whose encoding (length prefix and bytes) equals the previous
  // entry's string at the same position reuses that JS string: no decoding, and its hash is already
  // computed for the lookups (symbol table, postings) that follow.
  let previous: string[] = [];
  let previousAt: number[] = [];
  let previousSize: number[] = [];
  let at: number[] = [];
  let size: number[] = [];
  const b = payload;
  for (let i = 0; i < n; i++) {
    const ref = c.uvarint();
    const count = c.uvarint();
    if (count > c.end - c.pos) throw new WalRecordError('label count exceeds record size');
    const labels: string[] = new Array<string>(count);
    for (let k = 0; k < count; k++) {
      const start = c.pos;
      const len = c.uvarint();
      const end = c.pos + len;
      at[k] = start;
      size[k] = end - start;
      if (k < previous.length && previousSize[k] === end - start && end <= c.end) {
        let same = true;
        for (let p = start, q = previousAt[k]; p < end; p++, q++) {
          if (b[p] !== b[q]) {
            same = false;
            break;
          }
        }
        if (same) {
          labels[k] = previous[k];
          c.pos = end;
          continue;
        }
      }
      c.pos = start;
      labels[k] = c.string();
    }
    c.check('series');
    previous = labels;
    [previousAt, at] = [at, previousAt];
    [previousSize, size] = [size, previousSize];
    onSeries(ref, labels);
  }
  finishCheck(c, 'series');
  return n;
}

/** Number of samples in a Samples (or Exemplars) payload, without decoding them. */
export function sampleCount(payload: Uint8Array): number {
  const c = new Cursor();
  c.init(payload);
  const n = c.uvarint();
  c.check('samples');
  return n;
}

/**
 * Fast zigzag-varint read of up to 2 bytes at `p`, the common case for sample deltas. Returns the
 * decoded value, or NaN when the varint is longer (or runs off the end); the caller then falls back
 * to the cursor. `SKIP` receives the bytes consumed.
 */
let SKIP = 0;
function zz2(b: Uint8Array, p: number): number {
  const x = b[p];
  if (x < 0x80) {
    SKIP = 1;
    return (x >>> 1) ^ -(x & 1);
  }
  const y = b[p + 1];
  if (y < 0x80) {
    const z = (x & 0x7f) | (y << 7);
    SKIP = 2;
    return (z >>> 1) ^ -(z & 1);
  }
  return NaN;
}

/** Reads the Samples header; returns the count and leaves base ref/time in HDR_REF/HDR_T. */
let HDR_REF = 0;
let HDR_T = 0;
function samplesHeader(c: Cursor): number {
  const n = readCount(c, 10, 'samples');
  if (n === 0) {
    finishCheck(c, 'samples');
    return 0;
  }
  HDR_REF = c.uvarint();
  HDR_T = c.varint();
  c.check('samples');
  return n;
}

/**
 * Calls `onSample(ref, t, v)` for every sample of a Samples payload; returns the sample count.
 * The value passes through a JS number; V8 keeps NaN payloads through calls and Float64Array stores,
 * and `decodeSamplesInto`/`decodeSamplesRaw` copy bytes for when that must be guaranteed.
 */
export function decodeSamples(payload: Uint8Array, onSample: SampleVisitor): number {
  const c = new Cursor();
  c.init(payload);
  const n = samplesHeader(c);
  if (n === 0) return 0;
  let ref = HDR_REF;
  const baseT = HDR_T;
  const b = payload;
  const end = c.end;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = c.pos;
  for (let i = 0; i < n; i++) {
    let d = zz2(b, p);
    if (d === d) {
      p += SKIP;
    } else {
      c.pos = p;
      d = c.varint();
      p = c.pos;
    }
    ref += d;
    d = zz2(b, p);
    if (d === d) {
      p += SKIP;
    } else {
      c.pos = p;
      d = c.varint();
      p = c.pos;
    }
    if (p + 8 > end) throw new WalRecordError('samples record truncated');
    const v = dv.getFloat64(p, true);
    p += 8;
    onSample(ref, baseT + d, v);
  }
  c.pos = p;
  finishCheck(c, 'samples');
  return n;
}

/**
 * Like decodeSamples, but hands over the value as its 8 raw little-endian bytes: `payload[valueOffset]`
 * to `payload[valueOffset + 7]`. Used to filter samples without touching their bits.
 */
export function decodeSamplesRaw(
  payload: Uint8Array,
  onSample: (ref: number, t: number, payload: Uint8Array, valueOffset: number) => void,
): number {
  const c = new Cursor();
  c.init(payload);
  const n = samplesHeader(c);
  if (n === 0) return 0;
  let ref = HDR_REF;
  const baseT = HDR_T;
  for (let i = 0; i < n; i++) {
    ref += c.varint();
    const t = baseT + c.varint();
    const p = c.pos;
    if (p + 8 > c.end) throw new WalRecordError('samples record truncated');
    c.pos = p + 8;
    onSample(ref, t, payload, p);
  }
  finishCheck(c, 'samples');
  return n;
}

/**
 * Decodes a Samples payload into caller-provided arrays starting at `offset` (they must have room for
 * `sampleCount(payload)` more entries). Values are copied byte for byte. Returns the sample count.
 */
export function decodeSamplesInto(
  payload: Uint8Array,
  refs: { [i: number]: number; length: number },
  ts: { [i: number]: number; length: number },
  vs: Float64Array,
  offset = 0,
  /** When given, samples with t <= newest[ref] are skipped (replay: already restored). */
  newest?: Float64Array,
): number {
  const c = new Cursor();
  c.init(payload);
  const n = samplesHeader(c);
  if (n === 0) return 0;
  if (offset + n > vs.length || offset + n > refs.length || offset + n > ts.length) {
    throw new RangeError(`decodeSamplesInto: arrays too small for ${n} samples at offset ${offset}`);
  }
  let ref = HDR_REF;
  const baseT = HDR_T;
  const b = payload;
  const end = c.end;
  // Float64Array data is 8-byte aligned, so a Uint32Array view over it always exists. Assumes a
  // little-endian host (all platforms Node supports in practice).
  const vw = new Uint32Array(vs.buffer, vs.byteOffset, vs.length * 2);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = c.pos;
  let written = 0;
  for (let i = 0; i < n; i++) {
    let d = zz2(b, p);
    if (d === d) {
      p += SKIP;
    } else {
      c.pos = p;
      d = c.varint();
      p = c.pos;
    }
    ref += d;
    d = zz2(b, p);
    if (d === d) {
      p += SKIP;
    } else {
      c.pos = p;
      d = c.varint();
      p = c.pos;
    }
    if (p + 8 > end) throw new WalRecordError('samples record truncated');
    const t = baseT + d;
    if (newest !== undefined && ref < newest.length && t <= newest[ref]) {
      p += 8;
      continue;
    }
    const j = offset + written++;
    refs[j] = ref;
    ts[j] = t;
    // Two 32-bit integer copies: bit-exact without going through a float register.
    vw[j * 2] = dv.getUint32(p, true);
    vw[j * 2 + 1] = dv.getUint32(p + 4, true);
    p += 8;
  }
  c.pos = p;
  finishCheck(c, 'samples');
  return written;
}

/** Calls `onExemplar` for every exemplar of an Exemplars payload; returns the count. */
export function decodeExemplars(payload: Uint8Array, onExemplar: ExemplarVisitor): number {
  const c = new Cursor();
  c.init(payload);
  const n = readCount(c, 11, 'exemplars');
  if (n === 0) {
    finishCheck(c, 'exemplars');
    return 0;
  }
  let ref = c.uvarint();
  const baseT = c.varint();
  for (let i = 0; i < n; i++) {
    ref += c.varint();
    const t = baseT + c.varint();
    const p = c.pos;
    if (p + 8 > c.end) throw new WalRecordError('exemplars record truncated');
    for (let k = 0; k < 8; k++) f64Bytes[k] = payload[p + k];
    const v = f64[0];
    c.pos = p + 8;
    const labels = c.strings();
    c.check('exemplars');
    onExemplar(ref, t, v, labels);
  }
  finishCheck(c, 'exemplars');
  return n;
}

/** Calls `onInterval(ref, mint, maxt)` for every deletion interval; returns the count. */
export function decodeTombstones(payload: Uint8Array, onInterval: TombstoneVisitor): number {
  const c = new Cursor();
  c.init(payload);
  const n = readCount(c, 3, 'tombstones');
  for (let i = 0; i < n; i++) {
    const ref = c.uvarint();
    const mint = c.varint();
    const maxt = c.varint();
    c.check('tombstones');
    onInterval(ref, mint, maxt);
  }
  finishCheck(c, 'tombstones');
  return n;
}

/** Calls `onMetadata(ref, type, unit, help)` for every entry; returns the count. */
export function decodeMetadata(payload: Uint8Array, onMetadata: MetadataVisitor): number {
  const c = new Cursor();
  c.init(payload);
  const n = readCount(c, 4, 'metadata');
  for (let i = 0; i < n; i++) {
    const ref = c.uvarint();
    const type = c.uvarint();
    const unit = c.string();
    const help = c.string();
    c.check('metadata');
    onMetadata(ref, type, unit, help);
  }
  finishCheck(c, 'metadata');
  return n;
}
