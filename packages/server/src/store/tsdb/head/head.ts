import { SymbolTable, compareLabels, getLabel } from '../../../model/index.ts';
import type { LabelMatcher, Labels } from '../../../model/index.ts';
import { XorAppender, XorIterator } from '../chunk/index.ts';
import type { ChunkData, SeriesData } from '../block/index.ts';
import { AppendStatus } from '../../types.ts';
import type { Appender, Querier, Sample, SampleIterator, Series, SelectHints, StorageStats } from '../../types.ts';
import { validLabels } from '../../select.ts';
import { MergeIterator } from '../../merge.ts';
import { ArraySampleIterator } from '../../iterators.ts';
import { ChunkPool } from './chunk-pool.ts';
import { growFloat64, growInt32, growUint32, growUint8 } from './growable.ts';
import { MemPostings, postingsForMatchers } from './postings.ts';
import { addIntervals, intersects } from '../block/tombstones.ts';
import { DeletedIntervalsIterator, isDeleted } from './deleted-iterator.ts';
import { keepSamples } from '../deleted-samples.ts';
import type { IntervalCursor } from '../deleted-samples.ts';

/** Samples per chunk before a new one is cut (Prometheus uses 120 as well). */
export const SAMPLES_PER_CHUNK = 120;

/** What one commit hands to the write-ahead log before it is applied. */
export interface CommitBatch {
  /** Series created since the last commit that logged them: refs and their labels. */
  newSeriesRefs: readonly number[];
  newSeriesLabels: readonly Labels[];
  refs: Int32Array;
  timestamps: Float64Array;
  values: Float64Array;
  count: number;
  exemplars: readonly ExemplarRecord[];
}

export interface ExemplarRecord {
  ref: number;
  timestamp: number;
  value: number;
  labels: Labels;
}

export interface HeadOptions {
  /** Block and chunk alignment in ms (2h). Chunks never straddle a multiple of it. */
  chunkRange: number;
  /** Called with every commit before it is applied; rejecting aborts the commit (nothing applied). */
  onCommit?: (batch: CommitBatch) => Promise<void>;
  /** Kept exemplars, a ring buffer (Prometheus's storage.exemplars.max_exemplars). */
  maxExemplars?: number;
  /** Called with every chunk the head completes (to keep it on disk for fast restarts). */
  onChunkComplete?: (chunk: CompletedChunk) => void;
}

/** A completed head chunk, as handed to `onChunkComplete` and restored at startup. */
export interface CompletedChunk {
  ref: number;
  minTime: number;
  maxTime: number;
  lastValue: number;
  /** XOR chunk bytes; a view, valid only during the call. */
  bytes: Uint8Array;
}

export interface HeadCounters {
  samplesAppended: number;
  /** Samples in head chunks restored from disk at startup (not appended again). */
  samplesRestored: number;
  /** Out-of-order samples accepted inside the out-of-order window. */
  outOfOrderAccepted: number;
  outOfOrder: number;
  outOfBounds: number;
  duplicates: number;
  seriesCreated: number;
  seriesRemoved: number;
  chunksCreated: number;
  chunksRemoved: number;
  commitFailures: number;
}

const NO_CHUNK = -1;
/** `appendable` result for a sample accepted into the out-of-order buffer. */
const ACCEPT_OUT_OF_ORDER = 2;

interface OutOfOrderBuffer {
  timestamps: Float64Array;
  values: Float64Array;
  count: number;
}

/** XOR chunks of at most SAMPLES_PER_CHUNK samples for sorted samples [start, end). */
function encodeChunks(timestamps: Float64Array, values: Float64Array, start: number, end: number): ChunkData[] {
  const chunks: ChunkData[] = [];
  for (let i = start; i < end; i += SAMPLES_PER_CHUNK) {
    const appender = new XorAppender(256);
    for (let j = i; j < Math.min(end, i + SAMPLES_PER_CHUNK); j++) appender.append(timestamps[j], values[j]);
    chunks.push({ minTime: appender.minTime, maxTime: appender.maxTime, bytes: appender.bytes().slice() });
  }
  return chunks;
}



/**
 * The in-memory head of the TSDB: every series' labels (interned), an index, and its recent samples in
 * XOR chunks. Series data lives in parallel typed arrays indexed by series ref; completed chunks are
 * packed into pages; the only object per series is its open chunk's encoder.
 */
export class Head {
  readonly options: Required<Omit<HeadOptions, 'onCommit' | 'onChunkComplete'>> & Pick<HeadOptions, 'onCommit' | 'onChunkComplete'>;
  readonly symbols = new SymbolTable();
  readonly postings = new MemPostings();
  readonly counters: HeadCounters = {
    samplesAppended: 0,
    samplesRestored: 0,
    outOfOrderAccepted: 0,
    outOfOrder: 0,
    outOfBounds: 0,
    duplicates: 0,
    seriesCreated: 0,
    seriesRemoved: 0,
    chunksCreated: 0,
    chunksRemoved: 0,
    commitFailures: 0,
  };
  /** Samples older than this are out of bounds (they belong to blocks already written). */
  minValidTime = -Infinity;
  /**
   * Prometheus's out_of_order_time_window: samples older than their series' newest but no older than
   * this much before the newest sample in the head are kept (in a per-series sorted buffer) rather
   * than refused. 0 refuses every out-of-order sample.
   */
  outOfOrderWindow = 0;
  /** Newest sample time over all series. */
  private newest = -Infinity;
  /** Chunks restored from disk, waiting for their series to be recreated by the WAL replay. */
  private restored = new RestoredChunks();
  /** Out-of-order samples per series, sorted by time. */
  private readonly outOfOrder = new Map<number, OutOfOrderBuffer>();
  /**
   * Deleted time ranges per series (tombstones from the delete API): merged inclusive [min, max]
   * pairs. Queries skip these samples; they are left out when the head is written to a block.
   */
  private deleted: ReadonlyMap<number, Float64Array> = new Map();

