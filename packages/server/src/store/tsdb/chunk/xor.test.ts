import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { STALE_NAN_BITS, isStaleNaN, staleNaN } from '../../../model/index.ts';
import { XorAppender, XorIterator, decodeXorChunk, xorChunkSampleCount } from './index.ts';

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

function bitsOf(v: number): bigint {
  f64[0] = v;
  return u64[0];
}
function fromBits(b: bigint): number {
  u64[0] = b;
  return f64[0];
}

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  name: string;
  ts: number[];
  /** Values as raw bits so NaN payloads are part of the expectation. */
  bits: bigint[];
}

function caseOf(name: string, ts: number[], vs: number[]): Case {
  const bits = new Array<bigint>(vs.length);
  // Store through a Float64Array so NaN payloads made with fromBits are kept.
  for (let i = 0; i < vs.length; i++) bits[i] = bitsOf(vs[i]);
  return { name, ts, bits };
}

function caseOfBits(name: string, ts: number[], bits: bigint[]): Case {
  return { name, ts, bits };
}

function encode(c: Case, capacity?: number): XorAppender {
  const app = new XorAppender(capacity);
  for (let i = 0; i < c.ts.length; i++) app.append(c.ts[i], fromBits(c.bits[i]));
  return app;
}

function checkDecoded(c: Case, bytes: Uint8Array): void {
  assert.equal(xorChunkSampleCount(bytes), c.ts.length, `${c.name}: count`);
  // Iterator.
  const iter = new XorIterator().reset(bytes);
  for (let i = 0; i < c.ts.length; i++) {
    assert.ok(iter.next(), `${c.name}: next ${i}`);
    assert.equal(iter.timestamp, c.ts[i], `${c.name}: timestamp ${i}`);
    assert.equal(bitsOf(iter.value), c.bits[i], `${c.name}: value bits ${i}`);
  }
  assert.equal(iter.next(), false, `${c.name}: exhausted`);
  assert.equal(iter.next(), false, `${c.name}: stays exhausted`);
  assert.equal(iter.seek(-Infinity), false, `${c.name}: seek after end`);
  // Bulk decode at an offset.
  const ts = new Float64Array(c.ts.length + 3);
  const vs = new Float64Array(c.ts.length + 3);
  assert.equal(decodeXorChunk(bytes, ts, vs, 3), c.ts.length);
  const words = new BigUint64Array(vs.buffer);
  for (let i = 0; i < c.ts.length; i++) {
    assert.equal(ts[i + 3], c.ts[i], `${c.name}: bulk timestamp ${i}`);
    assert.equal(words[i + 3], c.bits[i], `${c.name}: bulk value bits ${i}`);
  }
}

function roundTrip(c: Case): void {
  const app = encode(c, 8);
  assert.equal(app.count, c.ts.length);
  if (c.ts.length > 0) {
    assert.equal(app.minTime, c.ts[0]);
    assert.equal(app.maxTime, c.ts[c.ts.length - 1]);
    assert.equal(bitsOf(app.lastValue), c.bits[c.bits.length - 1]);
  }
  const bytes = app.bytes();
  assert.equal(bytes.length, app.byteLength);
  checkDecoded(c, bytes.slice());
}

function regular(n: number, start: number, step: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(start + i * step);
  return out;
}

const STALE = staleNaN();
const OTHER_NAN = fromBits(0x7ff8000000000001n);
const NEG_NAN = fromBits(0xfff8000000000000n);

