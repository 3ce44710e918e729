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