  /** Next ref to hand out; refs start at 1. */
  private nextRef = 1;
  private liveSeries = 0;
  private labelPool = new Uint32Array(1 << 16);
  private labelPoolUsed = 0;
  private labelOffset = new Uint32Array(1024);
  private labelCount = new Uint8Array(1024);
  /** 1 while the series exists, 0 once garbage-collected (or never created). */
  private alive = new Uint8Array(1024);
  /** 1 once the series record is in the WAL. */
  private logged = new Uint8Array(1024);
  /** Newest committed sample per series. */
  private maxTime = new Float64Array(1024).fill(-Infinity);
  private lastValue = new Float64Array(1024);
  private firstChunk = new Int32Array(1024).fill(NO_CHUNK);
  private lastChunk = new Int32Array(1024).fill(NO_CHUNK);
  private open: (XorAppender | null)[] = [];

  /** Completed chunks: a table in parallel arrays; each series links its chunks oldest first. */
  private readonly pool = new ChunkPool();
  private chunkPage = new Uint32Array(1024);
  private chunkOffset = new Uint32Array(1024);
  private chunkLength = new Uint32Array(1024);
  private chunkMinTime = new Float64Array(1024);
  private chunkMaxTime = new Float64Array(1024);
  private chunkNext = new Int32Array(1024);
  private chunkCount = 0;
  private freeChunks: number[] = [];
  private liveChunks = 0;

  private readonly byHash = new Map<number, number>();
  private readonly collisions = new Map<number, number[]>();
  private readonly scratchIds = new Uint32Array(512);
  private readonly offsetOut = new Uint32Array(1);
  private readonly appenderPool: HeadAppender[] = [];

  /** Exemplar ring buffer. */
  private readonly exemplars: (ExemplarRecord | undefined)[];
  private exemplarNext = 0;

  constructor(options: HeadOptions) {
    this.options = { ...options, maxExemplars: options.maxExemplars ?? 100_000 };
    this.exemplars = new Array(Math.max(0, this.options.maxExemplars));
  }

  appender(): Appender {
    return this.appenderPool.pop() ?? new HeadAppender(this);
  }

  /** @internal */
  releaseAppender(appender: HeadAppender): void {
    if (this.appenderPool.length < 64) this.appenderPool.push(appender);
  }

  get numSeries(): number {
    return this.liveSeries;
  }

  get numChunks(): number {
    let open = 0;
    for (const chunk of this.open) if (chunk !== null && chunk !== undefined && chunk.count > 0) open++;
    return this.liveChunks + open;
  }

  /** Oldest and newest sample time in the head (Infinity/-Infinity when empty). */
  timeRange(): { minTime: number; maxTime: number } {
    let minTime = Infinity;
    let maxTime = -Infinity;
    for (let ref = 1; ref < this.nextRef; ref++) {
      if (this.alive[ref] === 0) continue;
      const first = this.firstChunk[ref];
      const chunk = this.open[ref];
      const seriesMin = first !== NO_CHUNK ? this.chunkMinTime[first] : chunk !== null && chunk !== undefined && chunk.count > 0 ? chunk.minTime : Infinity;
      const late = this.outOfOrder.get(ref);
      if (late !== undefined && late.timestamps[0] < minTime) minTime = late.timestamps[0];
      if (seriesMin < minTime) minTime = seriesMin;
      if (this.maxTime[ref] > maxTime) maxTime = this.maxTime[ref];
    }
    return { minTime, maxTime };
  }

  // ---- series identity -------------------------------------------------------------------------

  /** Finds or creates the series with these labels; returns its ref or AppendStatus.InvalidLabels. */
  getOrCreate(labels: Labels): number {
    const n = labels.length;
    if (n > this.scratchIds.length || n > 255 * 2) return AppendStatus.InvalidLabels;
    const ids = this.scratchIds;
    const hash = this.internAndHash(labels, ids);
    const found = this.byHash.get(hash);
    if (found !== undefined) {
      if (this.sameIds(found, ids, n)) return found;
      const others = this.collisions.get(hash);
      if (others !== undefined) for (const ref of others) if (this.sameIds(ref, ids, n)) return ref;
    }
    if (!validLabels(labels)) return AppendStatus.InvalidLabels;
    const ref = this.nextRef++;
    this.createSeries(ref, ids, n, labels);
    if (found === undefined) this.byHash.set(hash, ref);
    else {
      const others = this.collisions.get(hash);
      if (others === undefined) this.collisions.set(hash, [ref]);
      else others.push(ref);
    }
    return ref;
  }

  /** Interns the labels into `ids` and returns their hash (30 bits, so map keys stay small integers). */
  private internAndHash(labels: Labels, ids: Uint32Array): number {
    const n = labels.length;
    let hash = 0x811c9dc5;
    for (let i = 0; i < n; i++) {
      const id = this.symbols.intern(labels[i]);
      ids[i] = id;
      hash = Math.imul(hash ^ id, 0x01000193);
      hash = Math.imul(hash ^ (hash >>> 15), 0x2c1b3c6d);
    }
    return (hash ^ n) & 0x3fffffff;
  }

  private sameIds(ref: number, ids: Uint32Array, n: number): boolean {
    if (this.labelCount[ref] !== n) return false;
    const offset = this.labelOffset[ref];
    const pool = this.labelPool;
    for (let i = 0; i < n; i++) if (pool[offset + i] !== ids[i]) return false;
    return true;
  }

  private ensureSeriesCapacity(ref: number): void {
    const needed = ref + 1;
    if (needed <= this.alive.length) return;
    const size = Math.max(needed, this.alive.length * 2);
    this.labelOffset = growUint32(this.labelOffset, size);
    this.labelCount = growUint8(this.labelCount, size);
    this.alive = growUint8(this.alive, size);
    this.logged = growUint8(this.logged, size);
    const oldMax = this.maxTime.length;
    this.maxTime = growFloat64(this.maxTime, size);
    this.maxTime.fill(-Infinity, oldMax);
    this.lastValue = growFloat64(this.lastValue, size);
    const oldChunks = this.firstChunk.length;
    this.firstChunk = growInt32(this.firstChunk, size);
    this.firstChunk.fill(NO_CHUNK, oldChunks);
    this.lastChunk = growInt32(this.lastChunk, size);
    this.lastChunk.fill(NO_CHUNK, oldChunks);
  }

