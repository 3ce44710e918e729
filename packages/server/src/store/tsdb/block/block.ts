import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { LabelMatcher, Labels } from '../../../model/index.ts';
import { ChunkIterator, chunkSampleCount, decodeChunk, isKnownEncoding } from '../chunk/index.ts';
import type { Querier, SampleIterator, SelectHints, Series } from '../../types.ts';
import { ChunkReader } from './chunks.ts';
import { CorruptBlockError } from './encoding.ts';
import { CHUNKS_DIR, INDEX_FILE, META_FILE, META_VERSION, TOMBSTONES_FILE } from './format.ts';
import { ChunkMetas, IndexReader } from './index-reader.ts';
import { intersect, subtract, union } from './postings.ts';
import type { Tombstones } from './tombstones.ts';
import { addIntervals, coveredBy, intersects, readTombstones, writeTombstones } from './tombstones.ts';
import type { BlockMeta, ChunkData, SeriesData } from './types.ts';
import { isUlid } from './ulid.ts';
import { keepSamples } from '../deleted-samples.ts';
import type { IntervalCursor } from '../deleted-samples.ts';

/** Tombstone bounds are clamped to what the varint encoding of a JS number holds exactly. */
const TIME_LIMIT = 2 ** 52;

function validateMeta(raw: unknown, file: string): BlockMeta {
  const fail = (reason: string): never => {
    throw new CorruptBlockError(file, 0, reason);
  };
  if (typeof raw !== 'object' || raw === null) return fail('not a JSON object');
  const m = raw as Record<string, unknown>;
  if (m.version !== META_VERSION) fail(`unsupported meta version ${String(m.version)}`);
  if (typeof m.ulid !== 'string' || !isUlid(m.ulid)) fail('bad ulid');
  if (!Number.isSafeInteger(m.minTime) || !Number.isSafeInteger(m.maxTime)) fail('bad minTime/maxTime');
  const stats = m.stats as Record<string, unknown> | undefined;
  if (typeof stats !== 'object' || stats === null) return fail('missing stats');
  for (const k of ['numSamples', 'numSeries', 'numChunks']) if (!Number.isSafeInteger(stats[k])) fail(`bad stats.${k}`);
  const c = m.compaction as Record<string, unknown> | undefined;
  if (typeof c !== 'object' || c === null) return fail('missing compaction');
  if (!Number.isSafeInteger(c.level) || !Array.isArray(c.sources) || !c.sources.every((s) => typeof s === 'string')) fail('bad compaction');
  if (c.parents !== undefined && (!Array.isArray(c.parents) || !c.parents.every((s) => typeof s === 'string'))) fail('bad compaction.parents');
  return m as unknown as BlockMeta;
}

/** An immutable on-disk block (docs/formats/block.md). */
export class Block {
  readonly meta: BlockMeta;
  readonly dir: string;
  /** @internal */ readonly index: IndexReader;
  /** @internal */ readonly chunkReader: ChunkReader;
  /** @internal Replaced (never mutated) when tombstones are added; queriers keep their snapshot. */
  tombstones: Tombstones;
  private size: number;
  private readonly fixedSize: number;
  private pendingReaders = 0;
  private closing = false;
  private closed = false;
  private onDrained: (() => void) | null = null;

  private constructor(dir: string, meta: BlockMeta, index: IndexReader, chunks: ChunkReader, tombstones: Tombstones, fixedSize: number, tombSize: number) {
    this.dir = dir;
    this.meta = meta;
    this.index = index;
    this.chunkReader = chunks;
    this.tombstones = tombstones;
    this.fixedSize = fixedSize;
    this.size = fixedSize + tombSize;
  }

