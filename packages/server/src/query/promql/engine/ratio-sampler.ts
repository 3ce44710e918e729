import type { Labels } from '../../../model/index.ts';
import { xxhash64 } from '../../../model/index.ts';

/**
 * limit_ratio's deterministic sampling, as Prometheus does it: a series is kept when the 64-bit
 * xxHash of its label set (in Prometheus's own label encoding), as a fraction of 2^64-1, falls under
 * the ratio (or, for a negative ratio, at or above 1 + ratio). Same labels, same decision, whatever
 * the step or the query.
 */

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
