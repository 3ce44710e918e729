import assert from 'node:assert/strict';
import { readFile, readdir, writeFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Labels } from '../../../model/index.ts';
import { LabelMatcher, compareLabels, getLabel, isStaleNaN, labelsFromRecord, staleNaN } from '../../../model/index.ts';
import { xorChunkSampleCount } from '../chunk/index.ts';
import { Block, CorruptBlockError, isUlid, writeBlock } from './index.ts';
import type { SeriesData } from './index.ts';
import { bitsOf, chunksOf, collect, rng, selectAll, series, tempDir } from './testutil.ts';

const HOUR = 3_600_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % (2 * HOUR));

interface Expected {
  labels: Labels;
  ts: number[];
  /** A Float64Array: plain JS arrays may canonicalise NaN payloads (the stale marker). */
  vs: Float64Array;
}

/** A varied population: several metrics, jobs, instances, optional labels, irregular data. */
function population(count: number, seed: number): Expected[] {
  const r = rng(seed);
  const out: Expected[] = [];
  const seen = new Set<string>();
  for (let i = 0; out.length < count; i++) {
    const rec: Record<string, string> = {
      __name__: ['http_requests_total', 'up', 'node_cpu_seconds_total', 'go_goroutines', 'ünïcode_metric'][i % 5],
      job: ['api', 'web', 'db', ''][Math.floor(r() * 4)],
      instance: `host-${Math.floor(r() * 50)}:9100`,
    };
    if (r() < 0.3) rec.mode = ['idle', 'user', 'system'][Math.floor(r() * 3)];
    if (r() < 0.1) rec.path = '/api/v1/' + 'x'.repeat(Math.floor(r() * 5));
    const labels = labelsFromRecord(rec);
    const key = labels.join('\xff');
    if (seen.has(key)) continue;
    seen.add(key);
    const n = 1 + Math.floor(r() * 600);
    const ts: number[] = [];
    const vs = new Float64Array(n);
    let t = T0 + Math.floor(r() * 60_000);
    let v = Math.floor(r() * 1000);
    for (let k = 0; k < n && t < T0 + 2 * HOUR; k++) {
      vs[ts.length] = r() < 0.02 ? staleNaN() : v;
      ts.push(t);
      v += Math.floor(r() * 10);
      t += r() < 0.95 ? 15_000 : 1 + Math.floor(r() * 600_000);
    }
    out.push({ labels, ts, vs: vs.slice(0, ts.length) });
  }
  return out;
}

function toSeriesData(e: Expected[], perChunk = 120): SeriesData[] {
  return e.map((x) => ({ labels: x.labels, chunks: chunksOf(x.ts, x.vs, perChunk) }));
}

function brute(e: Expected[], matchers: LabelMatcher[], mint = -Infinity, maxt = Infinity): Expected[] {
  return e
    .filter((x) => matchers.every((m) => m.matches(getLabel(x.labels, m.name))))
    .map((x) => {
      const ts: number[] = [];
      const keep: number[] = [];
      for (let k = 0; k < x.ts.length; k++) {
        if (x.ts[k] >= mint && x.ts[k] <= maxt) {
          ts.push(x.ts[k]);
          keep.push(k);
        }
      }
      const vs = new Float64Array(keep.length);
      for (let k = 0; k < keep.length; k++) vs[k] = x.vs[keep[k]];
      return { labels: x.labels, ts, vs };
    })
    .filter((x) => x.ts.length > 0)
    .sort((a, b) => compareLabels(a.labels, b.labels));
}

function assertSame(got: ReturnType<typeof collect>, want: Expected[], what: string): void {
  assert.equal(got.length, want.length, `${what}: series count`);
  for (let i = 0; i < want.length; i++) {
    assert.deepEqual(got[i].labels, want[i].labels, `${what}: labels ${i}`);
    assert.deepEqual(got[i].ts, want[i].ts, `${what}: timestamps of ${want[i].labels}`);
    assert.deepEqual(got[i].bits, Array.from(want[i].vs, bitsOf), `${what}: values of ${want[i].labels}`);
  }
}