  private createSeries(ref: number, ids: Uint32Array, n: number, labels: Labels): void {
    this.ensureSeriesCapacity(ref);
    if (this.labelPoolUsed + n > this.labelPool.length) this.labelPool = growUint32(this.labelPool, this.labelPoolUsed + n);
    this.labelPool.set(ids.subarray(0, n), this.labelPoolUsed);
    this.labelOffset[ref] = this.labelPoolUsed;
    this.labelCount[ref] = n;
    this.labelPoolUsed += n;
    this.alive[ref] = 1;
    this.logged[ref] = 0;
    this.maxTime[ref] = -Infinity;
    this.firstChunk[ref] = NO_CHUNK;
    this.lastChunk[ref] = NO_CHUNK;
    while (this.open.length <= ref) this.open.push(null);
    for (let i = 0; i < n; i += 2) this.postings.add(ref, labels[i], labels[i + 1]);
    this.postings.add(ref, '', '');
    this.liveSeries++;
    this.counters.seriesCreated++;
  }

  /** Recreates a series at a known ref while replaying the WAL. */
  replaySeries(ref: number, labels: Labels): void {
    if (ref < this.nextRef && this.alive[ref] === 1) return;
    const n = labels.length;
    const ids = n <= this.scratchIds.length ? this.scratchIds : new Uint32Array(n);
    const hash = this.internAndHash(labels, ids);
    if (ref >= this.nextRef) this.nextRef = ref + 1;
    this.createSeries(ref, ids, n, labels);
    this.logged[ref] = 1;
    const restored = this.restored;
    if (restored.has(ref)) {
      this.firstChunk[ref] = restored.first[ref] - 1;
      this.lastChunk[ref] = restored.last[ref] - 1;
      this.maxTime[ref] = restored.maxTime[ref];
      this.lastValue[ref] = restored.lastValue[ref];
      if (restored.maxTime[ref] > this.newest) this.newest = restored.maxTime[ref];
      this.liveChunks += restored.count[ref];
      this.counters.samplesRestored += restored.samples[ref];
      restored.first[ref] = 0;
    }
    if (!this.byHash.has(hash)) this.byHash.set(hash, ref);
    else {
      const others = this.collisions.get(hash);
      if (others === undefined) this.collisions.set(hash, [ref]);
      else others.push(ref);
    }
  }

  /** Applies one replayed sample as its commit did; unknown refs and refused samples are skipped (false). */
  replaySample(ref: number, timestamp: number, value: number): boolean {
    if (ref <= 0 || ref >= this.nextRef || this.alive[ref] === 0) return false;
    const status = this.appendable(ref, timestamp, value);
    if (status === 0) this.appendCommitted(ref, timestamp, value);
    else if (status === ACCEPT_OUT_OF_ORDER) this.insertOutOfOrder(ref, timestamp, value);
    else return false;
    return true;
  }

  isAlive(ref: number): boolean {
    return ref > 0 && ref < this.nextRef && this.alive[ref] === 1;
  }

  labelsOf(ref: number): Labels {
    const n = this.labelCount[ref];
    const offset = this.labelOffset[ref];
    const out: string[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.symbols.get(this.labelPool[offset + i]);
    return out;
  }

  /** Marks series as logged and returns the ones that were not (for the WAL). */
  takeUnlogged(refs: ArrayLike<number>, outRefs: number[], outLabels: Labels[]): void {
    for (let i = 0; i < refs.length; i++) {
      const ref = refs[i];
      if (this.alive[ref] === 1 && this.logged[ref] === 0) {
        this.logged[ref] = 1;
        outRefs.push(ref);
        outLabels.push(this.labelsOf(ref));
      }
    }
  }

  /** @internal undo `takeUnlogged` when the WAL write failed. */
  markUnlogged(refs: readonly number[]): void {
    for (const ref of refs) this.logged[ref] = 0;
  }

  // ---- samples ---------------------------------------------------------------------------------

  /**
   * Whether a sample may be appended to committed state: 0 in order, 1 exact duplicate (ignore),
   * ACCEPT_OUT_OF_ORDER (inside the window), or a negative AppendStatus.
   */
  appendable(ref: number, timestamp: number, value: number): number {
    const maxT = this.maxTime[ref];
    if (timestamp > maxT && timestamp >= this.minValidTime) return 0;
    if (timestamp === maxT) return sameBits(this.lastValue[ref], value) ? 1 : AppendStatus.DuplicateTimestamp;
    if (this.outOfOrderWindow > 0 && timestamp >= this.newest - this.outOfOrderWindow) return ACCEPT_OUT_OF_ORDER;
    if (timestamp < this.minValidTime) return AppendStatus.OutOfBounds;
    return AppendStatus.OutOfOrder;
  }

  /** Keeps an out-of-order sample in the series' sorted buffer (a different value at a kept timestamp is dropped). */
  insertOutOfOrder(ref: number, timestamp: number, value: number): void {
    let buffer = this.outOfOrder.get(ref);
    if (buffer === undefined) {
      buffer = { timestamps: new Float64Array(8), values: new Float64Array(8), count: 0 };
      this.outOfOrder.set(ref, buffer);
    }
    let lo = 0;
    let hi = buffer.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (buffer.timestamps[mid] < timestamp) lo = mid + 1;
      else hi = mid;
    }
    if (lo < buffer.count && buffer.timestamps[lo] === timestamp) {
      if (!sameBits(buffer.values[lo], value)) this.counters.duplicates++;
      return;
    }
    if (buffer.count === buffer.timestamps.length) {
      buffer.timestamps = growFloat64(buffer.timestamps, buffer.count + 1);
      buffer.values = growFloat64(buffer.values, buffer.count + 1);
    }
    buffer.timestamps.copyWithin(lo + 1, lo, buffer.count);
    buffer.values.copyWithin(lo + 1, lo, buffer.count);
    buffer.timestamps[lo] = timestamp;
    buffer.values[lo] = value;
    buffer.count++;
    this.counters.outOfOrderAccepted++;
  }

  /**
   * Removes and returns the out-of-order samples older than `before`, grouped by block window (they
   * belong in blocks of their own, which compaction merges with the blocks they overlap).
   */
  takeOutOfOrderBefore(before: number): Map<number, SeriesData[]> {
    const range = this.options.chunkRange;
    const windows = new Map<number, SeriesData[]>();
    for (const [ref, buffer] of this.outOfOrder) {
      let taken = 0;
      while (taken < buffer.count && buffer.timestamps[taken] < before) taken++;
      if (taken === 0) continue;
      let i = 0;
      while (i < taken) {
        const window = Math.floor(buffer.timestamps[i] / range) * range;
        let j = i;
        while (j < taken && buffer.timestamps[j] < window + range) j++;
        const list = windows.get(window) ?? [];
        list.push({ labels: this.labelsOf(ref), chunks: encodeChunks(buffer.timestamps, buffer.values, i, j) });
        windows.set(window, list);
        i = j;
      }
      this.dropOutOfOrder(ref, buffer, taken);
    }
    return windows;
  }

