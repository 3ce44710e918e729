import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStaleNaN, staleNaN } from '../../../model/index.ts';
import { ChunkEncoding, ChunkIterator, compactChunk, decodeChunk } from './codec.ts';
import { DecimalIterator, encodeDecimalChunk } from './decimal.ts';
import { XorAppender } from './xor.ts';

function roundTrip(ts: number[], vs: number[]): void {
  const t = Float64Array.from(ts);
  const v = Float64Array.from(vs);
  const bytes = encodeDecimalChunk(t, v, 0, ts.length);
  assert.ok(bytes !== null, `encodable: ${JSON.stringify(vs)} ${JSON.stringify(ts)}`);
  const it = new DecimalIterator().reset(bytes);
  for (let i = 0; i < ts.length; i++) {
    assert.ok(it.next(), `sample ${i}`);
    assert.equal(it.timestamp, ts[i]);
    assert.ok(Object.is(it.value, vs[i]), `value ${i}: ${it.value} !== ${vs[i]}`);
  }
  assert.equal(it.next(), false);
}

let seed = 42;
function random(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}

test('round-trips exact decimals of every shape', () => {
  const ts = Array.from({ length: 120 }, (_, i) => 1_700_000_000_000 + i * 15_000 + (i % 3 === 0 ? 1 : 0) - (i % 5 === 0 ? 2 : 0));
  roundTrip(ts, ts.map(() => 42));
  roundTrip(ts, ts.map((_, i) => i * 7));
  roundTrip(ts, ts.map((_, i) => Math.round((1234.56 + i * 15.07 + random()) * 100) / 100));
  roundTrip(ts, ts.map((_, i) => 4096 * Math.round(1e6 + random() * 1000 * i)));
  roundTrip(ts, ts.map(() => Math.round((random() - 0.5) * 1e6) / 1e3));
  roundTrip(ts, ts.map((_, i) => (i % 2 === 0 ? 2 ** 49 : -(2 ** 49))));
  roundTrip(ts, ts.map((_, i) => Math.round(i * 0.1 * 10) / 10));
  roundTrip([-5_000, 0, 1, 2 ** 40], [0, 0.5, 1e-12, 3]);
  roundTrip([7], [3.25]);
  // Big jumps in time use the widest buckets.
  roundTrip([0, 1, 2 ** 45, 2 ** 45 + 3], [1, 2, 3, 4]);
});

test('refuses what it cannot represent exactly', () => {
  const ts = Float64Array.from([1, 2, 3]);
  for (const bad of [[1, NaN, 2], [1, Infinity, 2], [0.1 + 0.2, 1, 2], [1, -0, 2], [2 ** 60, 1, 2], [1, staleNaN(), 2], [Math.PI, 1, 2]]) {
    assert.equal(encodeDecimalChunk(ts, Float64Array.from(bad), 0, 3), null, String(bad));
  }
});

test('compactChunk picks the smaller encoding and keeps what it cannot improve', () => {
  const counter = new XorAppender();
  const noisy = new XorAppender();
  const stale = new XorAppender();
  for (let i = 0; i < 120; i++) {
    const t = 1_700_000_000_000 + i * 15_000 + Math.round(random() * 4);
    counter.append(t, Math.round((1000 + i * 15.3 + random()) * 100) / 100);
    noisy.append(t, random());
    stale.append(t, i === 50 ? staleNaN() : i);
  }
  const small = compactChunk(ChunkEncoding.XOR, counter.bytes());
  assert.equal(small.encoding, ChunkEncoding.Decimal);
  assert.ok(small.bytes.length < counter.bytes().length * 0.5, `${small.bytes.length} vs ${counter.bytes().length}`);
  assert.equal(compactChunk(ChunkEncoding.XOR, noisy.bytes()).encoding, ChunkEncoding.XOR);
  const kept = compactChunk(ChunkEncoding.XOR, stale.bytes());
  assert.equal(kept.encoding, ChunkEncoding.XOR);
  const it = new ChunkIterator().reset(kept.encoding, kept.bytes);
  let stales = 0;
  while (it.next()) if (isStaleNaN(it.value)) stales++;
  assert.equal(stales, 1);
  const t = new Float64Array(120);
  const v = new Float64Array(120);
  assert.equal(decodeChunk(small.encoding, small.bytes, t, v, 0), 120);
  const xt = new Float64Array(120);
  const xv = new Float64Array(120);
  decodeChunk(ChunkEncoding.XOR, counter.bytes(), xt, xv, 0);
  assert.deepEqual(t, xt);
  assert.deepEqual(v, xv);
});

test('random decimal series round-trip', () => {
  for (let round = 0; round < 200; round++) {
    const n = 1 + Math.floor(random() * 200);
    const scale = Math.floor(random() * 4);
    const ts: number[] = [];
    const vs: number[] = [];
    let t = Math.floor(random() * 1e12);
    for (let i = 0; i < n; i++) {
      t += 1 + Math.floor(random() * (random() < 0.1 ? 1e7 : 30_000));
      ts.push(t);
      vs.push(Math.round((random() - 0.3) * 10 ** (2 + Math.floor(random() * 8))) / 10 ** scale || 0); // `|| 0`: no -0
    }
    roundTrip(ts, vs);
  }
});

