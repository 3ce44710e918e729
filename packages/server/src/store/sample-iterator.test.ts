/**
 * One conformance suite for every SampleIterator: random samples, random sequences of next / seek /
 * readInto (small and large buffers, offsets, maxt inside chunks and on sample times), checked
 * against a model cursor over the expected samples. readInto must give exactly what next() gives,
 * value bits included (stale markers), and leave the cursor where the contract says.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { LabelMatcher, staleNaN } from '../model/index.ts';
import { ArraySampleIterator } from './iterators.ts';
import { MergeIterator } from './merge.ts';
import type { SampleIterator } from './types.ts';
import { ChunkEncoding, ChunkIterator, DecimalIterator, XorAppender, XorIterator, compactChunk, encodeDecimalChunk } from './tsdb/chunk/index.ts';
import { Block, writeBlock } from './tsdb/block/index.ts';
import type { ChunkData } from './tsdb/block/index.ts';
import { rng, tempDir } from './tsdb/block/testutil.ts';
import { ChunksIterator, Head } from './tsdb/head/index.ts';
import { DeletedIntervalsIterator } from './tsdb/head/deleted-iterator.ts';

type Random = () => number;

/** Samples in time order; values in a Float64Array so NaN payloads are exact. */
interface Samples {
  ts: Float64Array;
  vs: Float64Array;
}

interface Case {
  expected: Samples;
  iterator: () => SampleIterator;
}

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;
const words = (array: Float64Array, i: number): [number, number] => {
  const w = new Uint32Array(array.buffer, array.byteOffset + i * 8, 2);
  return [w[0], w[1]];
};