  private dropOutOfOrder(ref: number, buffer: OutOfOrderBuffer, count: number): void {
    if (count >= buffer.count) {
      this.outOfOrder.delete(ref);
      return;
    }
    buffer.timestamps.copyWithin(0, count, buffer.count);
    buffer.values.copyWithin(0, count, buffer.count);
    buffer.count -= count;
  }

  /** Out-of-order samples of a series within [mint, maxt], copied (timestamps, values). */
  outOfOrderSamples(ref: number, mint: number, maxt: number): { timestamps: Float64Array; values: Float64Array } | null {
    const buffer = this.outOfOrder.get(ref);
    if (buffer === undefined) return null;
    let start = 0;
    while (start < buffer.count && buffer.timestamps[start] < mint) start++;
    let end = start;
    while (end < buffer.count && buffer.timestamps[end] <= maxt) end++;
    if (end === start) return null;
    return { timestamps: buffer.timestamps.slice(start, end), values: buffer.values.slice(start, end) };
  }

  /** @internal Appends a sample known to be newer than the series' newest. */
  appendCommitted(ref: number, timestamp: number, value: number): void {
    let chunk = this.open[ref];
    if (chunk === null || chunk === undefined) {
      // Size the buffer like the series' last chunk, so it rarely has to grow.
      const last = this.lastChunk[ref];
      const size = last === NO_CHUNK ? 64 : this.chunkLength[last] + 32;
      chunk = new XorAppender(size, this.replaying ? this.slabView(size) : undefined);
      this.open[ref] = chunk;
    } else if (chunk.count > 0) {
      const range = this.options.chunkRange;
      const boundary = Math.floor(chunk.minTime / range) * range + range;
      if (chunk.count >= SAMPLES_PER_CHUNK || timestamp >= boundary) this.completeChunk(ref, chunk);
    }
    chunk.append(timestamp, value);
    if (timestamp > this.newest) this.newest = timestamp;
    this.maxTime[ref] = timestamp;
    this.lastValue[ref] = value;
    this.counters.samplesAppended++;
  }

  /**
   * Set while the WAL is replayed: open chunks (one per series, all created at once) then take their
   * first buffer from shared slabs instead of allocating a million small buffers one by one.
   */
  replaying = false;
  private slab = new Uint8Array(0);
  private slabUsed = 0;

  private slabView(size: number): Uint8Array {
    const bytes = (size + 7) & ~7;
    if (this.slabUsed + bytes > this.slab.length) {
      this.slab = new Uint8Array(Math.max(1 << 20, bytes));
      this.slabUsed = 0;
    }
    const view = this.slab.subarray(this.slabUsed, this.slabUsed + bytes);
    this.slabUsed += bytes;
    return view;
  }

  private completeChunk(ref: number, chunk: XorAppender): void {
    const bytes = chunk.bytes();
    const index = this.addChunkEntry(bytes, chunk.minTime, chunk.maxTime);
    const last = this.lastChunk[ref];
    if (last === NO_CHUNK) this.firstChunk[ref] = index;
    else this.chunkNext[last] = index;
    this.lastChunk[ref] = index;
    this.liveChunks++;
    this.counters.chunksCreated++;
    this.options.onChunkComplete?.({ ref, minTime: chunk.minTime, maxTime: chunk.maxTime, lastValue: chunk.lastValue, bytes });
    chunk.reset();
  }

  /**
   * A fresh chunk-table entry (not yet linked to a series) for chunk bytes, copied into the pool or,
   * for restored chunks, left in the buffer they were read into.
   */
  private addChunkEntry(bytes: Uint8Array, minTime: number, maxTime: number): number {
    const index = this.newChunkEntry(minTime, maxTime);
    this.chunkPage[index] = this.pool.add(bytes, this.offsetOut);
    this.chunkOffset[index] = this.offsetOut[0];
    this.chunkLength[index] = bytes.length;
    return index;
  }

  /** A chunk-table entry for restored chunk bytes `data[offset, offset + length)`, left where they are. */
  private addAdoptedChunkEntry(data: Uint8Array, offset: number, length: number, minTime: number, maxTime: number): number {
    const index = this.newChunkEntry(minTime, maxTime);
    this.chunkPage[index] = this.pool.adoptRange(data, offset, length, this.offsetOut);
    this.chunkOffset[index] = this.offsetOut[0];
    this.chunkLength[index] = length;
    return index;
  }

  private newChunkEntry(minTime: number, maxTime: number): number {
    let index = this.freeChunks.pop();
    if (index === undefined) {
      index = this.chunkCount++;
      if (index >= this.chunkPage.length) {
        const size = this.chunkPage.length * 2;
        this.chunkPage = growUint32(this.chunkPage, size);
        this.chunkOffset = growUint32(this.chunkOffset, size);
        this.chunkLength = growUint32(this.chunkLength, size);
        this.chunkMinTime = growFloat64(this.chunkMinTime, size);
        this.chunkMaxTime = growFloat64(this.chunkMaxTime, size);
        this.chunkNext = growInt32(this.chunkNext, size);
      }
    }
    this.chunkMinTime[index] = minTime;
    this.chunkMaxTime[index] = maxTime;
    this.chunkNext[index] = NO_CHUNK;
    return index;
  }

