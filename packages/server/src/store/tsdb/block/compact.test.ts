import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LabelMatcher, isStaleNaN, labelsFromRecord, staleNaN } from '../../../model/index.ts';
import { xorChunkSampleCount } from '../chunk/index.ts';
import type { BlockMeta } from './index.ts';
import { Block, blocksBeyondRetention, compactBlocks, exponentialBlockRanges, planCompaction, writeBlock } from './index.ts';
import { bitsOf, selectAll, series, tempDir } from './testutil.ts';

function range(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let t = from; t < to; t += step) out.push(t);
  return out;
}

describe('compaction', () => {
  it('merges overlapping blocks, deduplicating by timestamp (newer block wins)', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const tA = range(0, 2000, 10);
      const tB = range(1000, 3000, 10);
      const stale = new Float64Array(tB.length).fill(2);
      stale[150] = staleNaN();
      const metaA = await writeBlock(dir, {
        minTime: 0,
        maxTime: 2000,
        series: [series({ __name__: 'x' }, tA, tA.map(() => 1)), series({ __name__: 'y' }, tA, tA)],
      });
      const metaB = await writeBlock(dir, {
        minTime: 1000,
        maxTime: 3000,
        series: [series({ __name__: 'x' }, tB, stale), series({ __name__: 'z' }, tB, tB, 30)],
      });
      assert.ok(metaA.ulid < metaB.ulid);
      const a = await Block.open(join(dir, metaA.ulid));
      const b = await Block.open(join(dir, metaB.ulid));
      const meta = await compactBlocks(dir, [b, a]);
      assert.equal(meta.minTime, 0);
      assert.equal(meta.maxTime, 3000);
      assert.equal(meta.compaction.level, 2);
      assert.deepEqual(meta.compaction.sources, [metaA.ulid, metaB.ulid]);
      assert.deepEqual(meta.compaction.parents, [metaA.ulid, metaB.ulid]);
      assert.equal(meta.stats.numSeries, 3);
      assert.equal(meta.stats.numSamples, 300 + 200 + 200);

      const c = await Block.open(join(dir, meta.ulid));
      const q = c.querier(-Infinity, Infinity);
      const got = selectAll(q);
      assert.deepEqual(
        got.map((s) => s.labels),
        [labelsFromRecord({ __name__: 'x' }), labelsFromRecord({ __name__: 'y' }), labelsFromRecord({ __name__: 'z' })],
      );
      assert.deepEqual(got[0].ts, range(0, 3000, 10));
      const want = range(0, 3000, 10).map((t) => bitsOf(t < 1000 ? 1 : 2));
      want[100 + 150] = bitsOf(staleNaN());
      assert.deepEqual(got[0].bits, want);
      assert.ok(isStaleNaN(new Float64Array(new BigUint64Array([got[0].bits[250]]).buffer)[0]));
      // Re-encoded chunks are cut at 120 samples; untouched series keep their chunks (z: 30 per chunk).
      const raw = [...c.series()];
      assert.deepEqual(
        raw[0].chunks.map((ch) => xorChunkSampleCount(ch.bytes)),
        [120, 120, 60],
      );
      assert.equal(raw[2].chunks.length, Math.ceil(200 / 30));
      q.close();
      for (const blk of [a, b, c]) await blk.close();
    } finally {
      await cleanup();
    }
  });

  it('keeps chunks of non-overlapping blocks as they are', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const blocks: Block[] = [];
      for (let k = 0; k < 3; k++) {
        const ts = range(k * 1000, (k + 1) * 1000, 7);
        const meta = await writeBlock(dir, {
          minTime: k * 1000,
          maxTime: (k + 1) * 1000,
          series: [series({ __name__: 'm', k: 'shared' }, ts, ts), series({ __name__: 'm', k: `only${k}` }, ts, ts)],
        });
        blocks.push(await Block.open(join(dir, meta.ulid)));
      }
      const before = blocks.reduce((n, b) => n + b.meta.stats.numChunks, 0);
      const meta = await compactBlocks(dir, blocks);
      assert.equal(meta.stats.numChunks, before);
      assert.equal(meta.stats.numSeries, 4);
      const c = await Block.open(join(dir, meta.ulid));
      const q = c.querier(-Infinity, Infinity);
      const shared = selectAll(q, [new LabelMatcher('=', 'k', 'shared')]);
      assert.deepEqual(shared[0].ts, range(0, 1000, 7).concat(range(1000, 2000, 7), range(2000, 3000, 7)));
      q.close();
      for (const blk of [...blocks, c]) await blk.close();
    } finally {
      await cleanup();
    }
  });
});