function adversarialCases(): Case[] {
  const cases: Case[] = [];
  cases.push(caseOf('one sample', [1000], [1]));
  cases.push(caseOf('one sample negative t', [-123456789], [-0]));
  cases.push(caseOf('one stale sample', [0], [STALE]));
  cases.push(caseOf('two samples', [0, 1], [1, 2]));
  cases.push(caseOf('constant 130', regular(130, 1_700_000_000_000, 15_000), new Array(130).fill(42)));
  cases.push(caseOf('zeros', regular(120, 0, 15_000), new Array(120).fill(0)));
  cases.push(
    caseOf(
      'specials',
      regular(12, -50_000, 5_000),
      [NaN, STALE, Infinity, -Infinity, -0, 0, OTHER_NAN, NEG_NAN, Number.MIN_VALUE, -Number.MAX_VALUE, STALE, 1],
    ),
  );
  cases.push(
    caseOfBits(
      'raw extreme bits',
      regular(8, 0, 1),
      [0n, 0xffffffffffffffffn, 0n, 0x8000000000000001n, 0x0000000100000000n, 0x00000000ffffffffn, 0xffffffff00000000n, STALE_NAN_BITS],
    ),
  );
  // Huge and irregular gaps across every delta-of-delta bucket boundary.
  const dods = [0, 1, -1, 8191, -8191, 8192, -8192, 8193, 65535, -65535, 65536, -65536, 65537, 524287, -524287, 524288, -524288, 524289, 2 ** 31, -(2 ** 31), 2 ** 32 + 5, -(2 ** 33)];
  const ts: number[] = [-(2 ** 40)];
  let delta = 2 ** 35;
  ts.push(ts[0] + delta);
  for (const dod of dods) {
    delta += dod;
    ts.push(ts[ts.length - 1] + delta);
  }
  cases.push(caseOf('bucket boundaries', ts, ts.map((_, i) => i * 1.5)));
  cases.push(caseOf('huge first delta', [-(2 ** 50), 2 ** 50, 2 ** 50 + 1], [1, 2, 3]));
  cases.push(caseOf('negative timestamps', regular(200, -1_000_000, 997), regular(200, 0, 0.1)));
  cases.push(caseOf('max safe timestamps', [2 ** 51, 2 ** 52 - 1], [1, 1]));
  // Value windows that shrink and grow (exercises reuse and new-window paths and the 64-bit window).
  cases.push(caseOf('alternating magnitudes', regular(150, 0, 1000), regular(150, 0, 1).map((i) => (i % 3 === 0 ? 1e300 : i % 3 === 1 ? -1e-300 : i))));
  cases.push(caseOfBits('sign flip full window', regular(4, 0, 1), [0n, 0x8000000000000001n, 0n, 0xc000000000000003n]));
  return cases;
}

function randomCases(seeds: number): Case[] {
  const cases: Case[] = [];
  for (let s = 1; s <= seeds; s++) {
    const r = rng(s);
    const n = 1 + Math.floor(r() * 400);
    const ts: number[] = [];
    const bits: bigint[] = [];
    let t = Math.floor((r() - 0.5) * 2 ** 45);
    let v = r() * 1000;
    const mode = s % 5;
    for (let i = 0; i < n; i++) {
      ts.push(t);
      const kind = r();
      if (mode === 0) bits.push(BigInt.asUintN(64, (BigInt(Math.floor(r() * 2 ** 32)) << 32n) | BigInt(Math.floor(r() * 2 ** 32))));
      else if (kind < 0.03) bits.push(STALE_NAN_BITS);
      else if (kind < 0.05) bits.push(bitsOf(r() < 0.5 ? Infinity : -0));
      else {
        if (mode === 1) v += Math.floor(r() * 100); // counter
        else if (mode === 2) v = r() * 1e6; // noisy gauge
        else if (mode === 3) v = r() < 0.8 ? v : Math.round(r() * 10); // mostly constant
        else v = v * (1 + (r() - 0.5) * 1e-3);
        bits.push(bitsOf(v));
      }
      const g = r();
      t += g < 0.7 ? 15_000 + Math.floor((r() - 0.5) * 20) : g < 0.9 ? 1 + Math.floor(r() * 100_000) : 1 + Math.floor(r() * 2 ** 40);
    }
    cases.push({ name: `random seed ${s} mode ${mode}`, ts, bits });
  }
  return cases;
}