  /**
   * Takes back a chunk written by `onChunkComplete` before a restart. It is linked to its series when
   * the WAL replay recreates the series; WAL samples it covers are then skipped.
   */
  restoreChunk(ref: number, minTime: number, maxTime: number, lastValue: number, data: Uint8Array, offset: number, length: number): void {
    if (minTime < this.minValidTime || length < 2) return;
    const index = this.addAdoptedChunkEntry(data, offset, length, minTime, maxTime);
    // The chunk header's first two bytes are its sample count.
    const samples = (data[offset] << 8) | data[offset + 1];
    const restored = this.restored;
    if (!restored.has(ref)) {
      restored.ensure(ref);
      restored.first[ref] = index + 1;
      restored.last[ref] = index + 1;
      restored.maxTime[ref] = maxTime;
      restored.lastValue[ref] = lastValue;
      restored.count[ref] = 1;
      restored.samples[ref] = samples;
    } else if (minTime > restored.maxTime[ref]) {
      this.chunkNext[restored.last[ref] - 1] = index;
      restored.last[ref] = index + 1;
      restored.maxTime[ref] = maxTime;
      restored.lastValue[ref] = lastValue;
      restored.count[ref]++;
      restored.samples[ref] += samples;
    } else {
      // Out of sequence (a file from an earlier run): keep what is already linked.
      this.releaseChunk(index);
    }
  }

  /**
   * Newest time per ref over the chunks restored and not yet claimed by a series (-Infinity for
   * others): WAL samples at or before it are already in those chunks.
   */
  restoredNewestTimes(): Float64Array {
    const restored = this.restored;
    const out = new Float64Array(restored.first.length).fill(-Infinity);
    for (let ref = 0; ref < out.length; ref++) if (restored.first[ref] !== 0) out[ref] = restored.maxTime[ref];
    return out;
  }

  /** Drops restored chunks whose series the WAL no longer has (garbage-collected before the restart). */
  discardUnclaimedRestores(): number {
    let dropped = 0;
    const first = this.restored.first;
    for (let ref = 0; ref < first.length; ref++) {
      if (first[ref] === 0) continue;
      for (let c = first[ref] - 1; c !== NO_CHUNK; ) {
        const next = this.chunkNext[c];
        this.releaseChunk(c);
        dropped++;
        c = next;
      }
    }
    this.restored = new RestoredChunks();
    this.pool.endAdoption();
    return dropped;
  }

  private releaseChunk(index: number): void {
    this.pool.release(this.chunkPage[index], this.chunkLength[index]);
    this.freeChunks.push(index);
  }

  /**
   * Newest committed (or restored) sample time per series ref, -Infinity for refs never used. A live
   * view: valid until the next series is created (the array may then be replaced).
   */
  newestTimes(): Float64Array {
    return this.maxTime;
  }

  recordExemplar(record: ExemplarRecord): void {
    if (this.exemplars.length === 0) return;
    this.exemplars[this.exemplarNext] = record;
    this.exemplarNext = (this.exemplarNext + 1) % this.exemplars.length;
  }

  /** Exemplars of the given series within [mint, maxt], oldest first. */
  exemplarsFor(refs: ReadonlySet<number>, mint: number, maxt: number): ExemplarRecord[] {
    const out: ExemplarRecord[] = [];
    for (const record of this.exemplars) {
      if (record !== undefined && refs.has(record.ref) && record.timestamp >= mint && record.timestamp <= maxt) out.push(record);
    }
    return out.sort((a, b) => a.timestamp - b.timestamp);
  }

  // ---- reading ---------------------------------------------------------------------------------

  /** Sorted refs of live series matching every matcher. */
  refsFor(matchers: readonly LabelMatcher[]): number[] {
    return postingsForMatchers(this.postings, matchers, () => [...this.postings.get('', '')]);
  }

  /** Whether the series has any sample in [mint, maxt]. */
  overlaps(ref: number, mint: number, maxt: number): boolean {
    if (this.alive[ref] === 0) return false;
    const deleted = this.deleted.get(ref);
    if (deleted !== undefined && intersects(deleted, mint, maxt)) return this.hasSampleOutside(ref, deleted, mint, maxt);
    if (this.outOfOrder.has(ref) && this.outOfOrderSamples(ref, mint, maxt) !== null) return true;
    if (this.maxTime[ref] < mint) return false;
    const first = this.firstChunk[ref];
    const open = this.open[ref];
    const minTime = first !== NO_CHUNK ? this.chunkMinTime[first] : open !== null && open !== undefined && open.count > 0 ? open.minTime : Infinity;
    return minTime <= maxt;
  }

  /** Whether a series keeps a sample in [mint, maxt] that its deleted intervals do not hide. */
  private hasSampleOutside(ref: number, deleted: Float64Array, mint: number, maxt: number): boolean {
    return new DeletedIntervalsIterator(this.rawIterator(ref, mint, maxt), deleted).next();
  }

  /** The samples of a series in [mint, maxt], deleted ones included. */
  private rawIterator(ref: number, mint: number, maxt: number): SampleIterator {
    const inOrder = new ChunksIterator(this.chunksOf(ref, mint, maxt), mint, maxt);
    const late = this.outOfOrderSamples(ref, mint, maxt);
    return late === null ? inOrder : new MergeIterator([new ArraySampleIterator(late.timestamps, late.values), inOrder]);
  }

  /** The samples of a series in [mint, maxt] that are not deleted. */
  sampleIterator(ref: number, mint: number, maxt: number): SampleIterator {
    const raw = this.rawIterator(ref, mint, maxt);
    const deleted = this.deleted.get(ref);
    return deleted === undefined || !intersects(deleted, mint, maxt) ? raw : new DeletedIntervalsIterator(raw, deleted);
  }

  /**
   * Marks [mint, maxt] (inclusive) of the given series deleted. Unknown and removed series are
   * ignored. The caller logs the tombstones to the WAL (replay calls this again).
   */
  addTombstones(entries: readonly { ref: number; mint: number; maxt: number }[]): void {
    const live = entries.filter((e) => this.isAlive(e.ref) && e.maxt >= e.mint).map((e) => ({ id: e.ref, mint: e.mint, maxt: e.maxt }));
    if (live.length > 0) this.deleted = addIntervals(this.deleted, live);
  }

  /** The deleted intervals of a series (merged inclusive [min, max] pairs), if any. */
  tombstonesOf(ref: number): Float64Array | undefined {
    return this.deleted.get(ref);
  }

