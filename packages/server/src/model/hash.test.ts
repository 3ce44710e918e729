import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelsHash, xxhash64 } from './hash.ts';

const text = (value: string) => new TextEncoder().encode(value);

test('xxhash64 matches the reference vectors on every tail path (empty, <4, <8, <32 and ≥32 bytes)', () => {
  assert.equal(xxhash64(text('')).toString(16), 'ef46db3751d8e999');
  assert.equal(xxhash64(text('a')).toString(16), 'd24ec4f1a98c6e5b');
  assert.equal(xxhash64(text('abc')).toString(16), '44bc2cf5ad770999');
  assert.equal(xxhash64(text('Nobody inspects the spammish repetition')).toString(16), 'fbcea83c8a378bf1');
});

test('xxhash64 reads a view into a larger buffer from its own offset', () => {
  const whole = text('xxabcxx');
  assert.equal(xxhash64(whole.subarray(2, 5)), xxhash64(text('abc')));
});

test('labelsHash hashes name 0xff value 0xff … like Prometheus labels.Hash', () => {
  const bytes = Uint8Array.from([...text('a'), 0xff, ...text('b'), 0xff]);
  assert.equal(labelsHash(['a', 'b']), xxhash64(bytes));
});
