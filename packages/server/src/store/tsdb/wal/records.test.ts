import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteBuffer } from './buffer.ts';
import {
  decodeExemplars,
  decodeMetadata,
  decodeSamples,
  decodeSamplesInto,
  decodeSamplesRaw,
  decodeSeries,
  decodeTombstones,
  ExemplarsEncoder,
  MetadataEncoder,
  sampleCount,
  SamplesEncoder,
  SeriesEncoder,
  TombstonesEncoder,
  WalRecordError,
} from './records.ts';

const STALE_BITS = 0x7ff0000000000002n;
function fromBits(bits: bigint): number {
  const u = new BigUint64Array([bits]);
  return new Float64Array(u.buffer)[0];
}
function bitsOf(arr: Float64Array, i: number): bigint {
  return new BigUint64Array(arr.buffer, arr.byteOffset, arr.length)[i];
}

const EDGE_INTS = [
  0, 1, -1, 63, 64, -64, -65, 127, 128, 8191, 8192, 2 ** 27 - 1, 2 ** 27, 2 ** 28, -(2 ** 28), 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 32,
  2 ** 40 + 12345, -(2 ** 40) - 7, 1_700_000_000_000, -1_700_000_000_000, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER - 1, Number.MIN_SAFE_INTEGER + 1,
];

const neg = (v: number): number => (v === 0 ? 0 : -v);

test('varints round-trip every edge value, signed and unsigned', () => {
  const stones = new TombstonesEncoder();
  for (const v of EDGE_INTS) stones.add(Math.abs(v), v, neg(v));
  const got: number[][] = [];
  decodeTombstones(stones.finish(), (ref, mint, maxt) => got.push([ref, mint, maxt]));
  assert.deepEqual(
    got,
    EDGE_INTS.map((v) => [Math.abs(v), v, neg(v)]),
  );
  // Random values across magnitudes.
  const enc = new TombstonesEncoder();
  const want: number[][] = [];
  for (let i = 0; i < 20_000; i++) {
    const mag = 2 ** Math.floor(Math.random() * 53);
    const a = Math.floor(Math.random() * mag);
    const b = Math.random() < 0.5 ? neg(a) : a;
    enc.add(a, b, neg(b));
    want.push([a, b, neg(b)]);
  }
  const got2: number[][] = [];
  decodeTombstones(enc.finish(), (ref, mint, maxt) => got2.push([ref, mint, maxt]));
  assert.deepEqual(got2, want);
});

test('ByteBuffer grows and zigzag encoding matches the standard layout', () => {
  const b = new ByteBuffer(16);
  b.varint(-1);
  b.varint(1);
  b.varint(-65);
  b.uvarint(300);
  assert.deepEqual([...b.view()], [0x01, 0x02, 0x81, 0x01, 0xac, 0x02]);
  for (let i = 0; i < 10_000; i++) b.uvarint(i);
  assert.ok(b.bytes.length >= b.length);
});

test('series round trip (unicode, empty set, long strings)', () => {
  const enc = new SeriesEncoder();
  const input: [number, string[]][] = [
    [1, ['__name__', 'up', 'job', 'api']],
    [2, []],
    [2 ** 40, ['__name__', 'héllo_wörld', 'emoji', '🚀🔥', 'empty', '']],
    [7, ['long', 'x'.repeat(5000), 'mixed', `${'a'.repeat(20)}é`]],
  ];
  for (const [ref, labels] of input) enc.add(ref, labels);
  assert.equal(enc.count, 4);
  const got: [number, string[]][] = [];
  assert.equal(
    decodeSeries(enc.finish(), (ref, labels) => got.push([ref, labels])),
    4,
  );
  assert.deepEqual(got, input);
  // Reuse after reset.
  enc.reset();
  enc.add(9, ['a', 'b']);
  const again: [number, string[]][] = [];
  decodeSeries(enc.finish(), (ref, labels) => again.push([ref, labels]));
  assert.deepEqual(again, [[9, ['a', 'b']]]);
});