describe('tombstones', () => {
  it('hide deleted ranges, persist, apply to new queriers only and are dropped by compaction', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      const ts = range(0, 1000, 10);
      const meta = await writeBlock(dir, {
        minTime: 0,
        maxTime: 1000,
        series: [series({ __name__: 'a' }, ts, ts), series({ __name__: 'b' }, ts, ts), series({ __name__: 'c' }, ts, ts)],
      });
      const blockDir = join(dir, meta.ulid);
      const block = await Block.open(blockDir);
      const sizeBefore = block.sizeBytes();
      const early = block.querier(0, 1000);
      await block.addTombstones([
        { seriesLabels: labelsFromRecord({ __name__: 'a' }), mint: 200, maxt: 299 },
        { seriesLabels: labelsFromRecord({ __name__: 'a' }), mint: 250, maxt: 400 },
        { seriesLabels: labelsFromRecord({ __name__: 'b' }), mint: -Infinity, maxt: Infinity },
        { seriesLabels: labelsFromRecord({ __name__: 'nope' }), mint: 0, maxt: 10 },
      ]);
      assert.ok(block.sizeBytes() > sizeBefore);
      const expectA = ts.filter((t) => t < 200 || t > 400);

      const check = (b: Block): void => {
        const q = b.querier(0, 1000);
        const got = selectAll(q);
        assert.deepEqual(
          got.map((s) => s.labels[1]),
          ['a', 'c'],
        );
        assert.deepEqual(got[0].ts, expectA);
        // A range entirely inside the deleted interval yields no series a.
        const q2 = b.querier(210, 390);
        assert.deepEqual(
          selectAll(q2).map((s) => s.labels[1]),
          ['c'],
        );
        // Seek into a deleted range lands after it.
        const iter = [...q.select([new LabelMatcher('=', '__name__', 'a')])][0].iterator();
        assert.ok(iter.seek(250));
        assert.equal(iter.timestamp, 410);
        q.close();
        q2.close();
      };
      check(block);
      // The querier opened before sees everything.
      assert.equal(selectAll(early).length, 3);
      early.close();
      await block.close();

      const reopened = await Block.open(blockDir);
      check(reopened);
      const compacted = await compactBlocks(dir, [reopened]);
      assert.equal(compacted.stats.numSeries, 2);
      assert.equal(compacted.stats.numSamples, expectA.length + ts.length);
      const c = await Block.open(join(dir, compacted.ulid));
      const q = c.querier(0, 1000);
      assert.deepEqual(selectAll(q)[0].ts, expectA);
      q.close();
      await c.close();
      await reopened.close();
      assert.ok(!(await readdir(blockDir)).includes('tombstones.tmp'));
    } finally {
      await cleanup();
    }
  });
});

function m(ulid: string, minTime: number, maxTime: number, level = 1): BlockMeta {
  return { ulid, minTime, maxTime, stats: { numSamples: 1, numSeries: 1, numChunks: 1 }, compaction: { level, sources: [ulid] }, version: 1 };
}

