import type { Labels } from '../../../model/index.ts';
import { ByteReader, CorruptBlockError, crcOf, getU32, getU64 } from './encoding.ts';
import { FILE_HEADER_BYTES, INDEX_FOOTER_BYTES, INDEX_MAGIC, INDEX_VERSION, Section } from './format.ts';

/** Chunk metadata of one series, column-wise; reused between calls to avoid allocation. */
export class ChunkMetas {
  n = 0;
  minT = new Float64Array(8);
  maxT = new Float64Array(8);
  seg = new Uint32Array(8);
  off = new Float64Array(8);
  len = new Uint32Array(8);

  reserve(n: number): void {
    if (n <= this.minT.length) return;
    let size = this.minT.length;
    while (size < n) size *= 2;
    this.minT = new Float64Array(size);
    this.maxT = new Float64Array(size);
    this.seg = new Uint32Array(size);
    this.off = new Float64Array(size);
    this.len = new Uint32Array(size);
  }
}

/** Validates chunk references while the index is parsed. */
export interface RefValidator {
  validRef(seg: number, offset: number, length: number): boolean;
}

/**
 * A block index held in compact typed structures: the symbols as a string array, the series
 * section as one byte array with a Uint32Array of entry offsets, the label index as Uint32Arrays and
 * every postings list in one Uint32Array. Series ids are ordinals in label order.
 */
export class IndexReader {
  readonly symbols: string[];
  readonly numSeries: number;
  private readonly series: Uint8Array;
  private readonly seriesOffsets: Uint32Array;
  /** Label names (symbol refs), ascending. */
  readonly nameRefs: Uint32Array;
  /** Values of name i are value slots valueStart[i] … valueStart[i+1]-1. */
  readonly valueStart: Uint32Array;
  readonly valueRefs: Uint32Array;
  /** Postings of value slot v are postings[postingsStart[v] … postingsStart[v+1]). */
  readonly postingsStart: Uint32Array;
  readonly postings: Uint32Array;
  private readonly nameIndex = new Map<string, number>();
  private all: Uint32Array | null = null;
  private readonly file: string;
  private readonly seriesBodyOffset: number;