  /** Opens a block directory, validating meta.json, the index (magic, CRCs, structure) and chunk file headers. */
  static async open(dir: string): Promise<Block> {
    const metaPath = join(dir, META_FILE);
    let metaText: string;
    try {
      metaText = await readFile(metaPath, 'utf8');
    } catch (error) {
      throw new CorruptBlockError(metaPath, 0, `cannot read: ${(error as Error).message}`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(metaText);
    } catch (error) {
      throw new CorruptBlockError(metaPath, 0, `invalid JSON: ${(error as Error).message}`);
    }
    const meta = validateMeta(raw, metaPath);
    if (basename(dir) !== meta.ulid) throw new CorruptBlockError(metaPath, 0, `ulid ${meta.ulid} does not match the directory name`);
    const chunks = await ChunkReader.open(join(dir, CHUNKS_DIR));
    try {
      const indexPath = join(dir, INDEX_FILE);
      let indexBytes: Buffer;
      try {
        indexBytes = await readFile(indexPath);
      } catch (error) {
        throw new CorruptBlockError(indexPath, 0, `cannot read: ${(error as Error).message}`);
      }
      const index = new IndexReader(indexBytes, indexPath, chunks);
      if (index.numSeries !== meta.stats.numSeries) {
        throw new CorruptBlockError(metaPath, 0, `stats.numSeries ${meta.stats.numSeries} but the index has ${index.numSeries} series`);
      }
      const tombPath = join(dir, TOMBSTONES_FILE);
      const tombstones = await readTombstones(tombPath);
      const tombSize = await stat(tombPath).then(
        (s) => s.size,
        () => 0,
      );
      const fixed = metaText.length + indexBytes.length + chunks.totalBytes();
      return new Block(dir, meta, index, chunks, tombstones, fixed, tombSize);
    } catch (error) {
      chunks.close();
      throw error;
    }
  }

  /** A querier over [mint, maxt] (inclusive). Close it when done; the block stays open until then. */
  querier(mint: number, maxt: number): Querier {
    if (this.closing) throw new Error(`block ${this.meta.ulid} is closed`);
    this.pendingReaders++;
    return new BlockQuerier(this, mint, maxt, this.tombstones, () => this.readerDone());
  }

  private readerDone(): void {
    this.pendingReaders--;
    if (this.pendingReaders === 0 && this.onDrained !== null) this.onDrained();
  }

  /**
   * Raw chunks of every series in label order, for compaction. Tombstones are NOT applied (see
   * `tombstones`); chunk bytes are fresh copies.
   */
  *series(): Iterable<SeriesData> {
    const metas = new ChunkMetas();
    const enc = new Uint8Array(1);
    for (let id = 0; id < this.index.numSeries; id++) {
      const labels = this.index.labels(id);
      this.index.chunks(id, metas);
      const chunks: ChunkData[] = [];
      for (let c = 0; c < metas.n; c++) {
        const data = this.chunkReader.read(metas.seg[c], metas.off[c], metas.len[c], enc);
        checkEncoding(enc[0], this.chunkReader, metas, c);
        chunks.push({ minTime: metas.minT[c], maxTime: metas.maxT[c], bytes: data.slice() });
      }
      yield { labels, chunks };
    }
  }

  /** Bytes on disk (meta, index, chunks, tombstones). */
  sizeBytes(): number {
    return this.size;
  }

  /** Marks [mint, maxt] (inclusive) of the given series deleted. Unknown series are ignored. */
  async addTombstones(entries: { seriesLabels: Labels; mint: number; maxt: number }[]): Promise<void> {
    if (this.closing) throw new Error(`block ${this.meta.ulid} is closed`);
    const add: { id: number; mint: number; maxt: number }[] = [];
    for (const e of entries) {
      const id = this.index.findSeries(e.seriesLabels);
      if (id < 0) continue;
      const mint = Math.max(-TIME_LIMIT, Math.ceil(e.mint));
      const maxt = Math.min(TIME_LIMIT, Math.floor(e.maxt));
      if (maxt < mint) continue;
      add.push({ id, mint, maxt });
    }
    if (add.length === 0) return;
    const next = addIntervals(this.tombstones, add);
    const bytes = await writeTombstones(join(this.dir, TOMBSTONES_FILE), next);
    this.tombstones = next;
    this.size = this.fixedSize + bytes;
  }

  /** Closes the files once every open querier is closed. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    if (this.pendingReaders > 0) {
      await new Promise<void>((resolve) => {
        this.onDrained = resolve;
      });
    }
    if (!this.closed) {
      this.closed = true;
      this.chunkReader.close();
    }
  }
}

function checkEncoding(encoding: number, reader: ChunkReader, metas: ChunkMetas, c: number): void {
  if (!isKnownEncoding(encoding)) {
    throw new CorruptBlockError(reader.segmentPath(metas.seg[c]), metas.off[c], `unknown chunk encoding ${encoding}`);
  }
}

/** Sorted series ids matching every matcher, with Prometheus semantics for empty-matching matchers. */
export function postingsForMatchers(index: IndexReader, matchers: readonly LabelMatcher[]): Uint32Array {
  const include: Uint32Array[] = [];
  const exclude: Uint32Array[] = [];
  for (const m of matchers) {
    const slot = index.nameSlot(m.name);
    if (m.matchesEmpty()) {
      // Series without the label match; exclude those whose value does not match.
      if (slot < 0) continue;
      if (m.type === '!=') {
        const v = index.valueSlot(slot, m.value);
        if (v >= 0) exclude.push(index.postingsOf(v));
        continue;
      }
      const lists: Uint32Array[] = [];
      const s = index.symbols;
      for (let v = index.valueStart[slot]; v < index.valueStart[slot + 1]; v++) {
        if (!m.matches(s[index.valueRefs[v]])) lists.push(index.postingsOf(v));
      }
      if (lists.length > 0) exclude.push(union(lists));
    } else {
      if (slot < 0) return new Uint32Array(0);
      let list: Uint32Array;
      if (m.type === '=') {
        const v = index.valueSlot(slot, m.value);
        list = v >= 0 ? index.postingsOf(v) : new Uint32Array(0);
      } else {
        const lists: Uint32Array[] = [];
        const s = index.symbols;
        for (let v = index.valueStart[slot]; v < index.valueStart[slot + 1]; v++) {
          if (m.matches(s[index.valueRefs[v]])) lists.push(index.postingsOf(v));
        }
        list = union(lists);
      }
      if (list.length === 0) return list;
      include.push(list);
    }
  }
  let result: Uint32Array;
  if (include.length === 0) {
    result = index.allPostings();
  } else {
    include.sort((a, b) => a.length - b.length);
    result = include[0];
    for (let i = 1; i < include.length && result.length > 0; i++) result = intersect(result, include[i]);
  }
  for (const ex of exclude) {
    if (result.length === 0) break;
    result = subtract(result, ex);
  }
  return result;
}

class BlockQuerier implements Querier {
  private closed = false;
  private readonly metas = new ChunkMetas();
  private readonly probe = new ChunkIterator();
  private readonly enc = new Uint8Array(1);

  constructor(
    private readonly block: Block,
    private readonly mint: number,
    private readonly maxt: number,
    private readonly tombstones: Tombstones,
    private readonly onClose: () => void,
  ) {}

  private check(): void {
    if (this.closed) throw new Error('querier is closed');
  }

  *select(matchers: readonly LabelMatcher[], hints?: SelectHints): Iterable<Series> {
    this.check();
    const index = this.block.index;
    const ids = postingsForMatchers(index, matchers);
    const limit = hints?.limit ?? Infinity;
    const labelsOnly = hints?.labelsOnly === true;
    const { mint, maxt } = this;
    if (maxt < mint || this.block.meta.maxTime <= mint || this.block.meta.minTime > maxt) return;
    const metas = this.metas;
    let emitted = 0;
    for (let i = 0; i < ids.length && emitted < limit; i++) {
      this.check();
      const id = ids[i];
      index.chunks(id, metas);
      const deleted = this.tombstones.get(id);
      // Chunks overlapping [mint, maxt] whose overlap is not entirely deleted.
      const keep: number[] = [];
      for (let c = 0; c < metas.n; c++) {
        if (metas.maxT[c] < mint || metas.minT[c] > maxt) continue;
        if (deleted !== undefined && coveredBy(deleted, Math.max(mint, metas.minT[c]), Math.min(maxt, metas.maxT[c]))) continue;
        keep.push(c);
      }
      if (keep.length === 0) continue;
      // A chunk's min and max time are sample timestamps, so a chunk starting or ending inside the
      // range has a sample in it. Only when every chunk straddles the range (or tombstones cut into
      // it) do we look inside the chunk; the data read is handed to the series.
      const n = keep.length;
      const minT = new Float64Array(n);
      const maxT = new Float64Array(n);
      const seg = new Uint32Array(n);
      const off = new Float64Array(n);
      const len = new Uint32Array(n);
      for (let k = 0; k < n; k++) {
        const c = keep[k];
        minT[k] = metas.minT[c];
        maxT[k] = metas.maxT[c];
        seg[k] = metas.seg[c];
        off[k] = metas.off[c];
        len[k] = metas.len[c];
      }
      const data: (Uint8Array | null)[] = new Array<Uint8Array | null>(n).fill(null);
      const encodings = new Uint8Array(n);
      if (!labelsOnly) {
        let found = false;
        for (let k = 0; k < n && !found; k++) {
          const edgeInside = (minT[k] >= mint && minT[k] <= maxt) || (maxT[k] >= mint && maxT[k] <= maxt);
          if (edgeInside && !intersects(deleted, Math.max(mint, minT[k]), Math.min(maxt, maxT[k]))) {
            found = true;
            break;
          }
          const bytes = this.readChunk(seg[k], off[k], len[k]).slice();
          data[k] = bytes;
          encodings[k] = this.enc[0];
          found = hasSampleIn(this.probe.reset(encodings[k], bytes), mint, maxt, deleted);
        }
        if (!found) continue;
      }
      emitted++;
      yield new BlockSeries(index.labels(id), this, minT, maxT, seg, off, len, data, encodings, deleted);
    }
  }

  /** @internal Reads a chunk; its encoding is then in `lastEncoding`. */
  readChunk(seg: number, off: number, len: number): Uint8Array {
    this.check();
    const data = this.block.chunkReader.read(seg, off, len, this.enc);
    if (!isKnownEncoding(this.enc[0])) {
      throw new CorruptBlockError(this.block.chunkReader.segmentPath(seg), off, `unknown chunk encoding ${this.enc[0]}`);
    }
    return data;
  }

  get lastEncoding(): number {
    return this.enc[0];
  }

  get range(): { mint: number; maxt: number } {
    return { mint: this.mint, maxt: this.maxt };
  }

  labelNames(matchers: readonly LabelMatcher[]): string[] {
    this.check();
    const index = this.block.index;
    if (matchers.length === 0) return index.labelNames();
    const ids = postingsForMatchers(index, matchers);
    const seen = new Set<number>();
    const refs: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const nl = index.labelRefs(ids[i], refs);
      for (let k = 0; k < nl; k++) seen.add(refs[k * 2]);
    }
    return [...seen].sort((a, b) => a - b).map((r) => index.symbols[r]);
  }

  labelValues(name: string, matchers: readonly LabelMatcher[]): string[] {
    this.check();
    const index = this.block.index;
    const slot = index.nameSlot(name);
    if (slot < 0) return [];
    const from = index.valueStart[slot];
    const to = index.valueStart[slot + 1];
    const out: string[] = [];
    if (matchers.length === 0) {
      for (let v = from; v < to; v++) out.push(index.symbols[index.valueRefs[v]]);
      return out;
    }
    const ids = postingsForMatchers(index, matchers);
    if (ids.length === 0) return out;
    const nameRef = index.nameRefs[slot];
    if (ids.length < 4 * (to - from)) {
      // Few series: read their labels.
      const seen = new Set<number>();
      const refs: number[] = [];
      for (let i = 0; i < ids.length; i++) {
        const nl = index.labelRefs(ids[i], refs);
        for (let k = 0; k < nl; k++) {
          if (refs[k * 2] === nameRef) {
            seen.add(refs[k * 2 + 1]);
            break;
          }
        }
      }
      return [...seen].sort((a, b) => a - b).map((r) => index.symbols[r]);
    }
    for (let v = from; v < to; v++) {
      if (intersect(index.postingsOf(v), ids).length > 0) out.push(index.symbols[index.valueRefs[v]]);
    }
    return out;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }
}

function hasSampleIn(it: ChunkIterator, mint: number, maxt: number, deleted: Float64Array | undefined): boolean {
  if (!it.seek(mint)) return false;
  let di = 0;
  do {
    const t = it.timestamp;
    if (t > maxt) return false;
    if (deleted === undefined) return true;
    while (di < deleted.length && deleted[di + 1] < t) di += 2;
    if (di >= deleted.length || deleted[di] > t) return true;
  } while (it.next());
  return false;
}

class BlockSeries implements Series {
  constructor(
    readonly labels: Labels,
    private readonly q: BlockQuerier,
    private readonly minT: Float64Array,
    private readonly maxT: Float64Array,
    private readonly seg: Uint32Array,
    private readonly off: Float64Array,
    private readonly len: Uint32Array,
    private readonly data: (Uint8Array | null)[],
    private readonly encodings: Uint8Array,
    private readonly deleted: Float64Array | undefined,
  ) {}

