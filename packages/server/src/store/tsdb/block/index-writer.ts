import type { Labels } from '../../../model/index.ts';
import { compareStrings } from '../../../model/index.ts';
import { BufferedFile } from './encoding.ts';
import { FILE_HEADER_BYTES, INDEX_MAGIC, INDEX_VERSION, Section } from './format.ts';

/** A growable typed array of numbers. */
export class NumList {
  data: Float64Array;
  length = 0;
  constructor(capacity = 1024) {
    this.data = new Float64Array(capacity);
  }
  push(x: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = x;
  }
}

/** Everything the index needs about the written series, in label order (chunk metas column-wise). */
export class SeriesTable {
  readonly labels: Labels[] = [];
  /** chunkStart[i] is the first chunk of series i; the next series' start ends it. */
  readonly chunkStart = new NumList();
  readonly minT = new NumList();
  readonly maxT = new NumList();
  readonly seg = new NumList();
  readonly off = new NumList();
  readonly len = new NumList();

  get numSeries(): number {
    return this.labels.length;
  }
  get numChunks(): number {
    return this.minT.length;
  }
  startSeries(labels: Labels): void {
    this.labels.push(labels);
    this.chunkStart.push(this.minT.length);
  }
  addChunk(minT: number, maxT: number, seg: number, off: number, len: number): void {
    this.minT.push(minT);
    this.maxT.push(maxT);
    this.seg.push(seg);
    this.off.push(off);
    this.len.push(len);
  }
}

const MAX_SECTION_BYTES = 0xffffffff;

class SectionWriter {
  readonly toc: { type: number; offset: number }[] = [];
  private sectionOffset = 0;
  private bodyStart = 0;
  constructor(readonly f: BufferedFile) {}

  begin(type: number): void {
    this.sectionOffset = this.f.offset;
    this.toc.push({ type, offset: this.sectionOffset });
    this.f.u32(0);
    this.f.beginCrc();
    this.bodyStart = this.f.offset;
  }

  end(): void {
    const length = this.f.offset - this.bodyStart;
    if (length > MAX_SECTION_BYTES) throw new Error(`index section of ${length} bytes exceeds the 4 GiB format limit`);
    const crc = this.f.endCrc();
    this.f.u32(crc);
    this.f.patchU32(this.sectionOffset, length);
  }
}