  /** The chunks of a series overlapping [mint, maxt], oldest first; the open chunk is copied. */
  chunksOf(ref: number, mint: number, maxt: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let c = this.firstChunk[ref]; c !== NO_CHUNK; c = this.chunkNext[c]) {
      if (this.chunkMaxTime[c] < mint || this.chunkMinTime[c] > maxt) continue;
      out.push(this.pool.view(this.chunkPage[c], this.chunkOffset[c], this.chunkLength[c]));
    }
    const open = this.open[ref];
    if (open !== null && open !== undefined && open.count > 0 && open.maxTime >= mint && open.minTime <= maxt) {
      out.push(open.bytes().slice());
    }
    return out;
  }

  querier(mint: number, maxt: number): Querier {
    return new HeadQuerier(this, mint, maxt);
  }

  // ---- persistence: blocks and truncation ------------------------------------------------------

  /**
   * The head's data in [mint, maxt) as block input. Open chunks that end before maxt are completed
   * first; because chunks never straddle a multiple of chunkRange, and block ranges are multiples of
   * it, every chunk is either wholly inside or wholly outside the range.
   */
  *seriesForBlock(mint: number, maxt: number): Iterable<SeriesData> {
    for (let ref = 1; ref < this.nextRef; ref++) {
      if (this.alive[ref] === 0) continue;
      const open = this.open[ref];
      if (open !== null && open !== undefined && open.count > 0 && open.maxTime < maxt) this.completeChunk(ref, open);
      const chunks: ChunkData[] = [];
      for (let c = this.firstChunk[ref]; c !== NO_CHUNK; c = this.chunkNext[c]) {
        if (this.chunkMinTime[c] >= mint && this.chunkMaxTime[c] < maxt) {
          chunks.push({
            minTime: this.chunkMinTime[c],
            maxTime: this.chunkMaxTime[c],
            bytes: this.pool.view(this.chunkPage[c], this.chunkOffset[c], this.chunkLength[c]),
          });
        }
      }
      const late = this.outOfOrderSamples(ref, mint, maxt - 1);
      // Out-of-order samples overlap the in-order chunks; writeBlock merges overlapping chunks.
      if (late !== null) chunks.push(...encodeChunks(late.timestamps, late.values, 0, late.timestamps.length));
      const deleted = this.deleted.get(ref);
      const kept = deleted !== undefined && chunks.length > 0 && intersects(deleted, mint, maxt - 1) ? withoutDeleted(chunks, deleted) : chunks;
      if (kept.length > 0) yield { labels: this.labelsOf(ref), chunks: kept };
    }
  }

  /**
   * Everything the head holds (deleted samples left out), for a snapshot block. Unlike
   * `seriesForBlock` it changes nothing: open chunks are copied, not completed.
   */
  *seriesForSnapshot(): Iterable<SeriesData> {
    for (let ref = 1; ref < this.nextRef; ref++) {
      if (this.alive[ref] === 0) continue;
      const chunks: ChunkData[] = [];
      for (let c = this.firstChunk[ref]; c !== NO_CHUNK; c = this.chunkNext[c]) {
        chunks.push({ minTime: this.chunkMinTime[c], maxTime: this.chunkMaxTime[c], bytes: this.pool.view(this.chunkPage[c], this.chunkOffset[c], this.chunkLength[c]) });
      }
      const open = this.open[ref];
      if (open !== null && open !== undefined && open.count > 0) chunks.push({ minTime: open.minTime, maxTime: open.maxTime, bytes: open.bytes().slice() });
      const late = this.outOfOrder.get(ref);
      if (late !== undefined && late.count > 0) chunks.push(...encodeChunks(late.timestamps, late.values, 0, late.count));
      const deleted = this.deleted.get(ref);
      const kept = deleted !== undefined && chunks.length > 0 ? withoutDeleted(chunks, deleted) : chunks;
      if (kept.length > 0) yield { labels: this.labelsOf(ref), chunks: kept };
    }
  }

  /**
   * Drops every chunk that ends before `mint` (it is in a block now) and garbage-collects series left
   * with no samples. Returns the refs removed so the WAL checkpoint can leave them out.
   */
  truncate(mint: number): Set<number> {
    this.minValidTime = Math.max(this.minValidTime, mint);
    const dead = new Set<number>();
    for (let ref = 1; ref < this.nextRef; ref++) {
      if (this.alive[ref] === 0) continue;
      let c = this.firstChunk[ref];
      while (c !== NO_CHUNK && this.chunkMaxTime[c] < mint) {
        const next = this.chunkNext[c];
        this.pool.release(this.chunkPage[c], this.chunkLength[c]);
        this.freeChunks.push(c);
        this.liveChunks--;
        this.counters.chunksRemoved++;
        c = next;
      }
      this.firstChunk[ref] = c;
      if (c === NO_CHUNK) this.lastChunk[ref] = NO_CHUNK;
      const open = this.open[ref];
      const openEmpty = open === null || open === undefined || open.count === 0 || open.maxTime < mint;
      if (openEmpty && open !== null && open !== undefined && open.count > 0) this.open[ref] = null;
      const late = this.outOfOrder.get(ref);
      if (late !== undefined) {
        let old = 0;
        while (old < late.count && late.timestamps[old] < mint) old++;
        this.dropOutOfOrder(ref, late, old);
      }
      if (c === NO_CHUNK && openEmpty && this.maxTime[ref] < mint && !this.outOfOrder.has(ref)) dead.add(ref);
    }
    if (dead.size > 0) this.removeSeries(dead);
    this.dropTombstonesBefore(mint, dead);
    return dead;
  }

  /** Forgets deleted intervals that end before `mint` (their samples are gone) and those of removed series. */
  private dropTombstonesBefore(mint: number, dead: ReadonlySet<number>): void {
    if (this.deleted.size === 0) return;
    const next = new Map<number, Float64Array>();
    for (const [ref, intervals] of this.deleted) {
      if (dead.has(ref)) continue;
      let first = 0;
      while (first < intervals.length && intervals[first + 1] < mint) first += 2;
      if (first < intervals.length) next.set(ref, first === 0 ? intervals : intervals.slice(first));
    }
    this.deleted = next;
  }

  private removeSeries(dead: Set<number>): void {
    this.postings.remove(dead);
    for (const [hash, ref] of this.byHash) {
      if (!dead.has(ref)) continue;
      const others = this.collisions.get(hash)?.filter((other) => !dead.has(other));
      if (others !== undefined && others.length > 0) {
        this.byHash.set(hash, others[0]);
        if (others.length > 1) this.collisions.set(hash, others.slice(1));
        else this.collisions.delete(hash);
      } else {
        this.byHash.delete(hash);
        this.collisions.delete(hash);
      }
    }
    for (const [hash, refs] of this.collisions) {
      const kept = refs.filter((ref) => !dead.has(ref));
      if (kept.length === 0) this.collisions.delete(hash);
      else this.collisions.set(hash, kept);
    }
    for (const ref of dead) {
      this.alive[ref] = 0;
      this.open[ref] = null;
      this.liveSeries--;
      this.counters.seriesRemoved++;
    }
    this.compactLabelPool();
  }

  /** Rewrites the label pool without the removed series' ids. */
  private compactLabelPool(): void {
    const next = new Uint32Array(Math.max(1 << 16, this.labelPoolUsed));
    let used = 0;
    for (let ref = 1; ref < this.nextRef; ref++) {
      if (this.alive[ref] === 0) continue;
      const n = this.labelCount[ref];
      next.set(this.labelPool.subarray(this.labelOffset[ref], this.labelOffset[ref] + n), used);
      this.labelOffset[ref] = used;
      used += n;
    }
    this.labelPool = next;
    this.labelPoolUsed = used;
  }

  /** Refs of every live series (for WAL checkpoints). */
  liveRefs(): (ref: number) => boolean {
    return (ref) => this.isAlive(ref);
  }

  stats(limit: number): StorageStats {
    const { minTime, maxTime } = this.timeRange();
    const top = (entries: { name: string; value: number }[]) => entries.sort((a, b) => b.value - a.value || (a.name < b.name ? -1 : 1)).slice(0, limit);
    const byMetric: { name: string; value: number }[] = [];
    for (const [value, refs] of this.postings.byName.get('__name__') ?? []) byMetric.push({ name: value, value: refs.length });
    const valueCounts: { name: string; value: number }[] = [];
    const memory: { name: string; value: number }[] = [];
    const pairs: { name: string; value: number }[] = [];
    let numLabelPairs = 0;
    for (const [name, values] of this.postings.byName) {
      if (name === '') continue;
      valueCounts.push({ name, value: values.size });
      let bytes = 0;
      for (const [value, refs] of values) {
        bytes += Buffer.byteLength(value) * refs.length;
        pairs.push({ name: `${name}=${value}`, value: refs.length });
        numLabelPairs++;
      }
      memory.push({ name, value: bytes });
    }
    return {
      numSeries: this.liveSeries,
      minTime,
      maxTime,
      seriesCountByMetricName: top(byMetric),
      labelValueCountByLabelName: top(valueCounts),
      memoryInBytesByLabelName: top(memory),
      seriesCountByLabelValuePair: top(pairs),
      numLabelPairs,
      chunkCount: this.numChunks,
    };
  }

  get chunkBytes(): number {
    return this.pool.bytesAllocated;
  }
}

