import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LabelMatcher } from '../model/index.ts';
import { MemoryStorage } from './memory/memory-storage.ts';
import { MergeQuerier } from './merge.ts';

async function store(samples: [string, number, number][]): Promise<MemoryStorage> {
  const storage = new MemoryStorage();
  const app = storage.appender();
  const sample = { kind: 'float' as const, timestamp: 0, value: 0 };
  for (const [job, t, v] of samples) {
    sample.timestamp = t;
    sample.value = v;
    app.append(0, ['__name__', 'up', 'job', job], sample);
  }
  await app.commit();
  return storage;
}

test('merges equal series and deduplicates timestamps, later querier winning', async () => {
  const a = await store([['a', 1, 1], ['a', 3, 3], ['b', 1, 10]]);
  const b = await store([['a', 2, 2], ['a', 3, 30], ['c', 5, 5]]);
  const q = new MergeQuerier([a.querier(0, 10), b.querier(0, 10)]);
  const series = [...q.select([new LabelMatcher('=', '__name__', 'up')])];
  assert.deepEqual(series.map((s) => s.labels[3]), ['a', 'b', 'c']);
  const it = series[0].iterator();
  const got: [number, number][] = [];
  while (it.next()) got.push([it.timestamp, it.value]);
  assert.deepEqual(got, [[1, 1], [2, 2], [3, 30]]);
  assert.deepEqual(q.labelValues('job', []), ['a', 'b', 'c']);
});