  constructor(buf: Uint8Array, file: string, chunks: RefValidator | null) {
    this.file = file;
    if (buf.length < FILE_HEADER_BYTES + INDEX_FOOTER_BYTES) throw new CorruptBlockError(file, 0, 'file too short');
    if (getU32(buf, 0) !== INDEX_MAGIC) throw new CorruptBlockError(file, 0, 'bad magic number');
    if (buf[4] !== INDEX_VERSION) throw new CorruptBlockError(file, 4, `unsupported index version ${buf[4]}`);
    const footer = buf.length - INDEX_FOOTER_BYTES;
    if (getU32(buf, footer + 8) !== INDEX_MAGIC) throw new CorruptBlockError(file, footer + 8, 'bad footer magic (truncated file?)');
    const tocOffset = getU64(buf, footer);
    const toc = this.section(buf, tocOffset, footer, 'table of contents');
    const sections = new Map<number, { start: number; end: number }>();
    const limit = tocOffset;
    const tr = new ByteReader(buf, toc.start, toc.end, file);
    const nEntries = tr.u32();
    for (let i = 0; i < nEntries; i++) {
      const type = tr.u8();
      const at = tr.pos;
      const offset = tr.u64();
      // Unknown (newer) section types are skipped, as the format promises.
      sections.set(type, this.section(buf, offset, limit, `section type ${type}`, at));
    }
    const need = (type: number, name: string): { start: number; end: number } => {
      const s = sections.get(type);
      if (s === undefined) throw new CorruptBlockError(file, toc.start, `table of contents lacks the ${name} section`);
      return s;
    };

    // Symbols.
    const sym = need(Section.Symbols, 'symbols');
    const sr = new ByteReader(buf, sym.start, sym.end, file);
    const numSymbols = sr.u32();
    if (numSymbols > sym.end - sym.start) sr.fail(`symbol count ${numSymbols} larger than the section`);
    this.symbols = new Array<string>(numSymbols);
    for (let i = 0; i < numSymbols; i++) this.symbols[i] = sr.string();

    // Series: copy the section body and index the entries.
    const ser = need(Section.Series, 'series');
    const r = new ByteReader(buf, ser.start, ser.end, file);
    const n = r.u32();
    if (n > ser.end - ser.start) r.fail(`series count ${n} larger than the section`);
    this.numSeries = n;
    this.seriesBodyOffset = ser.start;
    this.series = buf.slice(ser.start, ser.end);
    this.seriesOffsets = new Uint32Array(n);
    const local = new ByteReader(this.series, 4, this.series.length, file, ser.start);
    for (let i = 0; i < n; i++) {
      this.seriesOffsets[i] = local.pos;
      this.checkSeriesEntry(local, i, chunks);
    }
    if (local.pos !== this.series.length) local.fail('trailing bytes after the last series');

    // Label index.
    const li = need(Section.LabelIndex, 'label index');
    const lr = new ByteReader(buf, li.start, li.end, file);
    const numNames = lr.u32();
    if (numNames > li.end - li.start) lr.fail(`label name count ${numNames} larger than the section`);
    this.nameRefs = new Uint32Array(numNames);
    this.valueStart = new Uint32Array(numNames + 1);
    const valueRefs: number[] = [];
    const counts: number[] = [];
    for (let i = 0; i < numNames; i++) {
      const at = lr.pos;
      const name = lr.uvarint();
      if (name >= numSymbols || (i > 0 && name <= this.nameRefs[i - 1])) lr.fail(`bad label name reference ${name}`, at);
      this.nameRefs[i] = name;
      this.nameIndex.set(this.symbols[name], i);
      const nv = lr.uvarint();
      let prev = -1;
      for (let k = 0; k < nv; k++) {
        const vat = lr.pos;
        const v = lr.uvarint();
        if (v >= numSymbols || v <= prev) lr.fail(`bad label value reference ${v}`, vat);
        prev = v;
        valueRefs.push(v);
        counts.push(lr.uvarint());
      }
      this.valueStart[i + 1] = valueRefs.length;
    }
    if (lr.pos !== li.end) lr.fail('trailing bytes in the label index');
    this.valueRefs = Uint32Array.from(valueRefs);
    this.postingsStart = new Uint32Array(counts.length + 1);
    let total = 0;
    for (let v = 0; v < counts.length; v++) {
      total += counts[v];
      this.postingsStart[v + 1] = total;
    }

    // Postings.
    const po = need(Section.Postings, 'postings');
    const pr = new ByteReader(buf, po.start, po.end, file);
    const numLists = pr.u32();
    if (numLists !== counts.length) pr.fail(`${numLists} postings lists but the label index has ${counts.length}`);
    if (total > (po.end - po.start) * 1) pr.fail(`postings total ${total} larger than the section`);
    this.postings = new Uint32Array(total);
    let q = 0;
    for (let v = 0; v < counts.length; v++) {
      let prev = -1;
      for (let k = 0; k < counts[v]; k++) {
        const at = pr.pos;
        const x = pr.uvarint();
        const id = k === 0 ? x : prev + x;
        if (id >= n || id <= prev) pr.fail(`bad series id ${id} in a postings list`, at);
        this.postings[q++] = id;
        prev = id;
      }
    }
    if (pr.pos !== po.end) pr.fail('trailing bytes in the postings section');
  }

  /** Locates and CRC-checks the section whose length field is at `offset`. */
  private section(buf: Uint8Array, offset: number, limit: number, what: string, refAt = offset): { start: number; end: number } {
    if (offset < FILE_HEADER_BYTES || offset + 8 > limit) throw new CorruptBlockError(this.file, refAt, `${what} offset ${offset} out of range`);
    const length = getU32(buf, offset);
    const start = offset + 4;
    const end = start + length;
    if (end + 4 > limit) throw new CorruptBlockError(this.file, offset, `${what} length ${length} runs past the end`);
    const want = getU32(buf, end);
    const got = crcOf(buf, start, end);
    if (want !== got) throw new CorruptBlockError(this.file, offset, `${what} CRC mismatch (stored ${want.toString(16)}, computed ${got.toString(16)})`);
    return { start, end };
  }

  private checkSeriesEntry(r: ByteReader, id: number, chunks: RefValidator | null): void {
    const at = r.pos;
    const nl = r.uvarint();
    const S = this.symbols.length;
    let prevName = -1;
    for (let k = 0; k < nl; k++) {
      const name = r.uvarint();
      const value = r.uvarint();
      if (name >= S || value >= S || name <= prevName) r.fail(`series ${id}: bad label references`, at);
      prevName = name;
    }
    const nc = r.uvarint();
    let seg = 0;
    let end = 0;
    let maxT = 0;
    for (let c = 0; c < nc; c++) {
      let minT: number;
      let off: number;
      if (c === 0) {
        minT = r.varint();
        maxT = minT + r.uvarint();
        seg = r.uvarint();
        off = r.uvarint();
      } else {
        minT = maxT + r.uvarint();
        maxT = minT + r.uvarint();
        const d = r.uvarint();
        seg += d;
        off = d === 0 ? end + r.uvarint() : r.uvarint();
      }
      const len = r.uvarint();
      end = off + len;
      if (chunks !== null && !chunks.validRef(seg, off, len)) {
        r.fail(`series ${id}: chunk reference (segment ${seg}, offset ${off}, ${len} bytes) outside the chunk files`, at);
      }
    }
  }