describe('block write and read', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => undefined;
  let expected: Expected[] = [];
  let block: Block;

  before(async () => {
    ({ dir, cleanup } = await tempDir());
    expected = population(3000, 1);
    // Shuffle the input: writeBlock sorts.
    const input = toSeriesData(expected).toReversed();
    const meta = await writeBlock(dir, { minTime: T0, maxTime: T0 + 2 * HOUR, series: input, maxSegmentBytes: 256 * 1024 });
    block = await Block.open(join(dir, meta.ulid));
  });
  after(async () => {
    await block.close();
    await cleanup();
  });

  it('writes the documented layout and meta', async () => {
    const entries = (await readdir(dir)).sort();
    assert.deepEqual(entries, [block.meta.ulid]);
    assert.ok(isUlid(block.meta.ulid));
    const files = (await readdir(block.dir)).sort();
    assert.deepEqual(files, ['chunks', 'index', 'meta.json', 'tombstones']);
    const segs = (await readdir(join(block.dir, 'chunks'))).sort();
    assert.ok(segs.length > 1, 'several segment files');
    assert.equal(segs[0], '000001');
    for (const s of segs) assert.ok((await stat(join(block.dir, 'chunks', s))).size <= 256 * 1024);
    const meta = JSON.parse(await readFile(join(block.dir, 'meta.json'), 'utf8'));
    assert.deepEqual(meta, block.meta);
    assert.equal(meta.version, 1);
    assert.equal(meta.minTime, T0);
    assert.equal(meta.maxTime, T0 + 2 * HOUR);
    assert.equal(meta.stats.numSeries, 3000);
    assert.equal(meta.stats.numSamples, expected.reduce((n, e) => n + e.ts.length, 0));
    assert.equal(meta.stats.numChunks, expected.reduce((n, e) => n + Math.ceil(e.ts.length / 120), 0));
    assert.deepEqual(meta.compaction, { level: 1, sources: [meta.ulid] });
    assert.ok(block.sizeBytes() > 0);
  });

  it('round trips every series and sample exactly', () => {
    const q = block.querier(-Infinity, Infinity);
    assertSame(selectAll(q), brute(expected, []), 'all');
    q.close();
  });

  it('keeps stale markers bit for bit', () => {
    const q = block.querier(-Infinity, Infinity);
    let stale = 0;
    for (const s of q.select([])) {
      const iter = s.iterator();
      while (iter.next()) if (isStaleNaN(iter.value)) stale++;
    }
    q.close();
    let want = 0;
    for (const e of expected) for (let k = 0; k < e.vs.length; k++) if (isStaleNaN(e.vs[k])) want++;
    assert.ok(want > 0);
    assert.equal(stale, want);
  });

  it('returns raw chunks in label order for compaction', () => {
    const got = [...block.series()];
    const want = brute(expected, []);
    assert.equal(got.length, want.length);
    for (let i = 0; i < got.length; i++) {
      assert.deepEqual(got[i].labels, want[i].labels);
      assert.equal(
        got[i].chunks.reduce((n, c) => n + xorChunkSampleCount(c.bytes), 0),
        want[i].ts.length,
      );
      assert.equal(got[i].chunks[0].minTime, want[i].ts[0]);
    }
  });

  const matcherCases: [string, LabelMatcher[]][] = [
    ['eq', [new LabelMatcher('=', 'job', 'api')]],
    ['eq name', [new LabelMatcher('=', '__name__', 'up')]],
    ['eq unicode', [new LabelMatcher('=', '__name__', 'ünïcode_metric')]],
    ['eq missing value', [new LabelMatcher('=', 'job', 'nope')]],
    ['eq missing name', [new LabelMatcher('=', 'nolabel', 'x')]],
    ['neq', [new LabelMatcher('!=', 'job', 'api')]],
    ['neq missing name', [new LabelMatcher('!=', 'nolabel', 'x')]],
    ['re', [new LabelMatcher('=~', 'instance', 'host-1.*')]],
    ['re alternation', [new LabelMatcher('=~', 'mode', 'idle|user')]],
    ['nre', [new LabelMatcher('!~', 'instance', 'host-[0-4]:9100')]],
    ['eq empty (absent)', [new LabelMatcher('=', 'mode', '')]],
    ['neq empty (present)', [new LabelMatcher('!=', 'mode', '')]],
    ['re empty', [new LabelMatcher('=~', 'job', '')]],
    ['re matches empty or api', [new LabelMatcher('=~', 'job', 'api|')]],
    ['re .*', [new LabelMatcher('=~', 'path', '.*')]],
    ['re .+', [new LabelMatcher('=~', 'path', '.+')]],
    ['nre .+', [new LabelMatcher('!~', 'path', '.+')]],
    ['nre .*', [new LabelMatcher('!~', 'path', '.*')]],
    ['nre api', [new LabelMatcher('!~', 'job', 'api')]],
    ['eq empty missing name', [new LabelMatcher('=', 'nolabel', '')]],
    ['re .* missing name', [new LabelMatcher('=~', 'nolabel', '.*')]],
    ['neq empty missing name', [new LabelMatcher('!=', 'nolabel', '')]],
    [
      'combined',
      [new LabelMatcher('=', '__name__', 'http_requests_total'), new LabelMatcher('!=', 'job', 'web'), new LabelMatcher('=~', 'instance', 'host-(1|2).*'), new LabelMatcher('!~', 'mode', 'system')],
    ],
    ['only empty-matching', [new LabelMatcher('!=', 'job', 'api'), new LabelMatcher('=', 'path', '')]],
    ['contradiction', [new LabelMatcher('=', 'job', 'api'), new LabelMatcher('=', 'job', 'web')]],
  ];
  for (const [name, matchers] of matcherCases) {
    it(`select matches Prometheus semantics: ${name} ${matchers.join(',')}`, () => {
      const q = block.querier(-Infinity, Infinity);
      assertSame(selectAll(q, matchers), brute(expected, matchers), name);
      // labelNames / labelValues with the same matchers.
      const sel = brute(expected, matchers);
      const names = new Set<string>();
      for (const s of sel) for (let k = 0; k < s.labels.length; k += 2) names.add(s.labels[k]);
      assert.deepEqual(q.labelNames(matchers), [...names].sort());
      for (const ln of ['job', 'instance', 'mode', 'nolabel']) {
        const vals = new Set<string>();
        for (const s of sel) {
          const v = getLabel(s.labels, ln);
          if (v !== '') vals.add(v);
        }
        assert.deepEqual(q.labelValues(ln, matchers), [...vals].sort(), `labelValues ${ln}`);
      }
      q.close();
    });
  }

  it('labelNames and labelValues without matchers', () => {
    const q = block.querier(-Infinity, Infinity);
    assert.deepEqual(q.labelNames([]), ['__name__', 'instance', 'job', 'mode', 'path']);
    assert.deepEqual(q.labelValues('job', []), ['api', 'db', 'web']);
    assert.deepEqual(q.labelValues('nolabel', []), []);
    q.close();
  });

  it('honours the limit and labelsOnly hints', () => {
    const q = block.querier(-Infinity, Infinity);
    const limited = [...q.select([new LabelMatcher('=', 'job', 'api')], { limit: 5 })];
    assert.equal(limited.length, 5);
    const lo = [...q.select([], { labelsOnly: true })].map((s) => s.labels);
    assert.equal(lo.length, 3000);
    q.close();
  });

  it('filters by time range, including chunks that straddle the whole range', () => {
    const r = rng(9);
    for (let k = 0; k < 25; k++) {
      const a = T0 + Math.floor(r() * 2 * HOUR);
      const b = a + Math.floor(r() * (k < 10 ? 60_000 : HOUR));
      const q = block.querier(a, b);
      const m = k % 2 === 0 ? [] : [new LabelMatcher('=~', 'job', 'api|db')];
      assertSame(selectAll(q, m), brute(expected, m, a, b), `range ${a}-${b}`);
      q.close();
    }
    const q = block.querier(T0 + 3 * HOUR, T0 + 4 * HOUR);
    assert.equal(selectAll(q).length, 0);
    q.close();
  });

  it('seeks within and across chunks', () => {
    const e = brute(expected, []).reduce((a, b) => (b.ts.length > a.ts.length ? b : a));
    assert.ok(e.ts.length > 300, `${e.ts.length}`);
    const mint = e.ts[10];
    const maxt = e.ts[290];
    const q = block.querier(mint, maxt);
    const s = [...q.select(labelsToMatchers(e.labels))][0];
    const iter = s.iterator();
    assert.ok(iter.seek(e.ts[0]));
    assert.equal(iter.timestamp, e.ts[10]);
    assert.ok(iter.seek(e.ts[249] + 1));
    assert.equal(iter.timestamp, e.ts[250]);
    assert.ok(iter.seek(e.ts[100]));
    assert.equal(iter.timestamp, e.ts[250]);
    assert.ok(iter.next());
    assert.equal(iter.timestamp, e.ts[251]);
    assert.equal(bitsOf(iter.value), bitsOf(e.vs[251]));
    assert.ok(iter.seek(e.ts[290]));
    assert.equal(iter.seek(e.ts[290] + 1), false);
    assert.equal(iter.next(), false);
    q.close();
  });
});