test('samples round trip with negative times, unordered refs and special values', () => {
  const enc = new SamplesEncoder();
  const rows: [number, number, number][] = [
    [100, 1_700_000_000_000, 1.5],
    [5, 1_700_000_000_000 - 99_999, -0],
    [2 ** 45, -5_000, Infinity],
    [0, 0, -Infinity],
    [100, Number.MIN_SAFE_INTEGER + 2 ** 52, Number.MIN_VALUE],
    [101, 1_700_000_015_000, Number.MAX_VALUE],
  ];
  for (const [r, t, v] of rows) enc.add(r, t, v);
  const payload = enc.finish();
  assert.equal(sampleCount(payload), rows.length);
  const got: [number, number, number][] = [];
  decodeSamples(payload, (r, t, v) => got.push([r, t, v]));
  assert.deepEqual(got, rows);
  assert.ok(Object.is(got[1][2], -0));
});

test('empty records decode to nothing', () => {
  for (const Enc of [SeriesEncoder, SamplesEncoder, ExemplarsEncoder, TombstonesEncoder, MetadataEncoder]) {
    const enc = new Enc();
    assert.deepEqual([...enc.finish()], [0]);
  }
  assert.equal(
    decodeSamples(new Uint8Array([0]), () => assert.fail()),
    0,
  );
  assert.equal(
    decodeSeries(new Uint8Array([0]), () => assert.fail()),
    0,
  );
});

test('NaN payloads (the stale marker) survive encode/decode bit for bit', () => {
  const nans = [STALE_BITS, 0x7ff8000000000001n, 0xfff0000000000001n, 0x7fffffffffffffffn, 0x7ff8000000000000n];
  const vs = new Float64Array(nans.length);
  new BigUint64Array(vs.buffer).set(nans);
  const refs = [1, 2, 3, 4, 5];
  const ts = [10, 20, 30, 40, 50];

  // Bulk path (byte copy from the Float64Array).
  const enc = new SamplesEncoder();
  enc.addFrom(refs, ts, vs);
  const p1 = enc.finish().slice();
  // Scalar path (value through a JS number), warmed up so the optimising compiler kicks in.
  const enc2 = new SamplesEncoder();
  for (let round = 0; round < 2000; round++) {
    enc2.reset();
    for (let i = 0; i < nans.length; i++) enc2.add(refs[i], ts[i], vs[i]);
  }
  const p2 = enc2.finish().slice();
  assert.deepEqual(p1, p2);

  // Visitor into a Float64Array, warmed up.
  const out = new Float64Array(nans.length);
  for (let round = 0; round < 2000; round++) {
    let i = 0;
    decodeSamples(p1, (_r, _t, v) => {
      out[i++] = v;
    });
  }
  for (let i = 0; i < nans.length; i++) assert.equal(bitsOf(out, i), nans[i], `visitor sample ${i}`);

  // Into typed arrays.
  const r2 = new Float64Array(8);
  const t2 = new Float64Array(8);
  const v2 = new Float64Array(8);
  assert.equal(decodeSamplesInto(p1, r2, t2, v2, 2), 5);
  for (let i = 0; i < nans.length; i++) {
    assert.equal(bitsOf(v2, i + 2), nans[i]);
    assert.equal(r2[i + 2], refs[i]);
    assert.equal(t2[i + 2], ts[i]);
  }
  assert.throws(() => decodeSamplesInto(p1, r2, t2, v2, 4), RangeError);

  // Skipping samples no newer than a per-ref time (replay after restoring head chunks).
  const newest = new Float64Array(Math.max(...refs) + 1).fill(-Infinity);
  newest[refs[0]] = ts[0];
  const r3 = new Float64Array(8);
  const t3 = new Float64Array(8);
  const v3 = new Float64Array(8);
  const kept = decodeSamplesInto(p1, r3, t3, v3, 0, newest);
  const expected = refs.map((ref, i) => ({ ref, t: ts[i], bits: nans[i] })).filter((x) => !(x.t <= newest[x.ref]));
  assert.equal(kept, expected.length);
  assert.ok(kept < refs.length, 'something was skipped');
  for (let i = 0; i < kept; i++) {
    assert.equal(r3[i], expected[i].ref);
    assert.equal(t3[i], expected[i].t);
    assert.equal(bitsOf(v3, i), expected[i].bits);
  }

  // Raw view.
  const raw: bigint[] = [];
  decodeSamplesRaw(p1, (_r, _t, b, at) => raw.push(new DataView(b.buffer, b.byteOffset + at, 8).getBigUint64(0, true)));
  assert.deepEqual(raw, nans);
  assert.ok(Number.isNaN(fromBits(STALE_BITS)));
});

