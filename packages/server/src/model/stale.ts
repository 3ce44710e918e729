/**
 * Prometheus marks a series stale with one particular NaN: 0x7ff0000000000002. JavaScript keeps NaN
 * payloads in Float64Array storage, so the marker survives our chunks and WAL bit for bit; it must be
 * written and compared through typed arrays, never by `===`.
 */
export const STALE_NAN_BITS = 0x7ff0000000000002n;

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
const u32 = new Uint32Array(f64.buffer);

u64[0] = STALE_NAN_BITS;
const staleValue = f64[0];

/** The stale marker value. Stored as-is into a Float64Array it keeps its payload. */
export function staleNaN(): number {
  return staleValue;
}

export function isStaleNaN(value: number): boolean {
  if (value === value) return false;
  f64[0] = value;
  return u32[0] === 2 && u32[1] === 0x7ff00000;
}