/** Writes the index file for `table` (series already sorted by labels) at `path`, fsynced. */
export async function writeIndex(path: string, table: SeriesTable): Promise<void> {
  // Symbols: every label name and value, sorted (so symbol order is string order).
  const symbolSet = new Set<string>();
  for (const ls of table.labels) for (const s of ls) symbolSet.add(s);
  const symbols = [...symbolSet].sort(compareStrings);
  symbolSet.clear();
  const symbolId = new Map<string, number>();
  for (let i = 0; i < symbols.length; i++) symbolId.set(symbols[i], i);

  const f = new BufferedFile(path, 1 << 20);
  try {
    const header = new Uint8Array(FILE_HEADER_BYTES);
    f.u32(INDEX_MAGIC);
    f.u8(INDEX_VERSION);
    f.bytes(header.subarray(0, 3));
    const sw = new SectionWriter(f);

    sw.begin(Section.Symbols);
    f.u32(symbols.length);
    for (let i = 0; i < symbols.length; i++) {
      f.string(symbols[i]);
      if ((i & 4095) === 0) await f.maybeFlush();
    }
    sw.end();

    // Series entries.
    const n = table.numSeries;
    sw.begin(Section.Series);
    f.u32(n);
    const cs = table.chunkStart.data;
    const minT = table.minT.data;
    const maxT = table.maxT.data;
    const seg = table.seg.data;
    const off = table.off.data;
    const len = table.len.data;
    const totalChunks = table.numChunks;
    for (let i = 0; i < n; i++) {
      const ls = table.labels[i];
      f.uvarint(ls.length >>> 1);
      for (let k = 0; k < ls.length; k++) f.uvarint(symbolId.get(ls[k]) as number);
      const c0 = cs[i];
      const c1 = i + 1 < n ? cs[i + 1] : totalChunks;
      f.uvarint(c1 - c0);
      for (let c = c0; c < c1; c++) {
        if (c === c0) {
          f.varint(minT[c]);
          f.uvarint(maxT[c] - minT[c]);
          f.uvarint(seg[c]);
          f.uvarint(off[c]);
        } else {
          f.uvarint(minT[c] - maxT[c - 1]);
          f.uvarint(maxT[c] - minT[c]);
          const segDelta = seg[c] - seg[c - 1];
          f.uvarint(segDelta);
          f.uvarint(segDelta === 0 ? off[c] - (off[c - 1] + len[c - 1]) : off[c]);
        }
        f.uvarint(len[c]);
      }
      if ((i & 1023) === 0) await f.maybeFlush();
    }
    sw.end();

    // Postings: count series per (name, value) pair, then fill one flat array in pair order.
    const S = symbols.length;
    const pairOf = new Map<number, number>();
    const pairKeys = new NumList();
    const counts = new NumList();
    for (let i = 0; i < n; i++) {
      const ls = table.labels[i];
      for (let k = 0; k < ls.length; k += 2) {
        const key = (symbolId.get(ls[k]) as number) * S + (symbolId.get(ls[k + 1]) as number);
        let p = pairOf.get(key);
        if (p === undefined) {
          p = pairKeys.length;
          pairOf.set(key, p);
          pairKeys.push(key);
          counts.push(0);
        }
        counts.data[p]++;
      }
    }
    const numPairs = pairKeys.length;
    const order = new Uint32Array(numPairs);
    for (let p = 0; p < numPairs; p++) order[p] = p;
    const keys = pairKeys.data;
    order.sort((a, b) => keys[a] - keys[b]);
    const start = new Float64Array(numPairs);
    let total = 0;
    for (let r = 0; r < numPairs; r++) {
      start[order[r]] = total;
      total += counts.data[order[r]];
    }
    const fill = start.slice();
    const postings = new Uint32Array(total);
    for (let i = 0; i < n; i++) {
      const ls = table.labels[i];
      for (let k = 0; k < ls.length; k += 2) {
        const key = (symbolId.get(ls[k]) as number) * S + (symbolId.get(ls[k + 1]) as number);
        postings[fill[pairOf.get(key) as number]++] = i;
      }
    }
    pairOf.clear();
    symbolId.clear();

    // Label index: names ascending, each with its values ascending and their postings counts.
    sw.begin(Section.LabelIndex);
    let numNames = 0;
    for (let r = 0; r < numPairs; r++) {
      if (r === 0 || Math.floor(keys[order[r]] / S) !== Math.floor(keys[order[r - 1]] / S)) numNames++;
    }
    f.u32(numNames);
    for (let r = 0; r < numPairs; ) {
      const name = Math.floor(keys[order[r]] / S);
      let e = r;
      while (e < numPairs && Math.floor(keys[order[e]] / S) === name) e++;
      f.uvarint(name);
      f.uvarint(e - r);
      for (let q = r; q < e; q++) {
        f.uvarint(keys[order[q]] - name * S);
        f.uvarint(counts.data[order[q]]);
      }
      r = e;
      await f.maybeFlush();
    }
    sw.end();

    sw.begin(Section.Postings);
    f.u32(numPairs);
    for (let r = 0; r < numPairs; r++) {
      const p = order[r];
      const a = start[p];
      const b = a + counts.data[p];
      let prev = 0;
      for (let q = a; q < b; q++) {
        const id = postings[q];
        f.uvarint(q === a ? id : id - prev);
        prev = id;
      }
      if ((r & 1023) === 0) await f.maybeFlush();
    }
    sw.end();

    // Table of contents, then the footer pointing at it.
    const tocOffset = f.offset;
    const toc = sw.toc.slice();
    sw.begin(0);
    f.u32(toc.length);
    for (const entry of toc) {
      f.u8(entry.type);
      f.u64(entry.offset);
    }
    sw.end();
    f.u64(tocOffset);
    f.u32(INDEX_MAGIC);
    await f.close();
  } catch (error) {
    await f.abort();
    throw error;
  }
}