function sameBits(a: number, b: number): boolean {
  if (a === b) return a !== 0 || 1 / a === 1 / b;
  if (a !== a && b !== b) {
    F64[0] = a;
    const lo = U32[0];
    const hi = U32[1];
    F64[0] = b;
    return lo === U32[0] && hi === U32[1];
  }
  return false;
}
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

/** The chunks' samples outside the deleted intervals, re-encoded (writeBlock merges and trims them). */
function withoutDeleted(chunks: readonly ChunkData[], deleted: Float64Array): ChunkData[] {
  const iterator = new XorIterator();
  let timestamps = new Float64Array(256);
  let values = new Float64Array(256);
  let count = 0;
  const out: ChunkData[] = [];
  for (const chunk of chunks) {
    iterator.reset(chunk.bytes);
    while (iterator.next()) {
      if (isDeleted(deleted, iterator.timestamp)) continue;
      if (count === timestamps.length) {
        timestamps = growFloat64(timestamps, count + 1);
        values = growFloat64(values, count + 1);
      }
      timestamps[count] = iterator.timestamp;
      values[count] = iterator.value;
      count++;
    }
    // Each input chunk is sorted; chunks are encoded apart because they may overlap each other.
    out.push(...encodeChunks(timestamps, values, 0, count));
    count = 0;
  }
  return out;
}

/**
 * Chunks restored from disk, per series ref, until the WAL replay recreates the series: parallel
 * arrays rather than an object per series (a restart restores a million series' chunks).
 */
class RestoredChunks {
  /** Index + 1 of the first and last restored chunk (0: nothing restored for this ref). */
  first = new Int32Array(0);
  last = new Int32Array(0);
  maxTime = new Float64Array(0);
  lastValue = new Float64Array(0);
  count = new Int32Array(0);
  samples = new Float64Array(0);

  has(ref: number): boolean {
    return ref < this.first.length && this.first[ref] !== 0;
  }

  ensure(ref: number): void {
    if (ref < this.first.length) return;
    this.first = growInt32(this.first, ref + 1);
    this.last = growInt32(this.last, ref + 1);
    this.maxTime = growFloat64(this.maxTime, ref + 1);
    this.lastValue = growFloat64(this.lastValue, ref + 1);
    this.count = growInt32(this.count, ref + 1);
    this.samples = growFloat64(this.samples, ref + 1);
  }
}

/** A transaction against the head: samples buffered in typed arrays, logged and applied on commit. */
class HeadAppender implements Appender {
  private refs = new Int32Array(256);
  private timestamps = new Float64Array(256);
  private values = new Float64Array(256);
  private count = 0;
  private created: number[] = [];
  private exemplars: ExemplarRecord[] = [];

  constructor(private readonly head: Head) {}

  append(ref: number, labels: Labels | null, sample: Sample): number {
    const head = this.head;
    if (!head.isAlive(ref)) {
      if (labels === null) return AppendStatus.InvalidLabels;
      const before = head.counters.seriesCreated;
      ref = head.getOrCreate(labels);
      if (ref < 0) return ref;
      if (head.counters.seriesCreated !== before) this.created.push(ref);
    }
    if (sample.kind === 'exemplar') {
      this.exemplars.push({ ref, timestamp: sample.timestamp, value: sample.value, labels: sample.labels });
      return ref;
    }
    const status = head.appendable(ref, sample.timestamp, sample.value);
    if (status !== 0 && status !== ACCEPT_OUT_OF_ORDER) {
      if (status === 1) return ref;
      if (status === AppendStatus.OutOfOrder) head.counters.outOfOrder++;
      else if (status === AppendStatus.OutOfBounds) head.counters.outOfBounds++;
      else head.counters.duplicates++;
      return status;
    }
    const n = this.count;
    if (n === this.refs.length) {
      this.refs = growInt32(this.refs, n + 1);
      this.timestamps = growFloat64(this.timestamps, n + 1);
      this.values = growFloat64(this.values, n + 1);
    }
    this.refs[n] = ref;
    this.timestamps[n] = sample.timestamp;
    this.values[n] = sample.value;
    this.count = n + 1;
    return ref;
  }