  /** The label set of series `id` (strings shared with the symbol table). */
  labels(id: number): string[] {
    const buf = this.series;
    const r = new ByteReader(buf, this.seriesOffsets[id], buf.length, this.file, this.seriesBodyOffset);
    const nl = r.uvarint();
    const out = new Array<string>(nl * 2);
    for (let k = 0; k < nl * 2; k++) out[k] = this.symbols[r.uvarint()];
    return out;
  }

  /** Symbol refs of series `id`'s labels into `out` ([name, value, …]); returns the label count. */
  labelRefs(id: number, out: number[]): number {
    const r = new ByteReader(this.series, this.seriesOffsets[id], this.series.length, this.file, this.seriesBodyOffset);
    const nl = r.uvarint();
    out.length = nl * 2;
    for (let k = 0; k < nl * 2; k++) out[k] = r.uvarint();
    return nl;
  }

  /** Decodes the chunk metas of series `id` into `out`. */
  chunks(id: number, out: ChunkMetas): ChunkMetas {
    const r = new ByteReader(this.series, this.seriesOffsets[id], this.series.length, this.file, this.seriesBodyOffset);
    const nl = r.uvarint();
    for (let k = 0; k < nl * 2; k++) r.uvarint();
    const nc = r.uvarint();
    out.reserve(nc);
    out.n = nc;
    let seg = 0;
    let end = 0;
    let maxT = 0;
    for (let c = 0; c < nc; c++) {
      let minT: number;
      let off: number;
      if (c === 0) {
        minT = r.varint();
        maxT = minT + r.uvarint();
        seg = r.uvarint();
        off = r.uvarint();
      } else {
        minT = maxT + r.uvarint();
        maxT = minT + r.uvarint();
        const d = r.uvarint();
        seg += d;
        off = d === 0 ? end + r.uvarint() : r.uvarint();
      }
      const len = r.uvarint();
      end = off + len;
      out.minT[c] = minT;
      out.maxT[c] = maxT;
      out.seg[c] = seg;
      out.off[c] = off;
      out.len[c] = len;
    }
    return out;
  }

  /** Series id with exactly these labels, or -1 (binary search: ids are in label order). */
  findSeries(labels: Labels): number {
    const refs: number[] = [];
    // Translate to symbol refs first; an unknown symbol means no such series.
    const want: number[] = new Array(labels.length);
    for (let k = 0; k < labels.length; k++) {
      const ref = this.symbolRef(labels[k]);
      if (ref < 0) return -1;
      want[k] = ref;
    }
    let lo = 0;
    let hi = this.numSeries - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      this.labelRefs(mid, refs);
      let cmp = 0;
      const m = Math.min(refs.length, want.length);
      for (let k = 0; k < m && cmp === 0; k++) cmp = refs[k] - want[k];
      if (cmp === 0) cmp = refs.length - want.length;
      if (cmp === 0) return mid;
      if (cmp < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Symbol ref of `s`, or -1 (binary search; symbols are sorted). */
  symbolRef(s: string): number {
    const sy = this.symbols;
    let lo = 0;
    let hi = sy.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const x = sy[mid];
      if (x === s) return mid;
      if (x < s) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Index of label name `name` in nameRefs, or -1. */
  nameSlot(name: string): number {
    return this.nameIndex.get(name) ?? -1;
  }

  /** Value slot of (name slot, value), or -1. */
  valueSlot(nameSlot: number, value: string): number {
    const ref = this.symbolRef(value);
    if (ref < 0) return -1;
    let lo = this.valueStart[nameSlot];
    let hi = this.valueStart[nameSlot + 1] - 1;
    const vr = this.valueRefs;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (vr[mid] === ref) return mid;
      if (vr[mid] < ref) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  postingsOf(valueSlot: number): Uint32Array {
    return this.postings.subarray(this.postingsStart[valueSlot], this.postingsStart[valueSlot + 1]);
  }

  allPostings(): Uint32Array {
    if (this.all === null) {
      const all = new Uint32Array(this.numSeries);
      for (let i = 0; i < all.length; i++) all[i] = i;
      this.all = all;
    }
    return this.all;
  }

  /** Every label name, sorted. */
  labelNames(): string[] {
    const out = new Array<string>(this.nameRefs.length);
    for (let i = 0; i < out.length; i++) out[i] = this.symbols[this.nameRefs[i]];
    return out;
  }

  /** Bytes held in memory (approximate). */
  memoryBytes(): number {
    return this.series.length + this.seriesOffsets.byteLength + this.postings.byteLength + this.valueRefs.byteLength * 2;
  }
}