function labelsToMatchers(labels: Labels): LabelMatcher[] {
  const out: LabelMatcher[] = [];
  for (let k = 0; k < labels.length; k += 2) out.push(new LabelMatcher('=', labels[k], labels[k + 1]));
  return out;
}

describe('block writing edge cases', () => {
  it('merges duplicate series, trims to the range and re-encodes overlapping chunks', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const ts = Array.from({ length: 300 }, (_, i) => 1000 + i * 10);
      const a = series({ __name__: 'm', a: '1' }, ts.slice(0, 200), ts.slice(0, 200).map((t) => t));
      const b = series({ __name__: 'm', a: '1' }, ts.slice(150), ts.slice(150).map((t) => -t));
      const c = series({ __name__: 'm', a: '2' }, ts, ts.map(() => 5), 50);
      const empty: SeriesData = { labels: labelsFromRecord({ __name__: 'm', a: '3' }), chunks: [] };
      // Range [1500, 3500): trims the ends of every series.
      const meta = await writeBlock(dir, { minTime: 1500, maxTime: 3500, series: [c, a, empty, b] });
      const block = await Block.open(join(dir, meta.ulid));
      const q = block.querier(-Infinity, Infinity);
      const got = selectAll(q);
      assert.equal(got.length, 2);
      const inRange = ts.filter((t) => t >= 1500 && t < 3500);
      assert.deepEqual(got[0].ts, inRange);
      // Overlap 2500..2990: the later input (b) wins.
      assert.deepEqual(
        got[0].bits,
        inRange.map((t) => bitsOf(t >= 2500 ? -t : t)),
      );
      assert.deepEqual(got[1].ts, inRange);
      for (const s of block.series()) for (const ch of s.chunks) assert.ok(xorChunkSampleCount(ch.bytes) <= 120);
      q.close();
      await block.close();
    } finally {
      await cleanup();
    }
  });

  it('writes and reads an empty block', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const meta = await writeBlock(dir, { minTime: 0, maxTime: 10, series: [] });
      const block = await Block.open(join(dir, meta.ulid));
      const q = block.querier(0, 10);
      assert.equal(selectAll(q).length, 0);
      assert.deepEqual(q.labelNames([]), []);
      q.close();
      await block.close();
    } finally {
      await cleanup();
    }
  });

  it('close waits for open queriers', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const meta = await writeBlock(dir, { minTime: 0, maxTime: 1000, series: [series({ a: 'b' }, [1, 2, 3], [1, 2, 3])] });
      const block = await Block.open(join(dir, meta.ulid));
      const q = block.querier(0, 1000);
      let closed = false;
      const closing = block.close().then(() => {
        closed = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(closed, false);
      assert.equal(selectAll(q)[0].ts.length, 3);
      assert.throws(() => block.querier(0, 1), /closed/);
      q.close();
      await closing;
      assert.equal(closed, true);
    } finally {
      await cleanup();
    }
  });
});

