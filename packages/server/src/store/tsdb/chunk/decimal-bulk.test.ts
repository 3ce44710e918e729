import { test } from 'node:test';
import assert from 'node:assert/strict';
import { staleNaN } from '../../../model/index.ts';
import { ChunkEncoding, ChunkIterator, compactChunk, decodeChunk } from './codec.ts';
import { DecimalIterator, encodeDecimalChunk } from './decimal.ts';
import { XorAppender } from './xor.ts';

/*
 * The decimal bulk decoder (readInto, used by decodeChunk and every query) reads each sample through
 * one 32-bit window, with shortcuts for scrape-shaped samples; next() is the separate bit-by-bit
 * reader. Random chunks of every shape must come out of both the same, bit for bit, however the bulk
 * read is cut (maxt inside the chunk, small output arrays).
 */

let seed = 7;
function random(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}

/** Every sample by next(), the bit-by-bit reader. */
function bitByBit(bytes: Uint8Array): { t: number[]; v: number[] } {
  const it = new DecimalIterator().reset(bytes);
  const t: number[] = [];
  const v: number[] = [];
  while (it.next()) {
    t.push(it.timestamp);
    v.push(it.value);
  }
  return { t, v };
}

function sameBits(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) assert.ok(Object.is(got[i], want[i]), `${what} ${i}: ${got[i]} !== ${want[i]}`);
}

/** A chunk of wide codes (many nonzero bytes), decoded between reads to dirty shared scratch space. */
const NOISY = (() => {
  const count = 400;
  const ts = Float64Array.from({ length: count }, (_, i) => 1_600_000_000_000 + i * 7_777 + ((i * 7919) % 5_000));
  const vs = Float64Array.from({ length: count }, (_, i) => ((i * 104729) % 1_000_003) * (i % 2 === 0 ? 1 : -1) || 0);
  const bytes = encodeDecimalChunk(ts, vs, 0, count);
  assert.ok(bytes !== null);
  return bytes;
})();
const noisyT = new Float64Array(400);
const noisyV = new Float64Array(400);

/** The bulk reader against next(), whole and cut at maxt values with arrays of `room` entries. */
function checkBulk(bytes: Uint8Array, ts: readonly number[], vs: readonly number[]): void {
  const reference = bitByBit(bytes);
  sameBits(reference.t, ts, 'next() timestamps');
  sameBits(reference.v, vs, 'next() values');
  const t = new Float64Array(ts.length + 3);
  const v = new Float64Array(ts.length + 3);
  assert.equal(decodeChunk(ChunkEncoding.Decimal, bytes, t, v, 3), ts.length);
  sameBits(t.subarray(3), ts, 'decodeChunk timestamps');
  sameBits(v.subarray(3), vs, 'decodeChunk values');
  const cuts = [ts[0] - 1, ts[0], ts[Math.floor(ts.length / 2)], ts[ts.length - 1] - 1, ts[ts.length - 1], Infinity];
  for (const room of [1, 3, 64]) {
    for (const maxt of cuts) {
      const reader = new DecimalIterator().reset(bytes);
      const gotT: number[] = [];
      const gotV: number[] = [];
      const bufferT = new Float64Array(room);
      const bufferV = new Float64Array(room);
      for (let n = reader.readInto(maxt, bufferT, bufferV, 0); n > 0; n = reader.readInto(maxt, bufferT, bufferV, 0)) {
        gotT.push(...bufferT.subarray(0, n));
        gotV.push(...bufferV.subarray(0, n));
        // Another chunk decoded between two reads of this one (as a merge of blocks does) must not
        // leave anything this one reads, past its end included.
        decodeChunk(ChunkEncoding.Decimal, NOISY, noisyT, noisyV, 0);
      }
      const want = ts.filter((x) => x <= maxt).length;
      sameBits(gotT, ts.slice(0, want), `readInto(${maxt}) in ${room} timestamps`);
      sameBits(gotV, vs.slice(0, want), `readInto(${maxt}) in ${room} values`);
      // What readInto left unread, next() returns.
      if (want < ts.length) {
        assert.ok(reader.next());
        assert.equal(reader.timestamp, ts[want]);
        assert.ok(Object.is(reader.value, vs[want]));
      }
    }
  }
}

