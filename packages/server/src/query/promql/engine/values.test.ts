import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countOnes, newStepArrays } from './values.ts';

let seed = 11;
function random(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}

test('countOnes counts the present steps at every length and alignment', () => {
  for (let round = 0; round < 500; round++) {
    const length = Math.floor(random() * 400);
    const offset = Math.floor(random() * 9);
    const buffer = new Uint8Array(length + offset + 3);
    for (let i = 0; i < buffer.length; i++) buffer[i] = random() < 0.4 ? 1 : 0;
    const present = buffer.subarray(offset, offset + length);
    let want = 0;
    for (let i = 0; i < present.length; i++) want += present[i];
    assert.equal(countOnes(present), want, `length ${length} at offset ${offset}`);
  }
  assert.equal(countOnes(new Uint8Array(1441).fill(1)), 1441);
});

test('step arrays start zeroed and never share memory', () => {
  const taken: { values: Float64Array; present: Uint8Array }[] = [];
  // Enough to cross several slabs, with lengths that leave odd remainders, and some too long for a slab.
  for (let i = 0; i < 300; i++) {
    const count = i % 50 === 0 ? 40_000 : 1 + Math.floor(random() * 2_000);
    const arrays = newStepArrays(count);
    assert.equal(arrays.values.length, count);
    assert.equal(arrays.present.length, count);
    assert.ok(arrays.values.every((v) => v === 0) && arrays.present.every((p) => p === 0), `arrays ${i} start zeroed`);
    arrays.values.fill(i + 1);
    arrays.present.fill(1);
    taken.push(arrays);
  }
  taken.forEach((arrays, i) => {
    assert.ok(arrays.values.every((v) => v === i + 1), `values ${i} untouched by later arrays`);
    assert.ok(arrays.present.every((p) => p === 1), `present ${i} untouched by later arrays`);
  });
});
