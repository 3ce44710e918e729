import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LabelMatcher, isStaleNaN, staleNaN } from '../../../model/index.ts';
import type { Labels } from '../../../model/index.ts';
import { AppendStatus } from '../../types.ts';
import type { Querier } from '../../types.ts';
import { Head } from './head.ts';
import type { CommitBatch } from './head.ts';

const HOUR = 3600_000;

function read(querier: Querier, matchers: LabelMatcher[]): { labels: Labels; samples: [number, number][] }[] {
  return [...querier.select(matchers)].map((s) => {
    const it = s.iterator();
    const samples: [number, number][] = [];
    while (it.next()) samples.push([it.timestamp, it.value]);
    return { labels: s.labels, samples };
  });
}

const up = (job: string): Labels => ['__name__', 'up', 'instance', `${job}:1`, 'job', job];

test('appends, commits and reads back across many chunks', async () => {
  const head = new Head({ chunkRange: 2 * HOUR });
  const sample = { kind: 'float' as const, timestamp: 0, value: 0 };
  let refA = 0;
  let refB = 0;
  for (let i = 0; i < 1000; i++) {
    const app = head.appender();
    sample.timestamp = i * 15_000;
    sample.value = i;
    refA = app.append(refA, up('a'), sample);
    sample.value = -i * 0.5;
    refB = app.append(refB, up('b'), sample);
    await app.commit();
  }
  assert.ok(refA > 0 && refB > 0 && refA !== refB);
  assert.equal(head.numSeries, 2);
  const got = read(head.querier(0, Infinity), [new LabelMatcher('=', '__name__', 'up')]);
  assert.equal(got.length, 2);
  assert.equal(got[0].samples.length, 1000);
  assert.deepEqual(got[0].samples[999], [999 * 15_000, 999]);
  assert.deepEqual(got[1].samples[10], [150_000, -5]);
  // Time-range filtering.
  const window = read(head.querier(15_000 * 100, 15_000 * 200), [new LabelMatcher('=', 'job', 'a')]);
  assert.equal(window[0].samples.length, 101);
  assert.ok(head.numChunks >= 2 * Math.ceil(1000 / 120));
});

test('refuses out-of-order and duplicate samples, accepts exact duplicates', async () => {
  const head = new Head({ chunkRange: 2 * HOUR });
  const app = head.appender();
  const ref = app.append(0, up('a'), { kind: 'float', timestamp: 1000, value: 1 });
  await app.commit();
  const next = head.appender();
  assert.equal(next.append(ref, null, { kind: 'float', timestamp: 999, value: 1 }), AppendStatus.OutOfOrder);
  assert.equal(next.append(ref, null, { kind: 'float', timestamp: 1000, value: 2 }), AppendStatus.DuplicateTimestamp);
  assert.equal(next.append(ref, null, { kind: 'float', timestamp: 1000, value: 1 }), ref);
  await next.commit();
  assert.equal(head.counters.outOfOrder, 1);
  assert.equal(head.counters.duplicates, 1);
});

test('rejects invalid label sets', () => {
  const head = new Head({ chunkRange: 2 * HOUR });
  const app = head.appender();
  const s = { kind: 'float' as const, timestamp: 1, value: 1 };
  assert.equal(app.append(0, [], s), AppendStatus.InvalidLabels);
  assert.equal(app.append(0, ['job', 'x'], s), AppendStatus.InvalidLabels);
  assert.equal(app.append(0, ['__name__', 'x', 'a', ''], s), AppendStatus.InvalidLabels);
  assert.equal(app.append(0, ['__name__', 'x', 'b', '1', 'a', '2'], s), AppendStatus.InvalidLabels);
  assert.equal(app.append(0, null, s), AppendStatus.InvalidLabels);
});

test('keeps the stale marker bit for bit', async () => {
  const head = new Head({ chunkRange: 2 * HOUR });
  const app = head.appender();
  const ref = app.append(0, up('a'), { kind: 'float', timestamp: 1, value: 5 });
  app.append(ref, null, { kind: 'float', timestamp: 2, value: staleNaN() });
  app.append(ref, null, { kind: 'float', timestamp: 3, value: NaN });
  await app.commit();
  // Checked straight off the iterator: a plain JS array of doubles would canonicalise the NaN.
  const [series] = [...head.querier(0, 10).select([new LabelMatcher('=', 'job', 'a')])];
  const it = series.iterator();
  const kinds: string[] = [];
  while (it.next()) kinds.push(isStaleNaN(it.value) ? 'stale' : Number.isNaN(it.value) ? 'nan' : String(it.value));
  assert.deepEqual(kinds, ['5', 'stale', 'nan']);
});

