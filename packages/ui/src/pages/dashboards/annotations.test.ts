import { test } from 'node:test';
import assert from 'node:assert/strict';
import { annotationEvents } from './annotations.ts';

test('non-zero runs become events (regions when longer than a point), titles from labels', () => {
  const query = { name: 'Deploys', expr: 'x', enable: true, color: 'red', step: '60s', titleFormat: 'Deploy {{version}}', textFormat: '', tagKeys: ['env'] };
  const events = annotationEvents(
    query,
    [
      {
        metric: { version: '1.2', env: 'prod' },
        values: [
          [60, '0'],
          [120, '1'],
          [180, '1'],
          [240, '0'],
          [300, '2'],
        ],
      },
    ],
    60_000,
  );
  assert.deepEqual(events, [
    { timeMs: 120_000, endMs: 180_000, color: 'red', title: 'Deploy 1.2', text: '', tags: ['prod'] },
    { timeMs: 300_000, endMs: 300_000, color: 'red', title: 'Deploy 1.2', text: '', tags: ['prod'] },
  ]);
});