describe('corruption detection', () => {
  async function freshBlock(): Promise<{ dir: string; blockDir: string; cleanup: () => Promise<void> }> {
    const { dir, cleanup } = await tempDir();
    const meta = await writeBlock(dir, { minTime: T0, maxTime: T0 + 2 * HOUR, series: toSeriesData(population(50, 3)) });
    return { dir, blockDir: join(dir, meta.ulid), cleanup };
  }

  async function flip(path: string, at: (len: number) => number): Promise<number> {
    const buf = await readFile(path);
    const pos = at(buf.length);
    buf[pos] ^= 0x40;
    await writeFile(path, buf);
    return pos;
  }

  for (const [name, pick] of [
    ['symbols', () => 20],
    ['middle', (len: number) => Math.floor(len / 2)],
    ['table of contents', (len: number) => len - 20],
  ] as const) {
    it(`rejects a corrupt index (${name}) naming the file and offset`, async () => {
      const { blockDir, cleanup } = await freshBlock();
      try {
        await flip(join(blockDir, 'index'), pick);
        await assert.rejects(Block.open(blockDir), (error: unknown) => {
          assert.ok(error instanceof CorruptBlockError);
          assert.match(error.message, /index at offset \d+/);
          assert.equal(error.file, join(blockDir, 'index'));
          return true;
        });
      } finally {
        await cleanup();
      }
    });
  }

  it('rejects a truncated index and a bad meta.json', async () => {
    const { blockDir, cleanup } = await freshBlock();
    try {
      const idx = await readFile(join(blockDir, 'index'));
      await writeFile(join(blockDir, 'index'), idx.subarray(0, idx.length - 100));
      await assert.rejects(Block.open(blockDir), /corrupt block file .*index at offset/);
      await writeFile(join(blockDir, 'index'), idx);
      const meta = await readFile(join(blockDir, 'meta.json'), 'utf8');
      await writeFile(join(blockDir, 'meta.json'), meta.replace('"version": 1', '"version": 7'));
      await assert.rejects(Block.open(blockDir), /meta\.json at offset 0: unsupported meta version 7/);
      await writeFile(join(blockDir, 'meta.json'), '{');
      await assert.rejects(Block.open(blockDir), /meta\.json at offset 0: invalid JSON/);
    } finally {
      await cleanup();
    }
  });

  it('detects a corrupt chunk when it is read', async () => {
    const { blockDir, cleanup } = await freshBlock();
    try {
      const seg = join(blockDir, 'chunks', '000001');
      await flip(seg, (len) => len - 10);
      const block = await Block.open(blockDir);
      const q = block.querier(-Infinity, Infinity);
      assert.throws(
        () => selectAll(q),
        (error: unknown) => {
          assert.ok(error instanceof CorruptBlockError);
          assert.equal(error.file, seg);
          assert.match(error.message, /chunks\/000001 at offset \d+: chunk CRC mismatch/);
          return true;
        },
      );
      q.close();
      await block.close();
    } finally {
      await cleanup();
    }
  });

  it('rejects a chunk segment with a bad header and a missing segment', async () => {
    const { blockDir, cleanup } = await freshBlock();
    try {
      const seg = join(blockDir, 'chunks', '000001');
      const orig = await readFile(seg);
      await flip(seg, () => 1);
      await assert.rejects(Block.open(blockDir), /chunks\/000001 at offset 0: bad magic number/);
      await writeFile(seg, orig.subarray(0, orig.length - 50));
      await assert.rejects(Block.open(blockDir), /index at offset \d+: series \d+: chunk reference/);
    } finally {
      await cleanup();
    }
  });

  it('rejects corrupt tombstones', async () => {
    const { blockDir, cleanup } = await freshBlock();
    try {
      await flip(join(blockDir, 'tombstones'), (len) => len - 2);
      await assert.rejects(Block.open(blockDir), /tombstones at offset \d+: CRC mismatch/);
    } finally {
      await cleanup();
    }
  });
});