test('a failed log write applies nothing and keeps series unlogged for the next commit', async () => {
  let fail = true;
  const batches: CommitBatch[] = [];
  const head = new Head({
    chunkRange: 2 * HOUR,
    onCommit: async (batch) => {
      if (fail) throw new Error('ENOSPC: no space left on device');
      batches.push({ ...batch, newSeriesRefs: [...batch.newSeriesRefs], newSeriesLabels: [...batch.newSeriesLabels] });
    },
  });
  const app = head.appender();
  const ref = app.append(0, up('a'), { kind: 'float', timestamp: 1, value: 1 });
  await assert.rejects(app.commit(), /ENOSPC/);
  assert.equal(read(head.querier(0, 10), [new LabelMatcher('=', 'job', 'a')]).length, 0);
  fail = false;
  const again = head.appender();
  again.append(ref, null, { kind: 'float', timestamp: 1, value: 1 });
  await again.commit();
  assert.deepEqual(batches[0].newSeriesRefs, [ref]);
  assert.deepEqual(read(head.querier(0, 10), [new LabelMatcher('=', 'job', 'a')])[0].samples, [[1, 1]]);
});

test('matchers select through the postings index as Prometheus does', async () => {
  const head = new Head({ chunkRange: 2 * HOUR });
  const app = head.appender();
  const s = { kind: 'float' as const, timestamp: 1, value: 1 };
  app.append(0, ['__name__', 'm', 'code', '200', 'job', 'api'], s);
  app.append(0, ['__name__', 'm', 'code', '500', 'job', 'api'], s);
  app.append(0, ['__name__', 'm', 'job', 'web'], s);
  app.append(0, ['__name__', 'other', 'job', 'api'], s);
  await app.commit();
  const q = head.querier(0, 10);
  const names = (matchers: LabelMatcher[]) => read(q, matchers).map((x) => x.labels.join(','));
  assert.equal(names([new LabelMatcher('=', '__name__', 'm')]).length, 3);
  assert.deepEqual(names([new LabelMatcher('=', '__name__', 'm'), new LabelMatcher('=~', 'code', '5..')]), ['__name__,m,code,500,job,api']);
  assert.deepEqual(names([new LabelMatcher('=', '__name__', 'm'), new LabelMatcher('=', 'code', '')]), ['__name__,m,job,web']);
  assert.equal(names([new LabelMatcher('=', '__name__', 'm'), new LabelMatcher('!=', 'code', '200')]).length, 2);
  assert.equal(names([new LabelMatcher('=', '__name__', 'm'), new LabelMatcher('!=', 'code', '')]).length, 2);
  assert.equal(names([new LabelMatcher('=~', 'job', 'api|web'), new LabelMatcher('!~', '__name__', 'oth.*')]).length, 3);
  assert.deepEqual(q.labelValues('code', []), ['200', '500']);
  assert.deepEqual(q.labelNames([new LabelMatcher('=', 'job', 'web')]), ['__name__', 'job']);
});

test('hands completed ranges to blocks and truncates, collecting dead series', async () => {
  const head = new Head({ chunkRange: 2 * HOUR });
  const s = { kind: 'float' as const, timestamp: 0, value: 1 };
  let refA = 0;
  let refB = 0;
  for (let t = 0; t < 3 * HOUR; t += 60_000) {
    const app = head.appender();
    s.timestamp = t;
    refA = app.append(refA, up('a'), s);
    if (t < HOUR) refB = app.append(refB, up('gone'), s);
    await app.commit();
  }
  const block = [...head.seriesForBlock(0, 2 * HOUR)];
  assert.equal(block.length, 2);
  const samples = block.reduce((n, x) => n + x.chunks.length, 0);
  assert.ok(samples >= 2);
  assert.ok(block.every((x) => x.chunks.every((c) => c.maxTime < 2 * HOUR)));
  const dead = head.truncate(2 * HOUR);
  assert.deepEqual([...dead], [refB]);
  assert.equal(head.numSeries, 1);
  const left = read(head.querier(0, Infinity), [new LabelMatcher('=', '__name__', 'up')]);
  assert.equal(left.length, 1);
  assert.equal(left[0].samples[0][0], 2 * HOUR);
  const app = head.appender();
  assert.equal(app.append(refA, null, { kind: 'float', timestamp: HOUR, value: 1 }), AppendStatus.OutOfBounds);
  // A new series with the dead one's labels gets a new ref.
  const again = app.append(0, up('gone'), { kind: 'float', timestamp: 3 * HOUR, value: 1 });
  assert.ok(again > 0 && again !== refB);
  await app.commit();
});