test('exemplars round trip', () => {
  const enc = new ExemplarsEncoder();
  const rows: [number, number, number, string[]][] = [
    [3, 1000, 0.25, ['trace_id', 'abc123', 'span_id', 'def']],
    [1, -1000, 99, []],
    [2 ** 33, 2 ** 42, -1e300, ['k', 'ü']],
  ];
  for (const [r, t, v, l] of rows) enc.add(r, t, v, l);
  const got: typeof rows = [];
  assert.equal(
    decodeExemplars(enc.finish(), (r, t, v, l) => got.push([r, t, v, l])),
    3,
  );
  assert.deepEqual(got, rows);
});

test('tombstones and metadata round trip', () => {
  const t = new TombstonesEncoder();
  t.add(1, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  t.add(1, -100, 100);
  t.add(2 ** 50, 0, 0);
  const got: number[][] = [];
  decodeTombstones(t.finish(), (r, a, b) => got.push([r, a, b]));
  assert.deepEqual(got, [
    [1, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
    [1, -100, 100],
    [2 ** 50, 0, 0],
  ]);

  const m = new MetadataEncoder();
  m.add(1, 1, 'seconds', 'Time spent. ✓');
  m.add(2, 0, '', '');
  m.add(3, 7, 'bytes', 'h'.repeat(3000));
  const md: [number, number, string, string][] = [];
  decodeMetadata(m.finish(), (r, ty, u, h) => md.push([r, ty, u, h]));
  assert.deepEqual(md, [
    [1, 1, 'seconds', 'Time spent. ✓'],
    [2, 0, '', ''],
    [3, 7, 'bytes', 'h'.repeat(3000)],
  ]);
});

test('malformed payloads throw WalRecordError instead of yielding garbage', () => {
  const enc = new SamplesEncoder();
  for (let i = 0; i < 10; i++) enc.add(i, i * 1000, i);
  const p = enc.finish().slice();
  for (let cut = 1; cut < p.length; cut++) {
    const seen: number[] = [];
    assert.throws(
      () => decodeSamples(p.subarray(0, cut), (r) => seen.push(r)),
      WalRecordError,
      `cut at ${cut}`,
    );
  }
  const extra = new Uint8Array(p.length + 1);
  extra.set(p);
  assert.throws(() => decodeSamples(extra, () => {}), WalRecordError);

  const s = new SeriesEncoder();
  s.add(1, ['a', 'b']);
  const sp = s.finish().slice();
  for (let cut = 1; cut < sp.length; cut++) assert.throws(() => decodeSeries(sp.subarray(0, cut), () => {}), WalRecordError);
});

test('samples with large deltas use multi-byte varints and stay compact for typical data', () => {
  const enc = new SamplesEncoder();
  for (let i = 0; i < 1000; i++) enc.add(1000 + i, 1_700_000_000_000 + (i % 7), i);
  // 1 count varint + base + per sample ~2 (ref delta) + 1 (time delta) + 8.
  assert.ok(enc.finish().length < 1000 * 12, `payload ${enc.finish().length} bytes`);
});
