import { readFile, rename, writeFile, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ByteReader, CorruptBlockError, crcOf, getU32, putU32, putUvarint, syncDir, zigzag } from './encoding.ts';
import { FILE_HEADER_BYTES, TOMBSTONES_MAGIC, TOMBSTONES_VERSION } from './format.ts';

/**
 * Deleted time ranges per series id: sorted, merged, inclusive [min, max] pairs, flattened
 * ([min0, max0, min1, max1, …]). Immutable once built; adding makes a new map (readers keep theirs).
 */
export type Tombstones = ReadonlyMap<number, Float64Array>;

/** Merges interval lists (flattened, any order) into sorted, non-overlapping, non-adjacent ones. */
export function mergeIntervals(parts: readonly number[]): Float64Array {
  const n = parts.length >> 1;
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => parts[a * 2] - parts[b * 2]);
  const out: number[] = [];
  for (const i of idx) {
    const lo = parts[i * 2];
    const hi = parts[i * 2 + 1];
    if (hi < lo) continue;
    const last = out.length - 1;
    if (last > 0 && lo <= out[last] + 1) {
      if (hi > out[last]) out[last] = hi;
    } else {
      out.push(lo, hi);
    }
  }
  return Float64Array.from(out);
}

export function addIntervals(t: Tombstones, entries: Iterable<{ id: number; mint: number; maxt: number }>): Map<number, Float64Array> {
  const next = new Map(t);
  const pending = new Map<number, number[]>();
  for (const e of entries) {
    let p = pending.get(e.id);
    if (p === undefined) {
      p = [...(next.get(e.id) ?? [])];
      pending.set(e.id, p);
    }
    p.push(e.mint, e.maxt);
  }
  for (const [id, parts] of pending) {
    const merged = mergeIntervals(parts);
    if (merged.length > 0) next.set(id, merged);
  }
  return next;
}

/** True when [mint, maxt] is entirely inside one interval. */
export function coveredBy(iv: Float64Array | undefined, mint: number, maxt: number): boolean {
  if (iv === undefined) return false;
  for (let k = 0; k < iv.length; k += 2) if (iv[k] <= mint && maxt <= iv[k + 1]) return true;
  return false;
}

/** True when some interval intersects [mint, maxt]. */
export function intersects(iv: Float64Array | undefined, mint: number, maxt: number): boolean {
  if (iv === undefined) return false;
  for (let k = 0; k < iv.length; k += 2) if (iv[k] <= maxt && mint <= iv[k + 1]) return true;
  return false;
}

export function encodeTombstones(t: Tombstones): Uint8Array {
  const ids = [...t.keys()].sort((a, b) => a - b);
  let count = 0;
  for (const id of ids) count += (t.get(id) as Float64Array).length >> 1;
  const buf = new Uint8Array(FILE_HEADER_BYTES + 4 + count * 30 + 4);
  putU32(buf, 0, TOMBSTONES_MAGIC);
  buf[4] = TOMBSTONES_VERSION;
  let pos = putU32(buf, FILE_HEADER_BYTES, count);
  for (const id of ids) {
    const iv = t.get(id) as Float64Array;
    for (let k = 0; k < iv.length; k += 2) {
      pos = putUvarint(buf, pos, id);
      pos = putUvarint(buf, pos, zigzag(iv[k]));
      pos = putUvarint(buf, pos, iv[k + 1] - iv[k]);
    }
  }
  pos = putU32(buf, pos, crcOf(buf, FILE_HEADER_BYTES, pos));
  return buf.subarray(0, pos);
}

export function decodeTombstones(buf: Uint8Array, file: string): Map<number, Float64Array> {
  if (buf.length < FILE_HEADER_BYTES + 8) throw new CorruptBlockError(file, 0, 'file too short');
  if (getU32(buf, 0) !== TOMBSTONES_MAGIC) throw new CorruptBlockError(file, 0, 'bad magic number');
  if (buf[4] !== TOMBSTONES_VERSION) throw new CorruptBlockError(file, 4, `unsupported version ${buf[4]}`);
  const end = buf.length - 4;
  const want = getU32(buf, end);
  const got = crcOf(buf, FILE_HEADER_BYTES, end);
  if (want !== got) throw new CorruptBlockError(file, end, `CRC mismatch (stored ${want.toString(16)}, computed ${got.toString(16)})`);
  const r = new ByteReader(buf, FILE_HEADER_BYTES, end, file);
  const count = r.u32();
  const parts = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    const id = r.uvarint();
    const mint = r.varint();
    const maxt = mint + r.uvarint();
    let p = parts.get(id);
    if (p === undefined) parts.set(id, (p = []));
    p.push(mint, maxt);
  }
  if (r.pos !== end) r.fail('trailing bytes');
  const out = new Map<number, Float64Array>();
  for (const [id, p] of parts) out.set(id, mergeIntervals(p));
  return out;
}

export async function readTombstones(path: string): Promise<Map<number, Float64Array>> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  return decodeTombstones(buf, path);
}

/** Writes the tombstones file atomically (temp file, fsync, rename, fsync of the directory). */
export async function writeTombstones(path: string, t: Tombstones): Promise<number> {
  const bytes = encodeTombstones(t);
  const tmp = `${path}.tmp`;
  await writeFile(tmp, bytes);
  const fh = await open(tmp, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await syncDir(dirname(path));
  return bytes.length;
}
