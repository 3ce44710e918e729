import type { Labels } from '../../../model/index.ts';

/**
 * limit_ratio's deterministic sampling, as Prometheus does it: a series is kept when the 64-bit
 * xxHash of its label set (in Prometheus's own label encoding), as a fraction of 2^64-1, falls under
 * the ratio (or, for a negative ratio, at or above 1 + ratio). Same labels, same decision, whatever
 * the step or the query.
 */

const MASK = (1n << 64n) - 1n;
const PRIME1 = 11400714785074694791n;
const PRIME2 = 14029467366897019727n;
const PRIME3 = 1609587929392839161n;
const PRIME4 = 9650029242287828579n;
const PRIME5 = 2870177450012600261n;

function rotateLeft(value: bigint, bits: bigint): bigint {
  return ((value << bits) | (value >> (64n - bits))) & MASK;
}

function round(accumulator: bigint, lane: bigint): bigint {
  return (rotateLeft((accumulator + lane * PRIME2) & MASK, 31n) * PRIME1) & MASK;
}

function mergeRound(hash: bigint, value: bigint): bigint {
  return ((((hash ^ round(0n, value)) * PRIME1) & MASK) + PRIME4) & MASK;
}

function readUint64(bytes: Uint8Array, offset: number): bigint {
  let value = 0n;
  for (let i = 7; i >= 0; i--) value = (value << 8n) | BigInt(bytes[offset + i]);
  return value;
}

function readUint32(bytes: Uint8Array, offset: number): bigint {
  return BigInt((bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24)) >>> 0);
}

/** XXH64 with seed 0 (the hash Go's xxhash.Sum64 computes). */
export function xxhash64(bytes: Uint8Array): bigint {
  const length = bytes.length;
  let offset = 0;
  let hash: bigint;
  if (length >= 32) {
    let v1 = (PRIME1 + PRIME2) & MASK;
    let v2 = PRIME2;
    let v3 = 0n;
    let v4 = (-PRIME1) & MASK;
    while (offset + 32 <= length) {
      v1 = round(v1, readUint64(bytes, offset));
      v2 = round(v2, readUint64(bytes, offset + 8));
      v3 = round(v3, readUint64(bytes, offset + 16));
      v4 = round(v4, readUint64(bytes, offset + 24));
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
    hash ^= round(0n, readUint64(bytes, offset));
    hash = (rotateLeft(hash, 27n) * PRIME1 + PRIME4) & MASK;
    offset += 8;
  }
  if (offset + 4 <= length) {
    hash ^= (readUint32(bytes, offset) * PRIME1) & MASK;
    hash = (rotateLeft(hash, 23n) * PRIME2 + PRIME3) & MASK;
    offset += 4;
  }
  while (offset < length) {
    hash ^= (BigInt(bytes[offset]) * PRIME5) & MASK;
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

/** Prometheus's label encoding: each name and value prefixed by its length (one byte, or 255 and three bytes little-endian). */
function encodeLabels(labels: Labels): Uint8Array {
  const parts = labels.map((text) => encoder.encode(text));
  let size = 0;
  for (const part of parts) size += part.length + (part.length < 255 ? 1 : 4);
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    if (part.length < 255) {
      out[offset++] = part.length;
    } else {
      out[offset++] = 255;
      out[offset++] = part.length & 0xff;
      out[offset++] = (part.length >> 8) & 0xff;
      out[offset++] = (part.length >> 16) & 0xff;
    }
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The series' place in [0, 1] that limit_ratio compares with the ratio. */
export function sampleOffset(labels: Labels): number {
  // float64(math.MaxUint64) rounds to 2^64.
  return Number(xxhash64(encodeLabels(labels))) / 2 ** 64;
}

export function keepForRatio(ratio: number, offset: number): boolean {
  return (ratio >= 0 && offset < ratio) || (ratio < 0 && offset >= 1 + ratio);
}