  iterator(): SampleIterator {
    return new BlockSeriesIterator(this);
  }

  /** @internal */
  chunkCount(): number {
    return this.minT.length;
  }
  /** @internal */
  chunkMinTime(k: number): number {
    return this.minT[k];
  }
  /** @internal */
  chunkMaxTime(k: number): number {
    return this.maxT[k];
  }
  /** @internal */
  chunkBytes(k: number): Uint8Array {
    const cached = this.data[k];
    if (cached !== null) return cached;
    const bytes = this.q.readChunk(this.seg[k], this.off[k], this.len[k]);
    this.encodings[k] = this.q.lastEncoding;
    return bytes;
  }
  /** @internal valid after chunkBytes(k) */
  chunkEncoding(k: number): number {
    return this.encodings[k];
  }
  /** @internal */
  get deletedIntervals(): Float64Array | undefined {
    return this.deleted;
  }
  /** @internal */
  get querier(): BlockQuerier {
    return this.q;
  }
}

/** Samples of one series within the querier's range, across its chunks, skipping deleted ranges. */
class BlockSeriesIterator implements SampleIterator {
  timestamp = 0;
  value = 0;
  private readonly inner = new ChunkIterator();
  private chunk = -1;
  private open = false;
  private done = false;
  private started = false;
  private readonly cursor: IntervalCursor = { interval: 0 };
  private readonly mint: number;
  private readonly maxt: number;
  private readonly deleted: Float64Array | undefined;