/** Value steps of every code width (0, 4, 8, 16, 32 and 53 bits) and walks of −1/0/+1. */
function valueStep(kind: number): number {
  switch (kind) {
    case 0:
      return 0;
    case 1:
      return Math.floor(random() * 3) - 1;
    case 2:
      return Math.floor(random() * 200) - 100;
    case 3:
      return Math.floor(random() * 60_000) - 30_000;
    case 4:
      return Math.floor(random() * 4e9) - 2e9;
    default:
      return Math.floor(random() * 2e14) - 1e14;
  }
}

test('bulk decoding equals the bit-by-bit reader on random chunks of every scale and code width', () => {
  for (let round = 0; round < 400; round++) {
    const scale = round % 13;
    const count = round % 17 === 0 ? 1 : 1 + Math.floor(random() * 240);
    const kind = Math.floor(random() * 6);
    const jitter = random() < 0.5 ? 0 : random() < 0.5 ? 3 : 5_000;
    const ts: number[] = [];
    const vs: number[] = [];
    let t = 1_700_000_000_000 + Math.floor(random() * 1e6);
    // Integers small enough that n / 10^scale stays exact at every scale.
    let n = Math.floor(random() * 1000);
    for (let i = 0; i < count; i++) {
      ts.push(t);
      vs.push(n / 10 ** scale || 0); // `|| 0`: no -0
      t += 15_000 + (jitter === 0 ? 0 : Math.floor(random() * jitter));
      // Mostly the chosen step kind, now and then a run of steady samples or a wide jump.
      const r = random();
      n += r < 0.2 ? 0 : r < 0.25 ? valueStep(Math.floor(random() * 6)) : valueStep(kind);
      if (Math.abs(n) > 2 ** 50) n = Math.floor(random() * 1000);
    }
    const bytes = encodeDecimalChunk(Float64Array.from(ts), Float64Array.from(vs), 0, count);
    if (bytes === null) continue;
    checkBulk(bytes, ts, vs);
  }
});

test('bulk decoding of a scrape-shaped chunk: on-time samples whose values move by one', () => {
  const ts = Array.from({ length: 120 }, (_, i) => 1_700_000_000_375 + i * 15_000);
  const vs: number[] = [];
  let value = 20;
  for (let i = 0; i < ts.length; i++) {
    vs.push(value);
    value = Math.max(0, value + Math.floor(random() * 3) - 1);
  }
  const bytes = encodeDecimalChunk(Float64Array.from(ts), Float64Array.from(vs), 0, ts.length);
  assert.ok(bytes !== null);
  checkBulk(bytes, ts, vs);
  // One sample, at each scale.
  for (let scale = 0; scale <= 12; scale++) {
    const one = encodeDecimalChunk(Float64Array.of(ts[0]), Float64Array.of(123 / 10 ** scale), 0, 1);
    assert.ok(one !== null);
    checkBulk(one, [ts[0]], [123 / 10 ** scale]);
  }
});

test('chunks holding NaN, ±Inf and stale markers stay XOR and read back bit for bit in bulk', () => {
  const appender = new XorAppender();
  const ts: number[] = [];
  // A typed array: a plain array may store every NaN as the one canonical NaN.
  const vs = new Float64Array(120);
  for (let i = 0; i < 120; i++) {
    const t = 1_700_000_000_000 + i * 15_000;
    vs[i] = i === 10 ? NaN : i === 20 ? Infinity : i === 30 ? -Infinity : i === 40 ? staleNaN() : i % 7;
    appender.append(t, vs[i]);
    ts.push(t);
  }
  const compacted = compactChunk(ChunkEncoding.XOR, appender.bytes());
  assert.equal(compacted.encoding, ChunkEncoding.XOR);
  const t = new Float64Array(ts.length);
  const v = new Float64Array(ts.length);
  assert.equal(decodeChunk(compacted.encoding, compacted.bytes, t, v, 0), ts.length);
  const it = new ChunkIterator().reset(compacted.encoding, compacted.bytes);
  for (let i = 0; i < ts.length; i++) {
    assert.ok(it.next());
    assert.equal(t[i], it.timestamp);
    // Bit for bit: the stale marker's NaN payload is not an ordinary NaN's.
    assert.deepEqual(new Uint8Array(v.buffer, i * 8, 8), new Uint8Array(vs.buffer, i * 8, 8), `value ${i}`);
    assert.ok(Object.is(it.value, vs[i]) || (Number.isNaN(it.value) && Number.isNaN(vs[i])), `next() value ${i}`);
  }
});