function int(r: Random, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

/** Increasing timestamps: mostly a 15 s step with jitter, sometimes a gap. */
function times(r: Random, n: number, start = T0): Float64Array {
  const ts = new Float64Array(n);
  let t = start + int(r, 0, 10_000);
  const regular = r() < 0.5;
  for (let i = 0; i < n; i++) {
    ts[i] = t;
    const roll = r();
    t += roll < (regular ? 0.98 : 0.8) ? 15_000 : roll < 0.99 ? int(r, 1, 100) : int(r, 1, 2_000_000);
  }
  return ts;
}

/** Values of one kind: counters (decimal-friendly), floats, or floats with stale markers and NaNs. */
function values(r: Random, n: number, kind: 'decimal' | 'any'): Float64Array {
  const vs = new Float64Array(n);
  let v = int(r, 0, 1000);
  const scale = [1, 10, 100][int(r, 0, 2)];
  // Steady counters (the same step nearly every time) make long runs of zero codes.
  const steady = r() < 0.5;
  let increment = int(r, 0, 50);
  for (let i = 0; i < n; i++) {
    if (kind === 'decimal') {
      if (!steady || r() < 0.02) increment = int(r, 0, 50);
      v += increment;
      vs[i] = v / scale;
      continue;
    }
    const roll = r();
    if (roll < 0.05) vs[i] = staleNaN();
    else if (roll < 0.07) vs[i] = NaN;
    else if (roll < 0.5) vs[i] = (v += int(r, 0, 9));
    else vs[i] = (r() - 0.5) * 10 ** int(r, -3, 12);
  }
  return vs;
}

function xorChunks(ts: Float64Array, vs: Float64Array, from: number, to: number, r: Random): ChunkData[] {
  const out: ChunkData[] = [];
  const app = new XorAppender();
  let perChunk = int(r, 1, 200);
  for (let i = from; i < to; i++) {
    app.append(ts[i], vs[i]);
    if (app.count === perChunk || i === to - 1) {
      out.push({ minTime: app.minTime, maxTime: app.maxTime, bytes: app.bytes().slice() });
      app.reset();
      perChunk = int(r, 1, 200);
    }
  }
  return out;
}

function filter(s: Samples, keep: (t: number) => boolean): Samples {
  const ts: number[] = [];
  const index: number[] = [];
  for (let i = 0; i < s.ts.length; i++) {
    if (keep(s.ts[i])) {
      ts.push(s.ts[i]);
      index.push(i);
    }
  }
  const vs = new Float64Array(index.length);
  index.forEach((from, to) => vs.set(s.vs.subarray(from, from + 1), to));
  return { ts: Float64Array.from(ts), vs };
}

/** Random sorted, merged, inclusive deleted intervals over the samples' span. */
function deletedIntervals(r: Random, s: Samples): Float64Array {
  if (s.ts.length === 0) return new Float64Array(0);
  const lo = s.ts[0];
  const hi = s.ts[s.ts.length - 1];
  const out: number[] = [];
  let t = lo - int(r, 0, 20_000);
  const count = int(r, 1, 4);
  for (let k = 0; k < count && t <= hi; k++) {
    const start = t + int(r, 0, Math.max(1, Math.floor((hi - lo) / count)));
    const end = start + (r() < 0.5 ? int(r, 0, 60_000) : int(r, 0, Math.max(1, Math.floor((hi - lo) / 4))));
    out.push(start, end);
    t = end + int(r, 2, 100_000);
  }
  return Float64Array.from(out);
}

function isDeleted(deleted: Float64Array, t: number): boolean {
  for (let k = 0; k < deleted.length; k += 2) if (deleted[k] <= t && t <= deleted[k + 1]) return true;
  return false;
}

function randomRange(r: Random, s: Samples): { mint: number; maxt: number } {
  if (s.ts.length === 0 || r() < 0.3) return { mint: -Infinity, maxt: Infinity };
  const pick = (): number => s.ts[int(r, 0, s.ts.length - 1)] + (r() < 0.5 ? 0 : int(r, -5000, 5000));
  const a = pick();
  const b = pick();
  return { mint: r() < 0.2 ? -Infinity : Math.min(a, b), maxt: r() < 0.2 ? Infinity : Math.max(a, b) };
}

/** The contract, as a cursor over the expected samples. */
class Model {
  index = -1;
  exhausted = false;
  constructor(private readonly s: Samples) {}

  next(): boolean {
    if (this.exhausted) return false;
    this.index++;
    if (this.index >= this.s.ts.length) this.exhausted = true;
    return !this.exhausted;
  }

  seek(t: number): boolean {
    if (this.exhausted) return false;
    if (this.index >= 0 && this.s.ts[this.index] >= t) return true;
    let j = this.index + 1;
    while (j < this.s.ts.length && this.s.ts[j] < t) j++;
    if (j >= this.s.ts.length) {
      this.exhausted = true;
      return false;
    }
    this.index = j;
    return true;
  }

  readInto(maxt: number, room: number): number[] {
    const out: number[] = [];
    if (this.exhausted) return out;
    let j = this.index + 1;
    while (out.length < room && j < this.s.ts.length && this.s.ts[j] <= maxt) out.push(j++);
    if (out.length > 0) this.index = j - 1;
    return out;
  }
}

const SIZES = [1, 2, 3, 7, 64, 257, 5000];
const SENTINEL = -12345.5;

function runOps(r: Random, c: Case, label: string): void {
  const { ts, vs } = c.expected;
  const model = new Model(c.expected);
  const cursor = c.iterator();
  const lo = ts.length > 0 ? ts[0] : T0;
  const hi = ts.length > 0 ? ts[ts.length - 1] : T0;
  const randomTime = (): number => (ts.length > 0 && r() < 0.4 ? ts[int(r, 0, ts.length - 1)] : int(r, lo - 20_000, hi + 20_000));
  let current = false;
  const ops = int(r, 1, 40);
  for (let step = 0; step < ops; step++) {
    const roll = r();
    const where = `${label} op ${step}`;
    if (roll < 0.25) {
      const expected = model.next();
      assert.equal(cursor.next(), expected, `${where}: next()`);
      current = expected;
    } else if (roll < 0.45) {
      const t = randomTime();
      const expected = model.seek(t);
      assert.equal(cursor.seek(t), expected, `${where}: seek(${t})`);
      current = expected;
    } else {
      const size = SIZES[int(r, 0, SIZES.length - 1)];
      const offset = Math.min(size, int(r, 0, 3));
      const maxt = r() < 0.3 ? Infinity : randomTime() + (r() < 0.2 ? -1 : 0);
      const outT = new Float64Array(size).fill(SENTINEL);
      const outV = new Float64Array(size).fill(SENTINEL);
      const expected = model.readInto(maxt, size - offset);
      const got = cursor.readInto(maxt, outT, outV, offset);
      assert.equal(got, expected.length, `${where}: readInto(${maxt}, size ${size}, offset ${offset}) count`);
      for (let k = 0; k < offset; k++) assert.ok(outT[k] === SENTINEL && outV[k] === SENTINEL, `${where}: wrote before offset`);
      for (let k = 0; k < got; k++) {
        const j = expected[k];
        assert.equal(outT[offset + k], ts[j], `${where}: timestamp ${k}`);
        assert.deepEqual(words(outV, offset + k), words(vs, j), `${where}: value bits ${k} at ${ts[j]}`);
      }
      if (got > 0) current = true;
    }
    if (current && !model.exhausted) {
      assert.equal(cursor.timestamp, ts[model.index], `${where}: current timestamp`);
      const v = vs[model.index];
      if (v === v) assert.equal(cursor.value, v, `${where}: current value`);
      else assert.ok(Number.isNaN(cursor.value), `${where}: current value NaN`);
    }
  }
  // Whatever the ops left, a drain through readInto and then next() ends where the model does.
  const rest = model.readInto(Infinity, Infinity);
  const outT = new Float64Array(ts.length + 1);
  const outV = new Float64Array(ts.length + 1);
  assert.equal(cursor.readInto(Infinity, outT, outV, 0), rest.length, `${label}: final drain`);
  assert.equal(cursor.next(), false, `${label}: next() after the drain`);
}

type Generator = (r: Random) => Case | null | Promise<Case | null>;

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (let i = cleanups.length - 1; i >= 0; i--) await cleanups[i]();
});