describe('planCompaction', () => {
  const ranges = [20, 60, 180, 540];
  const cases: { name: string; metas: BlockMeta[]; want: string[][] }[] = [
    { name: 'nothing', metas: [], want: [] },
    { name: 'one block', metas: [m('a', 0, 20)], want: [] },
    { name: 'two blocks: newest is excluded', metas: [m('a', 0, 20), m('b', 20, 40)], want: [] },
    { name: 'range not full yet', metas: [m('a', 0, 20), m('b', 20, 40), m('c', 40, 60)], want: [] },
    { name: 'full range', metas: [m('a', 0, 20), m('b', 20, 40), m('c', 40, 60), m('d', 60, 80)], want: [['a', 'b', 'c']] },
    { name: 'unsorted input', metas: [m('d', 60, 80), m('b', 20, 40), m('a', 0, 20), m('c', 40, 60)], want: [['a', 'b', 'c']] },
    { name: 'gap: range older than the newest block', metas: [m('a', 0, 20), m('b', 20, 40), m('c', 60, 80), m('d', 80, 100)], want: [['a', 'b']] },
    {
      name: 'second level',
      metas: [m('a', 0, 60, 2), m('b', 60, 120, 2), m('c', 120, 180, 2), m('d', 180, 200)],
      want: [['a', 'b', 'c']],
    },
    { name: 'lower level first', metas: [m('a', 0, 60, 2), m('b', 60, 80), m('c', 80, 100), m('d', 100, 120), m('e', 120, 140)], want: [['b', 'c', 'd']] },
    { name: 'blocks larger than a range are skipped', metas: [m('a', 0, 180, 3), m('b', 180, 200)], want: [] },
    { name: 'overlapping first', metas: [m('a', 0, 20), m('b', 10, 30), m('c', 40, 60), m('d', 60, 80), m('e', 80, 100)], want: [['a', 'b']] },
    {
      name: 'several overlapping groups',
      metas: [m('a', 0, 20), m('b', 0, 20), m('c', 20, 40), m('d', 40, 60), m('e', 50, 70), m('f', 55, 56)],
      want: [
        ['a', 'b'],
        ['d', 'e', 'f'],
      ],
    },
    { name: 'touching blocks do not overlap', metas: [m('a', 0, 20), m('b', 20, 40)], want: [] },
    { name: 'negative times', metas: [m('a', -60, -40), m('b', -40, -20), m('c', -20, 0), m('d', 0, 20)], want: [['a', 'b', 'c']] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(
        planCompaction(c.metas, ranges).map((g) => g.map((x) => x.ulid)),
        c.want,
      );
    });
  }

  it('exponentialBlockRanges caps at the maximum block duration', () => {
    const h = 3_600_000;
    assert.deepEqual(exponentialBlockRanges(2 * h, 54 * h), [2 * h, 6 * h, 18 * h, 54 * h]);
    assert.deepEqual(exponentialBlockRanges(2 * h, 31 * 24 * h), [2 * h, 6 * h, 18 * h, 54 * h, 162 * h, 486 * h]);
    assert.deepEqual(exponentialBlockRanges(2 * h, 2 * h), [2 * h]);
  });
});

describe('blocksBeyondRetention', () => {
  const blocks = [
    { meta: m('a', 0, 10), sizeBytes: 100 },
    { meta: m('b', 10, 20), sizeBytes: 100 },
    { meta: m('c', 20, 30), sizeBytes: 100 },
    { meta: m('d', 30, 40), sizeBytes: 100 },
  ];
  const cases: { name: string; retention: number; maxBytes: number; want: string[] }[] = [
    { name: 'no limits', retention: 0, maxBytes: 0, want: [] },
    { name: 'time: strictly older than retention', retention: 15, maxBytes: 0, want: ['b', 'a'] },
    { name: 'time: exactly at the boundary stays', retention: 20, maxBytes: 0, want: ['a'] },
    { name: 'time: never the newest', retention: 1, maxBytes: 0, want: ['c', 'b', 'a'] },
    { name: 'time: everything within', retention: 100, maxBytes: 0, want: [] },
    { name: 'size: oldest first until it fits', retention: 0, maxBytes: 250, want: ['b', 'a'] },
    { name: 'size: exact fit', retention: 0, maxBytes: 400, want: [] },
    { name: 'size: even the newest', retention: 0, maxBytes: 50, want: ['d', 'c', 'b', 'a'] },
    { name: 'both', retention: 25, maxBytes: 350, want: ['a'] },
    { name: 'both, size stricter', retention: 25, maxBytes: 150, want: ['c', 'b', 'a'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(blocksBeyondRetention(blocks.toReversed(), c.retention, c.maxBytes), c.want);
    });
  }
  it('empty input', () => {
    assert.deepEqual(blocksBeyondRetention([], 10, 10), []);
  });
});
