/**
 * xxHash64 (seed 0, the hash Go's xxhash.Sum64 computes), one implementation for every place Vigil
 * must land where Prometheus lands: rule groups spread their evaluations over the interval by the
 * hash of their file and name, and limit_ratio samples series by the hash of their label encoding.
 */
const MASK = 0xffffffffffffffffn;
const PRIME1 = 0x9e3779b185ebca87n;
const PRIME2 = 0xc2b2ae3d27d4eb4fn;
const PRIME3 = 0x165667b19e3779f9n;
const PRIME4 = 0x85ebca77c2b2ae63n;
const PRIME5 = 0x27d4eb2f165667c5n;

function rotateLeft(value: bigint, bits: bigint): bigint {
  return ((value << bits) | (value >> (64n - bits))) & MASK;
}

function round(accumulator: bigint, input: bigint): bigint {
  accumulator = (accumulator + input * PRIME2) & MASK;
  return (rotateLeft(accumulator, 31n) * PRIME1) & MASK;
}

function mergeRound(accumulator: bigint, value: bigint): bigint {
  return (((accumulator ^ round(0n, value)) * PRIME1) & MASK) + PRIME4 & MASK;
}

export function xxhash64(data: Uint8Array): bigint {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const length = data.length;
  let offset = 0;
  let hash: bigint;
  if (length >= 32) {
    let v1 = (PRIME1 + PRIME2) & MASK;
    let v2 = PRIME2;
    let v3 = 0n;
    let v4 = (0n - PRIME1) & MASK;
    while (offset + 32 <= length) {
      v1 = round(v1, view.getBigUint64(offset, true));
      v2 = round(v2, view.getBigUint64(offset + 8, true));
      v3 = round(v3, view.getBigUint64(offset + 16, true));
      v4 = round(v4, view.getBigUint64(offset + 24, true));
      offset += 32;
    }
    hash = (rotateLeft(v1, 1n) + rotateLeft(v2, 7n) + rotateLeft(v3, 12n) + rotateLeft(v4, 18n)) & MASK;
    hash = mergeRound(hash, v1);
    hash = mergeRound(hash, v2);
    hash = mergeRound(hash, v3);
    hash = mergeRound(hash, v4);
  } else {
    hash = PRIME5;
  }
  hash = (hash + BigInt(length)) & MASK;
  while (offset + 8 <= length) {
    hash ^= round(0n, view.getBigUint64(offset, true));
    hash = (rotateLeft(hash, 27n) * PRIME1 + PRIME4) & MASK;
    offset += 8;
  }
  if (offset + 4 <= length) {
    hash ^= (BigInt(view.getUint32(offset, true)) * PRIME1) & MASK;
    hash = (rotateLeft(hash, 23n) * PRIME2 + PRIME3) & MASK;
    offset += 4;
  }
  while (offset < length) {
    hash ^= (BigInt(data[offset]) * PRIME5) & MASK;
    hash = (rotateLeft(hash, 11n) * PRIME1) & MASK;
    offset++;
  }
  hash ^= hash >> 33n;
  hash = (hash * PRIME2) & MASK;
  hash ^= hash >> 29n;
  hash = (hash * PRIME3) & MASK;
  hash ^= hash >> 32n;
  return hash;
}

const encoder = new TextEncoder();

/** Prometheus's labels.Hash for a small label set: xxHash64 of `name 0xff value 0xff …` in name order. */
export function labelsHash(pairs: readonly string[]): bigint {
  const parts: number[] = [];
  for (const text of pairs) {
    for (const byte of encoder.encode(text)) parts.push(byte);
    parts.push(0xff);
  }
  return xxhash64(Uint8Array.from(parts));
}