function randomSamples(r: Random, kind: 'decimal' | 'any', max = 400): Samples {
  const n = int(r, 0, max);
  return { ts: times(r, n), vs: values(r, n, kind) };
}

const generators: Record<string, Generator> = {
  ArraySampleIterator(r) {
    const all = randomSamples(r, 'any');
    const { mint, maxt } = randomRange(r, all);
    return {
      expected: filter(all, (t) => t >= mint && t <= maxt),
      iterator: () => new ArraySampleIterator(all.ts, all.vs, all.ts.length, mint, maxt),
    };
  },
  XorIterator(r) {
    const all = randomSamples(r, 'any', 300);
    const app = new XorAppender();
    for (let i = 0; i < all.ts.length; i++) app.append(all.ts[i], all.vs[i]);
    const bytes = app.bytes().slice();
    return { expected: all, iterator: () => new XorIterator().reset(bytes) };
  },
  DecimalIterator(r) {
    const all = randomSamples(r, 'decimal', 300);
    if (all.ts.length === 0) return null;
    const bytes = encodeDecimalChunk(all.ts, all.vs, 0, all.ts.length);
    assert.ok(bytes !== null);
    return { expected: all, iterator: () => new DecimalIterator().reset(bytes) };
  },
  ChunkIterator(r) {
    const decimal = r() < 0.5;
    const all = randomSamples(r, decimal ? 'decimal' : 'any', 300);
    if (all.ts.length === 0) return null;
    const app = new XorAppender();
    for (let i = 0; i < all.ts.length; i++) app.append(all.ts[i], all.vs[i]);
    const chunk = decimal ? compactChunk(ChunkEncoding.XOR, app.bytes().slice()) : { encoding: ChunkEncoding.XOR, bytes: app.bytes().slice() };
    return { expected: all, iterator: () => new ChunkIterator().reset(chunk.encoding, chunk.bytes) };
  },
  'ChunksIterator (head chunks)'(r) {
    const all = randomSamples(r, 'any', 800);
    const chunks = xorChunks(all.ts, all.vs, 0, all.ts.length, r).map((c) => c.bytes);
    const { mint, maxt } = randomRange(r, all);
    return { expected: filter(all, (t) => t >= mint && t <= maxt), iterator: () => new ChunksIterator(chunks, mint, maxt) };
  },
  DeletedIntervalsIterator(r) {
    const all = randomSamples(r, 'any', 800);
    const chunks = xorChunks(all.ts, all.vs, 0, all.ts.length, r).map((c) => c.bytes);
    const deleted = deletedIntervals(r, all);
    return {
      expected: filter(all, (t) => !isDeleted(deleted, t)),
      iterator: () => new DeletedIntervalsIterator(new ChunksIterator(chunks, -Infinity, Infinity), deleted),
    };
  },
  MergeIterator(r) {
    // Overlapping inputs with equal timestamps: the last input's sample wins.
    const inputs: Samples[] = [];
    const count = int(r, 1, 4);
    const base = randomSamples(r, 'any', r() < 0.5 ? 300 : 1200);
    for (let k = 0; k < count; k++) {
      const roll = r();
      if (roll < 0.25) inputs.push(randomSamples(r, 'any', 300));
      else if (roll < 0.45) inputs.push(filter(base, () => r() < 0.5));
      else if (roll < 0.6) inputs.push(base);
      else {
        // A later stretch (blocks then head), sometimes starting on a sample time of the base after
        // more samples than a merge buffers, so the merge reads the base straight into the output
        // and meets the tie at the end of that read.
        const n = int(r, 0, 300);
        const len = base.ts.length;
        const start =
          len > 300 && r() < 0.6 ? base.ts[int(r, 257, len - 1)] : len > 0 ? base.ts[len - 1] + int(r, 1, 60_000) * (k + 1) : T0;
        inputs.push({ ts: times(r, n, start), vs: values(r, n, 'any') });
      }
      // Different values on shared timestamps tell the winner apart.
      const last = inputs[inputs.length - 1];
      last.vs = last.vs.slice();
      for (let i = 0; i < last.vs.length; i++) if (r() < 0.3) last.vs[i] = k * 1000 + i;
    }
    const winner = new Map<number, [number, number]>();
    inputs.forEach((s, k) => s.ts.forEach((t, i) => winner.set(t, [k, i])));
    const sorted = [...winner.keys()].sort((a, b) => a - b);
    const vs = new Float64Array(sorted.length);
    sorted.forEach((t, j) => {
      const [k, i] = winner.get(t) as [number, number];
      vs.set(inputs[k].vs.subarray(i, i + 1), j);
    });
    const kinds = inputs.map(() => int(r, 0, 2));
    const chunked = inputs.map((s) => xorChunks(s.ts, s.vs, 0, s.ts.length, r).map((c) => c.bytes));
    return {
      expected: { ts: Float64Array.from(sorted), vs },
      iterator: () =>
        new MergeIterator(
          inputs.map((s, k) =>
            kinds[k] === 0
              ? new ArraySampleIterator(s.ts, s.vs)
              : kinds[k] === 1
                ? new ChunksIterator(chunked[k], -Infinity, Infinity)
                : new MergeIterator([new ArraySampleIterator(s.ts, s.vs)]),
          ),
        ),
    };
  },
  async 'BlockSeriesIterator (XOR and decimal chunks, tombstones)'(r) {
    const decimal = r() < 0.6;
    const all = randomSamples(r, decimal ? 'decimal' : 'any', 1500);
    if (all.ts.length === 0) return null;
    const chunks = xorChunks(all.ts, all.vs, 0, all.ts.length, r).map((c) => {
      const compact = compactChunk(ChunkEncoding.XOR, c.bytes);
      return { minTime: c.minTime, maxTime: c.maxTime, bytes: compact.bytes, encoding: compact.encoding };
    });
    const { dir, cleanup } = await tempDir();
    cleanups.push(cleanup);
    const labels = ['__name__', 'm'];
    const blockMin = Math.floor(all.ts[0] / HOUR) * HOUR;
    const meta = await writeBlock(dir, { minTime: blockMin, maxTime: all.ts[all.ts.length - 1] + 1, series: [{ labels, chunks }] });
    const block = await Block.open(`${dir}/${meta.ulid}`);
    cleanups.push(() => block.close());
    const deleted = r() < 0.5 ? deletedIntervals(r, all) : new Float64Array(0);
    if (deleted.length > 0) {
      await block.addTombstones(Array.from({ length: deleted.length / 2 }, (_, k) => ({ seriesLabels: labels, mint: deleted[2 * k], maxt: deleted[2 * k + 1] })));
    }
    let { mint, maxt } = randomRange(r, all);
    if (mint === -Infinity) mint = blockMin;
    if (maxt === Infinity) maxt = all.ts[all.ts.length - 1] + HOUR;
    const expected = filter(all, (t) => t >= mint && t <= maxt && !isDeleted(deleted, t));
    if (expected.ts.length === 0) return null;
    return {
      expected,
      iterator: () => {
        const querier = block.querier(mint, maxt);
        const series = [...querier.select([new LabelMatcher('=', '__name__', 'm')])];
        cleanups.push(async () => querier.close());
        assert.equal(series.length, 1);
        return series[0].iterator();
      },
    };
  },
  async 'Head series (out-of-order samples, tombstones)'(r) {
    const head = new Head({ chunkRange: 2 * HOUR });
    head.outOfOrderWindow = HOUR;
    const n = int(r, 1, 600);
    const all = { ts: times(r, n), vs: values(r, n, 'any') };
    // Most samples in order; some held back and appended late (out of order, within the window).
    const late: number[] = [];
    const sample = { kind: 'float' as const, timestamp: 0, value: 0 };
    const labels = ['__name__', 'm'];
    let ref = 0;
    const appendAt = async (i: number): Promise<void> => {
      const app = head.appender();
      sample.timestamp = all.ts[i];
      sample.value = all.vs[i];
      const got = app.append(ref, ref === 0 ? labels : null, sample);
      assert.ok(got > 0, `append ${i}: ${got}`);
      ref = got;
      await app.commit();
    };
    for (let i = 0; i < n; i++) {
      if (i > 0 && r() < 0.1) late.push(i);
      else await appendAt(i);
    }
    const accepted: number[] = [];
    for (const i of late) {
      if (all.ts[i] >= all.ts[n - 1] - HOUR + 1) {
        await appendAt(i);
      }
    }
    const lateSet = new Set(late.filter((i) => all.ts[i] < all.ts[n - 1] - HOUR + 1));
    for (let i = 0; i < n; i++) if (!lateSet.has(i)) accepted.push(i);
    const kept = filter(all, () => true);
    const present = new Set(accepted.map((i) => all.ts[i]));
    const deleted = r() < 0.5 ? deletedIntervals(r, all) : new Float64Array(0);
    if (deleted.length > 0) head.addTombstones(Array.from({ length: deleted.length / 2 }, (_, k) => ({ ref, mint: deleted[2 * k], maxt: deleted[2 * k + 1] })));
    const { mint, maxt } = randomRange(r, all);
    const expected = filter(kept, (t) => present.has(t) && t >= mint && t <= maxt && !isDeleted(deleted, t));
    if (expected.ts.length === 0) return null;
    return {
      expected,
      iterator: () => {
        const series = [...head.querier(mint, maxt).select([new LabelMatcher('=', '__name__', 'm')])];
        assert.equal(series.length, 1);
        return series[0].iterator();
      },
    };
  },
};

const SEEDS = 60;

for (const [name, generate] of Object.entries(generators)) {
  describe(`SampleIterator conformance: ${name}`, () => {
    it('readInto, next and seek agree with the contract on random cases', async () => {
      let ran = 0;
      for (let seed = 1; seed <= SEEDS; seed++) {
        const r = rng(seed * 7919 + name.length);
        const c = await generate(r);
        if (c === null) continue;
        // Several op sequences per case, each on a fresh iterator.
        for (let round = 0; round < 4; round++) runOps(r, c, `${name} seed ${seed} round ${round}`);
        ran++;
      }
      assert.ok(ran >= SEEDS / 3, `only ${ran} cases ran`);
    });
  });
}