describe('XOR chunk', () => {
  it('matches the Prometheus XOR layout byte for byte', () => {
    const app = new XorAppender();
    app.append(1000, 1);
    assert.deepEqual([...app.bytes()], [0x00, 0x01, 0xd0, 0x0f, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0]);
    app.append(16_000, 1);
    assert.deepEqual([...app.bytes()], [0x00, 0x02, 0xd0, 0x0f, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0, 0x98, 0x75, 0x00]);
    // Third sample: dod 0 ('0'), value 2.0: XOR 0x7ff0… → '11', leading 1, sig 11, bits 0x7ff.
    app.append(31_000, 2);
    // Bits after byte 14's first bit ('0' of the second value): '0' '11' 00001 001011 11111111111
    const b = app.bytes();
    assert.equal(b.length, 18);
    const bits = [...b.subarray(14)].map((x) => x.toString(2).padStart(8, '0')).join('');
    assert.equal(bits.slice(0, 1 + 1 + 2 + 5 + 6 + 11), ['0', '0', '11', '00001', '001011', '11111111111'].join(''));
  });

  it('an empty appender is a valid empty chunk', () => {
    const app = new XorAppender();
    assert.equal(app.count, 0);
    assert.equal(app.byteLength, 2);
    assert.equal(app.minTime, Infinity);
    assert.equal(app.maxTime, -Infinity);
    assert.deepEqual([...app.bytes()], [0, 0]);
    const iter = new XorIterator().reset(app.bytes());
    assert.equal(iter.next(), false);
    assert.equal(decodeXorChunk(app.bytes(), new Float64Array(0), new Float64Array(0), 0), 0);
  });

  for (const c of adversarialCases()) {
    it(`round trips: ${c.name}`, () => roundTrip(c));
  }

  it('round trips 300 random series', () => {
    for (const c of randomCases(300)) roundTrip(c);
  });

  it('every prefix of the appender output is a complete chunk', () => {
    const c = randomCases(7)[6];
    const app = new XorAppender(4);
    for (let i = 0; i < c.ts.length; i++) {
      app.append(c.ts[i], fromBits(c.bits[i]));
      const prefix: Case = { name: `${c.name} prefix ${i + 1}`, ts: c.ts.slice(0, i + 1), bits: c.bits.slice(0, i + 1) };
      checkDecoded(prefix, app.bytes());
    }
  });

  it('reset reuses the buffer and starts a fresh chunk', () => {
    const app = new XorAppender(16);
    const a = caseOf('a', regular(200, 0, 15_000), regular(200, 0, 3.25));
    const b = caseOf('b', regular(5, -7, 3), [STALE, 1, 2, 3, -0]);
    for (let i = 0; i < a.ts.length; i++) app.append(a.ts[i], fromBits(a.bits[i]));
    app.reset();
    assert.equal(app.count, 0);
    assert.deepEqual([...app.bytes()], [0, 0]);
    for (let i = 0; i < b.ts.length; i++) app.append(b.ts[i], fromBits(b.bits[i]));
    checkDecoded(b, app.bytes());
  });

  it('keeps the stale marker exact through the iterator value', () => {
    const app = new XorAppender();
    app.append(0, 1);
    app.append(1, STALE);
    app.append(2, NaN);
    assert.ok(isStaleNaN(app.lastValue) === false);
    const iter = new XorIterator().reset(app.bytes());
    iter.next();
    assert.ok(iter.next());
    assert.ok(isStaleNaN(iter.value));
    assert.ok(iter.next());
    assert.ok(Number.isNaN(iter.value) && !isStaleNaN(iter.value));
  });

  it('seeks forward, stays on the current sample, and fails past the end', () => {
    const c = caseOf('seek', regular(300, 1000, 10), regular(300, 0, 1));
    const bytes = encode(c).bytes();
    const iter = new XorIterator().reset(bytes);
    assert.ok(iter.seek(-5));
    assert.equal(iter.timestamp, 1000);
    assert.ok(iter.seek(1000));
    assert.equal(iter.timestamp, 1000);
    assert.ok(iter.seek(1505));
    assert.equal(iter.timestamp, 1510);
    assert.equal(iter.value, 51);
    assert.ok(iter.seek(1200)); // backwards: stays
    assert.equal(iter.timestamp, 1510);
    assert.ok(iter.next());
    assert.equal(iter.timestamp, 1520);
    assert.ok(iter.seek(3990));
    assert.equal(iter.timestamp, 3990);
    assert.equal(iter.seek(3991), false);
    assert.equal(iter.next(), false);
  });

  it('iterates a chunk inside a larger buffer via offset/length', () => {
    const c = caseOf('embedded', regular(130, 0, 15_000), regular(130, 5, 2));
    const chunk = encode(c).bytes();
    const big = new Uint8Array(chunk.length + 20).fill(0xaa);
    big.set(chunk, 7);
    const iter = new XorIterator().reset(big, 7, chunk.length);
    let n = 0;
    while (iter.next()) {
      assert.equal(iter.timestamp, c.ts[n]);
      n++;
    }
    assert.equal(n, 130);
  });

  it('detects truncated chunks', () => {
    const c = caseOf('trunc', regular(50, 0, 15_123), regular(50, 0, Math.PI));
    const bytes = encode(c).bytes();
    const iter = new XorIterator().reset(bytes.subarray(0, bytes.length - 6));
    assert.throws(() => {
      while (iter.next());
    }, /corrupt XOR chunk/);
    assert.throws(() => new XorIterator().reset(new Uint8Array(1)), /corrupt XOR chunk/);
  });

  it('encodes regular scrape data compactly', () => {
    const app = new XorAppender();
    for (let i = 0; i < 120; i++) app.append(1_700_000_000_000 + i * 15_000, 1);
    // Header 2 + varint(2·t0) 6 + value 8, then uvarint(15000) 2 bytes + 1 bit, then 2 bits per sample.
    assert.equal(app.byteLength, 2 + 6 + 8 + 2 + Math.ceil((1 + 118 * 2) / 8));
  });
});