/** Reads a chunk back every way a query does: next(), seek(), and readInto() cut at each maxt and into small arrays. */
function readEveryWay(bytes: Uint8Array, ts: readonly number[], vs: readonly number[]): void {
  const it = new DecimalIterator().reset(bytes);
  for (let i = 0; i < ts.length; i++) {
    assert.ok(it.next(), `next ${i}`);
    assert.equal(it.timestamp, ts[i]);
    assert.ok(Object.is(it.value, vs[i]), `next ${i}: ${it.value} !== ${vs[i]}`);
  }
  assert.equal(it.next(), false);
  for (const k of [0, 1, Math.floor(ts.length / 2), ts.length - 1].filter((x) => x < ts.length)) {
    const seeker = new DecimalIterator().reset(bytes);
    assert.ok(seeker.seek(ts[k]), `seek ${k}`);
    assert.ok(Object.is(seeker.value, vs[k]));
  }
  const all = { t: new Float64Array(ts.length), v: new Float64Array(ts.length) };
  assert.equal(decodeChunk(ChunkEncoding.Decimal, bytes, all.t, all.v, 0), ts.length);
  assert.deepEqual([...all.t], ts);
  assert.deepEqual([...all.v], vs);
  for (const cut of [ts[0], ts[Math.floor(ts.length / 3)], ts[ts.length - 2] ?? ts[0], ts[ts.length - 1]]) {
    // Small arrays and a maxt inside the chunk: the bulk reader stops and resumes in the elided tail.
    const reader = new DecimalIterator().reset(bytes);
    const t = new Float64Array(7);
    const v = new Float64Array(7);
    const gotT: number[] = [];
    const gotV: number[] = [];
    for (let n = reader.readInto(cut, t, v, 0); n > 0; n = reader.readInto(cut, t, v, 0)) {
      gotT.push(...t.subarray(0, n));
      gotV.push(...v.subarray(0, n));
    }
    const want = ts.filter((x) => x <= cut).length;
    assert.deepEqual(gotT, ts.slice(0, want), `readInto up to ${cut}`);
    assert.deepEqual(gotV, vs.slice(0, want));
    assert.equal(reader.exhausted, want === ts.length);
  }
}

test('trailing zero bytes of the bit stream are left out and read back as zeros', () => {
  const ts = Array.from({ length: 120 }, (_, i) => 1_700_000_000_000 + i * 15_000);
  const constant = ts.map(() => 1);
  const bytes = encodeDecimalChunk(Float64Array.from(ts), Float64Array.from(constant), 0, ts.length);
  assert.ok(bytes !== null);
  // count (2) + flags (1) + gcd (1) + t0 (6) + n0 (1) + the first interval's code (20 bits) and
  // value code (1 bit) in 3 bytes; the other 118 × two 0 bits are left out.
  assert.equal(bytes.length, 14);
  assert.equal(bytes[2] & 0x20, 0x20);
  readEveryWay(bytes, ts, constant);

  // A counter that changes, then rises steadily to the end (delta-of-delta codes 0 from some point).
  const counter = ts.map((_, i) => (i < 40 ? 1000 + i * i : 2600 + (i - 40) * 5));
  const steady = encodeDecimalChunk(Float64Array.from(ts), Float64Array.from(counter), 0, ts.length);
  assert.ok(steady !== null && (steady[2] & 0x20) !== 0, 'tail elided');
  readEveryWay(steady, ts, counter);

  // Irregular to the last sample: nothing to leave out, and the reader still refuses a truncated chunk.
  const jittered = ts.map((t, i) => t + (i % 3));
  const busy = ts.map((_, i) => 1000 + i * 7 + (i % 5));
  const full = encodeDecimalChunk(Float64Array.from(jittered), Float64Array.from(busy), 0, ts.length);
  assert.ok(full !== null && (full[2] & 0x20) === 0 && full[full.length - 1] !== 0);
  readEveryWay(full, jittered, busy);
  const cut = full.slice(0, full.length - 4);
  assert.throws(() => {
    const it = new DecimalIterator().reset(cut);
    while (it.next());
  }, /truncated/);
  assert.throws(() => decodeChunk(ChunkEncoding.Decimal, cut, new Float64Array(120), new Float64Array(120), 0), /truncated/);

  // Every prefix length of a series ending steady, including the ones whose tail is part of a byte.
  for (let count = 1; count <= 40; count++) {
    const sub = encodeDecimalChunk(Float64Array.from(ts), Float64Array.from(counter.map((c, i) => (i < 3 ? c : counter[3]))), 0, count);
    assert.ok(sub !== null);
    readEveryWay(sub, ts.slice(0, count), counter.map((c, i) => (i < 3 ? c : counter[3])).slice(0, count));
  }
});

test('compactChunk stores a constant series as little more than its header', () => {
  const app = new XorAppender();
  for (let i = 0; i < 120; i++) app.append(1_700_000_000_000 + i * 15_000, 0);
  const stored = compactChunk(ChunkEncoding.XOR, app.bytes());
  assert.equal(stored.encoding, ChunkEncoding.Decimal);
  assert.ok(stored.bytes.length <= 14, `${stored.bytes.length} bytes`);
  const t = new Float64Array(120);
  const v = new Float64Array(120);
  assert.equal(decodeChunk(stored.encoding, stored.bytes, t, v, 0), 120);
  assert.ok(v.every((x) => x === 0));
  assert.equal(t[119], 1_700_000_000_000 + 119 * 15_000);
});
