/** Set operations on sorted, duplicate-free Uint32Array postings lists. Inputs are never modified. */

const EMPTY = new Uint32Array(0);

export function intersect(a: Uint32Array, b: Uint32Array): Uint32Array {
  if (a.length === 0 || b.length === 0) return EMPTY;
  if (a.length > b.length) [a, b] = [b, a];
  const out = new Uint32Array(a.length);
  let n = 0;
  let j = 0;
  const bl = b.length;
  for (let i = 0; i < a.length && j < bl; i++) {
    const x = a[i];
    if (b[j] < x) {
      // Gallop when b is much longer.
      let step = 1;
      while (j + step < bl && b[j + step] < x) step *= 2;
      let lo = j + (step >> 1);
      let hi = Math.min(j + step, bl);
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (b[mid] < x) lo = mid + 1;
        else hi = mid;
      }
      j = lo;
    }
    if (j < bl && b[j] === x) {
      out[n++] = x;
      j++;
    }
  }
  return out.subarray(0, n);
}

/** a minus b. */
export function subtract(a: Uint32Array, b: Uint32Array): Uint32Array {
  if (a.length === 0 || b.length === 0) return a;
  const out = new Uint32Array(a.length);
  let n = 0;
  let j = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    while (j < b.length && b[j] < x) j++;
    if (j < b.length && b[j] === x) continue;
    out[n++] = x;
  }
  return out.subarray(0, n);
}

/** Union of lists (they may overlap). */
export function union(lists: Uint32Array[]): Uint32Array {
  if (lists.length === 0) return EMPTY;
  if (lists.length === 1) return lists[0];
  let total = 0;
  for (const l of lists) total += l.length;
  const all = new Uint32Array(total);
  let at = 0;
  for (const l of lists) {
    all.set(l, at);
    at += l.length;
  }
  all.sort();
  let n = 0;
  for (let i = 0; i < total; i++) if (n === 0 || all[n - 1] !== all[i]) all[n++] = all[i];
  return all.subarray(0, n);
}
