/** Typed arrays that grow by doubling, keeping their contents. */
export function growFloat64(array: Float64Array, needed: number): Float64Array<ArrayBuffer> {
  if (needed <= array.length) return array as Float64Array<ArrayBuffer>;
  const next = new Float64Array(Math.max(needed, array.length * 2, 16));
  next.set(array);
  return next;
}

export function growInt32(array: Int32Array, needed: number): Int32Array<ArrayBuffer> {
  if (needed <= array.length) return array as Int32Array<ArrayBuffer>;
  const next = new Int32Array(Math.max(needed, array.length * 2, 16));
  next.set(array);
  return next;
}

export function growUint32(array: Uint32Array, needed: number): Uint32Array<ArrayBuffer> {
  if (needed <= array.length) return array as Uint32Array<ArrayBuffer>;
  const next = new Uint32Array(Math.max(needed, array.length * 2, 16));
  next.set(array);
  return next;
}

export function growUint8(array: Uint8Array, needed: number): Uint8Array<ArrayBuffer> {
  if (needed <= array.length) return array as Uint8Array<ArrayBuffer>;
  const next = new Uint8Array(Math.max(needed, array.length * 2, 16));
  next.set(array);
  return next;
}