  constructor(private readonly s: BlockSeries) {
    const r = s.querier.range;
    this.mint = r.mint;
    this.maxt = r.maxt;
    this.deleted = s.deletedIntervals;
  }

  private openChunk(k: number): void {
    this.chunk = k;
    const bytes = this.s.chunkBytes(k);
    this.inner.reset(this.s.chunkEncoding(k), bytes);
    this.open = true;
  }

  next(): boolean {
    if (this.done) return false;
    const inner = this.inner;
    for (;;) {
      if (!this.open) {
        const k = this.chunk + 1;
        if (k >= this.s.chunkCount()) {
          this.done = true;
          return false;
        }
        this.openChunk(k);
      }
      if (!inner.next()) {
        this.open = false;
        continue;
      }
      const t = inner.timestamp;
      if (t < this.mint) continue;
      if (t > this.maxt) {
        this.done = true;
        return false;
      }
      const d = this.deleted;
      if (d !== undefined) {
        while (this.cursor.interval < d.length && d[this.cursor.interval + 1] < t) this.cursor.interval += 2;
        if (this.cursor.interval < d.length && d[this.cursor.interval] <= t) continue;
      }
      this.timestamp = t;
      this.value = inner.value;
      this.started = true;
      return true;
    }
  }

  seek(t: number): boolean {
    if (this.done) return false;
    if (this.started && this.timestamp >= t) return true;
    // Skip whole chunks that end before t.
    const n = this.s.chunkCount();
    let k = this.open ? this.chunk : this.chunk + 1;
    while (k < n && this.s.chunkMaxTime(k) < t) k++;
    if (k >= n) {
      this.done = true;
      return false;
    }
    if (!this.open || k !== this.chunk) this.openChunk(k);
    if (!this.inner.seek(Math.max(t, this.mint))) {
      this.open = false;
      return this.next();
    }
    // Position the inner iterator one step back is not possible; accept the current inner sample
    // through the same filters as next().
    for (;;) {
      const ts = this.inner.timestamp;
      if (ts > this.maxt) {
        this.done = true;
        return false;
      }
      const d = this.deleted;
      let isDeleted = false;
      if (d !== undefined) {
        while (this.cursor.interval < d.length && d[this.cursor.interval + 1] < ts) this.cursor.interval += 2;
        isDeleted = this.cursor.interval < d.length && d[this.cursor.interval] <= ts;
      }
      if (!isDeleted && ts >= t) {
        this.timestamp = ts;
        this.value = this.inner.value;
        this.started = true;
        return true;
      }
      if (!this.inner.next()) {
        this.open = false;
        return this.next() && (this.timestamp >= t || this.seek(t));
      }
    }
  }