  async commit(): Promise<void> {
    const head = this.head;
    const onCommit = head.options.onCommit;
    if (onCommit !== undefined && (this.count > 0 || this.created.length > 0 || this.exemplars.length > 0)) {
      const newSeriesRefs: number[] = [];
      const newSeriesLabels: Labels[] = [];
      // Series created here, and series an earlier failed commit did not get into the log.
      head.takeUnlogged(this.created, newSeriesRefs, newSeriesLabels);
      head.takeUnlogged(this.refs.subarray(0, this.count), newSeriesRefs, newSeriesLabels);
      try {
        await onCommit({
          newSeriesRefs,
          newSeriesLabels,
          refs: this.refs,
          timestamps: this.timestamps,
          values: this.values,
          count: this.count,
          exemplars: this.exemplars,
        });
      } catch (error) {
        head.markUnlogged(newSeriesRefs);
        head.counters.commitFailures++;
        this.clear();
        throw error;
      }
    }
    for (let i = 0; i < this.count; i++) {
      const ref = this.refs[i];
      const t = this.timestamps[i];
      // Another commit may have moved the series on while this one waited for the log.
      const status = head.appendable(ref, t, this.values[i]);
      if (status === 0) head.appendCommitted(ref, t, this.values[i]);
      else if (status === ACCEPT_OUT_OF_ORDER) head.insertOutOfOrder(ref, t, this.values[i]);
      else if (status === AppendStatus.OutOfOrder) head.counters.outOfOrder++;
    }
    for (const exemplar of this.exemplars) head.recordExemplar(exemplar);
    this.clear();
  }

  rollback(): void {
    this.clear();
  }

  private clear(): void {
    this.count = 0;
    this.created.length = 0;
    this.exemplars = [];
    this.head.releaseAppender(this);
  }
}

class HeadQuerier implements Querier {
  constructor(
    private readonly head: Head,
    private readonly mint: number,
    private readonly maxt: number,
  ) {}

  private refs(matchers: readonly LabelMatcher[]): number[] {
    return this.head.refsFor(matchers).filter((ref) => this.head.overlaps(ref, this.mint, this.maxt));
  }

  select(matchers: readonly LabelMatcher[], hints?: SelectHints): Iterable<Series> {
    const head = this.head;
    const { mint, maxt } = this;
    const series: Series[] = this.refs(matchers).map((ref) => {
      const labels = head.labelsOf(ref);
      return {
        labels,
        iterator: () => head.sampleIterator(ref, mint, maxt),
      };
    });
    series.sort((a, b) => compareLabels(a.labels, b.labels));
    if (hints?.limit !== undefined && series.length > hints.limit) series.length = hints.limit;
    return series;
  }

  labelNames(matchers: readonly LabelMatcher[]): string[] {
    const names = new Set<string>();
    for (const ref of this.refs(matchers)) {
      const labels = this.head.labelsOf(ref);
      for (let i = 0; i < labels.length; i += 2) names.add(labels[i]);
    }
    return [...names].sort();
  }

  labelValues(name: string, matchers: readonly LabelMatcher[]): string[] {
    const values = new Set<string>();
    for (const ref of this.refs(matchers)) {
      const value = getLabel(this.head.labelsOf(ref), name);
      if (value !== '') values.add(value);
    }
    return [...values].sort();
  }

  close(): void {}
}

/** Iterates a list of XOR chunks in order, keeping to [mint, maxt]. */
export class ChunksIterator implements SampleIterator {
  private readonly inner = new XorIterator();
  private readonly noDeletions: IntervalCursor = { interval: 0 };
  /** A sample was returned (readInto may open a chunk without returning one). */
  private started = false;
  private index = -1;
  timestamp = 0;
  value = 0;

  constructor(
    private readonly chunks: readonly Uint8Array[],
    private readonly mint: number,
    private readonly maxt: number,
  ) {}

  next(): boolean {
    for (;;) {
      if (this.index >= 0 && this.index < this.chunks.length && this.inner.next()) {
        const t = this.inner.timestamp;
        if (t > this.maxt) {
          this.index = this.chunks.length;
          return false;
        }
        if (t < this.mint) continue;
        this.timestamp = t;
        this.value = this.inner.value;
        this.started = true;
        return true;
      }
      this.index++;
      if (this.index >= this.chunks.length) return false;
      this.inner.reset(this.chunks[this.index]);
    }
  }

  seek(t: number): boolean {
    if (this.started && this.index < this.chunks.length && this.timestamp >= t) return true;
    while (this.next()) if (this.timestamp >= t) return true;
    return false;
  }

  readInto(maxt: number, timestamps: Float64Array, values: Float64Array, offset: number): number {
    const end = Math.min(timestamps.length, values.length);
    const chunks = this.chunks;
    if (this.index >= chunks.length) return 0;
    const limit = Math.min(maxt, this.maxt);
    const inner = this.inner;
    let k = offset;
    while (k < end) {
      if (this.index < 0 || inner.exhausted) {
        // Not past the last chunk: that is next()'s exhausted state, which readInto never enters.
        if (this.index + 1 >= chunks.length) break;
        this.index++;
        inner.reset(chunks[this.index]);
      }
      const before = k;
      const read = inner.readInto(limit, timestamps, values, before);
      k = read > 0 && timestamps[before] < this.mint ? keepSamples(timestamps, values, before, before + read, this.mint, undefined, this.noDeletions) : before + read;
      if (!inner.exhausted && read < end - before) break;
    }
    if (k > offset) {
      this.timestamp = timestamps[k - 1];
      this.value = values[k - 1];
      this.started = true;
    }
    return k - offset;
  }
}