  /**
   * The bulk path: chunks wholly inside [mint, maxt] without deleted samples that fit in the room
   * left decode straight into the output; others go through the chunk iterator's bulk path and are
   * filtered in place.
   */
  readInto(maxt: number, timestamps: Float64Array, values: Float64Array, offset: number): number {
    if (this.done) return 0;
    const end = Math.min(timestamps.length, values.length);
    const limit = Math.min(maxt, this.maxt);
    const series = this.s;
    const chunkCount = series.chunkCount();
    const inner = this.inner;
    const deleted = this.deleted;
    let k = offset;
    while (k < end) {
      if (!this.open) {
        const c = this.chunk + 1;
        if (c >= chunkCount) break;
        const minTime = series.chunkMinTime(c);
        if (minTime > limit) break;
        const maxTime = series.chunkMaxTime(c);
        const bytes = series.chunkBytes(c);
        const encoding = series.chunkEncoding(c);
        this.chunk = c;
        if (minTime >= this.mint && maxTime <= limit && !intersects(deleted, minTime, maxTime)) {
          const count = chunkSampleCount(encoding, bytes);
          if (count <= end - k) {
            k += decodeChunk(encoding, bytes, timestamps, values, k);
            continue;
          }
        }
        inner.reset(encoding, bytes);
        this.open = true;
      }
      const before = k;
      const read = inner.readInto(limit, timestamps, values, before);
      k = read === 0 ? before : keepSamples(timestamps, values, before, before + read, this.mint, deleted, this.cursor);
      if (inner.exhausted) {
        this.open = false;
        continue;
      }
      // The chunk goes on past the limit.
      if (read < end - before) break;
    }
    if (k > offset) {
      this.timestamp = timestamps[k - 1];
      this.value = values[k - 1];
      this.started = true;
    }
    return k - offset;
  }
}
