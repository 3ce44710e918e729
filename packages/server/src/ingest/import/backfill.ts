import { isAscii, isUtf8 } from 'node:buffer';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EntryKind, ExpositionError, ExpositionParser } from '../scrape/exposition/index.ts';
import type { ExpositionFormat, ParserContinuation } from '../scrape/exposition/index.ts';
import { compareLabels, detach, labelsFromPairs } from '../../model/index.ts';
import type { Labels } from '../../model/index.ts';
import { XorAppender } from '../../store/tsdb/chunk/index.ts';
import { Block, compactBlocks, moveBlock, newUlid, writeBlockStream } from '../../store/tsdb/block/index.ts';
import type { BlockMeta, ChunkData, SeriesData } from '../../store/tsdb/block/index.ts';

export interface BackfillOptions {
  /** Where blocks are written (a Vigil data directory, or any directory to move blocks from). */
  outputDir: string;
  format: ExpositionFormat;
  /** Block range in ms (2h, as the head uses). */
  blockRange?: number;
  /** Buffered samples before they are spilled to disk as sorted blocks (bounds memory: ~32 bytes each). */
  maxBufferedSamples?: number;
  /** Most spilled blocks merged at once into one block (bounds the index memory of the final merge). */
  mergeFanIn?: number;
  /** Timestamp for samples written without one; undefined makes such samples an error (as promtool). */
  defaultTimestamp?: number;
  /** Called after every piece of input, with the bytes consumed so far. */
  onProgress?: (bytesRead: number, samples: number) => void;
}

export interface BackfillResult {
  samples: number;
  series: number;
  /** The blocks written into outputDir: one per block range that has samples, oldest first. */
  blocks: BlockMeta[];
  minTime: number;
  maxTime: number;
}

/**
 * What a Backfill keeps between pieces of input, counted: everything here is either per series or
 * bounded by maxBufferedSamples, never by the input's size (the bounded-memory test checks this).
 */
export interface BackfillMemoryStats {
  /** Series seen (each kept once: its text, its labels and a few numbers). */
  series: number;
  /** Distinct label names and values held, shared by all series. */
  internedStrings: number;
  /** Samples the buffer's typed arrays can hold without growing. */
  bufferCapacity: number;
  /** Samples in the buffer now. */
  buffered: number;
  /** Entries of the sort scratch arrays used when spilling. */
  scratchCapacity: number;
  /** Bytes of input held back (the unfinished last line of the previous piece). */
  carryBytes: number;
  /** Spilled blocks waiting for the final merge (only their metadata is in memory). */
  spilledBlocks: number;
  /** Spills so far. */
  spills: number;
}

export class BackfillError extends Error {}

const HOUR = 3600_000;
const SAMPLES_PER_CHUNK = 120;
const INITIAL_BUFFER = 4096;
const LF = 0x0a;
const EMPTY = new Uint8Array(0);
const NEWLINE = new Uint8Array([LF]);

/** `a` followed by the first `length` bytes of `b`. */
function concatBytes(a: Uint8Array, b: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(a.length + length);
  out.set(a);
  out.set(b.subarray(0, length), a.length);
  return out;
}

/** Whole lines of UTF-8 as a string; ASCII (the usual case) is copied without decoding. */
function decodeUtf8(bytes: Uint8Array): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isAscii(buffer)) return buffer.toString('latin1');
  if (!isUtf8(buffer)) throw new BackfillError('input is not valid UTF-8');
  return buffer.toString('utf8');
}

/**
 * Backfills exposition text with timestamps into blocks in memory bounded by the buffer size plus a
 * small per-series state, whatever the input's size and order.
 *
 * - Input is consumed piece by piece (cut at line ends) and parsed with the parser's continuation, so
 *   no piece outlives its parse. Nothing cut out of a piece is kept: a series' text and labels are
 *   copied (`detach`) when the series is first seen — V8 substrings are slices that would keep the
 *   whole multi-megabyte piece alive, which, with one new series per piece in series-ordered input,
 *   retained the entire input — and label strings are interned. Each series gets a dense id; the
 *   parser is told which series to expect next (the one that followed the previous series last time),
 *   so in series- or time-ordered input a line costs neither a slice nor a map lookup.
 * - Samples go into three flat typed arrays (series id, timestamp, value): 20 bytes a sample, no
 *   object per series or per window. When maxBufferedSamples are buffered, they are spilled: sorted by
 *   block window, then series labels, with arrival order kept (two stable counting sorts, linear),
 *   and written as one sorted block per window into a scratch directory inside outputDir.
 * - A window's spilled blocks are merged into one block per window, as promtool writes them: a k-way
 *   streaming merge (compactBlocks) that holds one index per input block and one series at a time,
 *   of at most mergeFanIn blocks at once. Merging is tiered while the input streams (see
 *   mergeNewest), so the blocks waiting in the scratch directory stay few, and finished at the end;
 *   a window spilled once is just moved. The output never holds overlapping blocks for the server to
 *   compact at startup, and a failed import leaves nothing in outputDir (the scratch directory ends
 *   in `.tmp`, which Vigil removes at startup after a crash).
 *
 * Samples with equal timestamps in one series: the one written last wins, within a spill as across
 * spills (compaction lets the newer block win).
 *
 * Not reentrant: await each write() before the next.
 */
export class Backfill {
  private readonly blockRange: number;
  private readonly maxBuffered: number;
  private readonly fanIn: number;

  // Per-series state.
  private readonly seriesIds = new Map<string, number>();
  private readonly seriesTexts: string[] = [];
  private readonly seriesLabels: Labels[] = [];
  /** The series that followed each series last time, or -1: the parser's prediction. */
  private successor = new Int32Array(1024).fill(-1);
  /** Spill number in which a series was last seen, and its rank by labels in that spill. */
  private seenInSpill = new Uint32Array(1024);
  private rankInSpill = new Uint32Array(1024);
  private readonly interned = new Map<string, string>();
  private readonly pairs: string[] = [];

  // The buffer.
  private bufferSeries = new Uint32Array(0);
  private bufferTimes = new Float64Array(0);
  private bufferValues = new Float64Array(0);
  private buffered = 0;
  // Spill scratch (grown to the largest spill, reused).
  private byRank = new Uint32Array(0);
  private byWindow = new Uint32Array(0);
  private windowOf = new Uint32Array(0);

  private carry: Uint8Array = EMPTY;
  private continuation: ParserContinuation = { line: 1, more: true };
  private lastSeries = -1;
  private bytesRead = 0;
  private sawEof = false;
  private spills = 0;
  private scratchDir: string | null = null;
  /** Spilled blocks by window start, in creation (ULID) order. */
  private readonly spilled = new Map<number, BlockMeta[]>();
  private readonly result: BackfillResult = { samples: 0, series: 0, blocks: [], minTime: Infinity, maxTime: -Infinity };

  constructor(private readonly options: BackfillOptions) {
    this.blockRange = options.blockRange ?? 2 * HOUR;
    this.maxBuffered = Math.max(1, options.maxBufferedSamples ?? 4_000_000);
    this.fanIn = Math.max(2, options.mergeFanIn ?? 32);
  }

  /** Feeds the next piece of input text. */
  write(text: string): Promise<void> {
    return this.writeBytes(Buffer.from(text, 'utf8'));
  }

  /**
   * Feeds the next piece of input, cut anywhere. Only whole lines are decoded and parsed: the text
   * after the last line end is held back (as bytes, so a UTF-8 sequence split between pieces is whole
   * again) until the next piece brings the rest of its line.
   */
  async writeBytes(bytes: Uint8Array): Promise<void> {
    this.bytesRead += bytes.byteLength;
    const last = bytes.lastIndexOf(LF);
    if (last < 0) {
      this.carry = concatBytes(this.carry, bytes, bytes.length);
      return;
    }
    let from = 0;
    if (this.carry.length > 0) {
      from = bytes.indexOf(LF) + 1;
      const line = concatBytes(this.carry, bytes, from);
      this.carry = EMPTY;
      this.parse(decodeUtf8(line));
    }
    if (from <= last) this.parse(decodeUtf8(bytes.subarray(from, last + 1)));
    // A copy: the caller may reuse its buffer, and a view would keep all of it alive.
    this.carry = last + 1 < bytes.length ? bytes.slice(last + 1) : EMPTY;
    this.options.onProgress?.(this.bytesRead, this.result.samples);
    if (this.buffered >= this.maxBuffered) await this.spill();
  }

  /** Ends the input: parses what is left, spills the buffer and writes one block per window. */
  async end(): Promise<BackfillResult> {
    if (this.carry.length > 0) {
      const rest = concatBytes(this.carry, NEWLINE, 1);
      this.carry = EMPTY;
      this.parse(decodeUtf8(rest));
    }
    if (this.options.format === 'openmetrics' && !this.sawEof) throw new BackfillError(`line ${this.continuation.line}: OpenMetrics input must end with "# EOF"`);
    await this.spill();
    this.releaseBuffer();
    await this.mergeSpilled();
    this.options.onProgress?.(this.bytesRead, this.result.samples);
    this.result.series = this.seriesTexts.length;
    return this.result;
  }

  /** Removes what a failed import wrote (the scratch directory; outputDir is left as it was). */
  async abort(): Promise<void> {
    this.releaseBuffer();
    this.spilled.clear();
    if (this.scratchDir !== null) await rm(this.scratchDir, { recursive: true, force: true });
    this.scratchDir = null;
  }

  memoryStats(): BackfillMemoryStats {
    let spilledBlocks = 0;
    for (const metas of this.spilled.values()) spilledBlocks += metas.length;
    return {
      series: this.seriesTexts.length,
      internedStrings: this.interned.size,
      bufferCapacity: this.bufferTimes.length,
      buffered: this.buffered,
      scratchCapacity: Math.max(this.byRank.length, this.byWindow.length, this.windowOf.length),
      carryBytes: this.carry.length,
      spilledBlocks,
      spills: this.spills,
    };
  }

  private parse(piece: string): void {
    if (this.sawEof) {
      if (piece.trim() !== '') throw new BackfillError(`line ${this.continuation.line}: data after "# EOF"`);
      return;
    }
    const parser = new ExpositionParser(piece, this.options.format, this.continuation);
    const texts = this.seriesTexts;
    let previous = this.lastSeries;
    try {
      for (;;) {
        const guess = previous >= 0 ? this.successor[previous] : -1;
        parser.predictSeries(guess >= 0 ? texts[guess] : null);
        const kind = parser.next();
        if (kind === 0) break;
        if (kind === EntryKind.EOF) {
          this.sawEof = true;
          break;
        }
        if (kind !== EntryKind.Series) continue;
        let timestamp = parser.timestamp;
        if (timestamp === undefined) {
          if (this.options.defaultTimestamp === undefined) throw new BackfillError(`line ${parser.line}: sample has no timestamp (backfilled samples need one)`);
          timestamp = this.options.defaultTimestamp;
        }
        let id = guess;
        if (!parser.predictionHit) {
          const text = parser.seriesText();
          id = this.seriesIds.get(text) ?? this.addSeries(text, parser);
          if (previous >= 0) this.successor[previous] = id;
        }
        previous = id;
        this.add(id, timestamp, parser.value);
      }
    } catch (error) {
      if (error instanceof ExpositionError) throw new BackfillError(`line ${error.line}: ${error.reason}`);
      throw error;
    }
    this.continuation = parser.continuationAfter(true);
    this.lastSeries = previous;
  }

  private addSeries(text: string, parser: ExpositionParser): number {
    const pairs = this.pairs;
    pairs.length = 0;
    parser.labels(pairs);
    const labels: Labels = labelsFromPairs(pairs).map((s) => this.intern(s));
    pairs.length = 0;
    const id = this.seriesTexts.length;
    const own = detach(text);
    this.seriesTexts.push(own);
    this.seriesLabels.push(labels);
    this.seriesIds.set(own, id);
    if (id >= this.successor.length) {
      const size = this.successor.length * 2;
      const successor = new Int32Array(size).fill(-1);
      successor.set(this.successor);
      this.successor = successor;
      this.seenInSpill = grownUint32(this.seenInSpill, size);
      this.rankInSpill = grownUint32(this.rankInSpill, size);
    }
    return id;
  }

  private intern(value: string): string {
    let own = this.interned.get(value);
    if (own === undefined) {
      own = detach(value);
      this.interned.set(own, own);
    }
    return own;
  }

  private add(id: number, timestamp: number, value: number): void {
    const n = this.buffered;
    if (n === this.bufferTimes.length) this.growBuffer();
    this.bufferSeries[n] = id;
    this.bufferTimes[n] = timestamp;
    this.bufferValues[n] = value;
    this.buffered = n + 1;
    this.result.samples++;
    if (timestamp < this.result.minTime) this.result.minTime = timestamp;
    if (timestamp > this.result.maxTime) this.result.maxTime = timestamp;
  }

  /**
   * Doubles the buffer, up to maxBufferedSamples; past that only by the rest of the current piece
   * (the buffer is spilled after each piece, and a piece is at most one read of the input).
   */
  private growBuffer(): void {
    const n = this.buffered;
    const size = n < this.maxBuffered ? Math.min(this.maxBuffered, Math.max(INITIAL_BUFFER, n * 2)) : n + Math.max(INITIAL_BUFFER, n >>> 3);
    const series = new Uint32Array(size);
    series.set(this.bufferSeries.subarray(0, n));
    const times = new Float64Array(size);
    times.set(this.bufferTimes.subarray(0, n));
    const values = new Float64Array(size);
    values.set(this.bufferValues.subarray(0, n));
    this.bufferSeries = series;
    this.bufferTimes = times;
    this.bufferValues = values;
  }

  private releaseBuffer(): void {
    this.bufferSeries = new Uint32Array(0);
    this.bufferTimes = new Float64Array(0);
    this.bufferValues = new Float64Array(0);
    this.byRank = new Uint32Array(0);
    this.byWindow = new Uint32Array(0);
    this.windowOf = new Uint32Array(0);
    this.buffered = 0;
  }

  /** Writes the buffered samples as one sorted block per window into the scratch directory. */
  private async spill(): Promise<void> {
    const n = this.buffered;
    if (n === 0) return;
    const spill = ++this.spills;
    const seriesOf = this.bufferSeries;
    const times = this.bufferTimes;
    if (this.byRank.length < n) {
      this.byRank = new Uint32Array(this.bufferTimes.length);
      this.byWindow = new Uint32Array(this.bufferTimes.length);
      this.windowOf = new Uint32Array(this.bufferTimes.length);
    }

    // Windows present, numbered in time order.
    const range = this.blockRange;
    const windowOf = this.windowOf;
    const slotOfStart = new Map<number, number>();
    const starts: number[] = [];
    let lastStart = NaN;
    let lastSlot = 0;
    for (let i = 0; i < n; i++) {
      const start = Math.floor(times[i] / range) * range;
      if (start !== lastStart) {
        let slot = slotOfStart.get(start);
        if (slot === undefined) {
          slot = starts.length;
          starts.push(start);
          slotOfStart.set(start, slot);
        }
        lastStart = start;
        lastSlot = slot;
      }
      windowOf[i] = lastSlot;
    }
    const windowOrder = starts.map((_, slot) => slot).sort((a, b) => starts[a] - starts[b]);
    const windowRank = new Uint32Array(starts.length);
    for (let r = 0; r < windowOrder.length; r++) windowRank[windowOrder[r]] = r;
    const sortedStarts = windowOrder.map((slot) => starts[slot]);

    // Series present, ranked by labels.
    const seen = this.seenInSpill;
    const rank = this.rankInSpill;
    const present: number[] = [];
    for (let i = 0; i < n; i++) {
      const id = seriesOf[i];
      if (seen[id] !== spill) {
        seen[id] = spill;
        present.push(id);
      }
    }
    const labels = this.seriesLabels;
    present.sort((a, b) => compareLabels(labels[a], labels[b]));
    // Texts that differ only in label order (or in empty labels) are one series: they share a rank.
    let ranks = 0;
    for (let r = 0; r < present.length; r++) {
      if (r > 0 && compareLabels(labels[present[r - 1]], labels[present[r]]) !== 0) ranks++;
      rank[present[r]] = ranks;
    }
    if (present.length > 0) ranks++;

    // Two stable counting sorts (series rank, then window): window-major, label order, arrival order.
    const byRank = this.byRank;
    const rankStart = new Uint32Array(ranks + 1);
    for (let i = 0; i < n; i++) rankStart[rank[seriesOf[i]] + 1]++;
    for (let r = 1; r <= ranks; r++) rankStart[r] += rankStart[r - 1];
    for (let i = 0; i < n; i++) byRank[rankStart[rank[seriesOf[i]]]++] = i;
    let order = byRank;
    const windowStart = new Uint32Array(starts.length + 1);
    if (starts.length > 1) {
      order = this.byWindow;
      for (let i = 0; i < n; i++) windowStart[windowRank[windowOf[i]] + 1]++;
      for (let w = 1; w <= starts.length; w++) windowStart[w] += windowStart[w - 1];
      const fill = windowStart.slice();
      for (let k = 0; k < n; k++) {
        const i = byRank[k];
        order[fill[windowRank[windowOf[i]]]++] = i;
      }
    } else {
      windowStart[1] = n;
    }

    if (this.scratchDir === null) {
      this.scratchDir = join(this.options.outputDir, `import-${newUlid()}.tmp`);
      await mkdir(this.scratchDir, { recursive: true });
    }
    for (let w = 0; w < sortedStarts.length; w++) {
      const start = sortedStarts[w];
      const meta = await writeBlockStream(this.scratchDir, { minTime: start, maxTime: start + range }, this.spilledSeries(order, windowStart[w], windowStart[w + 1]));
      let metas = this.spilled.get(start);
      if (metas === undefined) {
        metas = [];
        this.spilled.set(start, metas);
      }
      metas.push(meta);
      await this.mergeNewest(this.scratchDir, metas);
    }
    this.buffered = 0;
  }

  /**
   * Tiered merging, as in a log-structured merge tree: whenever a window's newest fanIn blocks share
   * a level, they become one block of the next level. Levels then never increase along a window's
   * list, it holds at most fanIn - 1 blocks per level (so the blocks waiting on disk and their
   * metadata here stay few however long the input), and each sample is rewritten log_fanIn(spills)
   * times at most. Merged blocks are always the newest ones, so creation order is kept.
   */
  private async mergeNewest(scratch: string, metas: BlockMeta[]): Promise<void> {
    for (;;) {
      const from = metas.length - this.fanIn;
      if (from < 0) return;
      const level = metas[metas.length - 1].compaction.level;
      for (let k = from; k < metas.length; k++) if (metas[k].compaction.level !== level) return;
      metas.splice(from, this.fanIn, await mergeBlocks(scratch, metas.slice(from)));
    }
  }

  /** The series of order[from, to) (one window, sorted by labels then arrival), encoded as chunks. */
  private *spilledSeries(order: Uint32Array, from: number, to: number): Generator<SeriesData> {
    const seriesOf = this.bufferSeries;
    const times = this.bufferTimes;
    const values = this.bufferValues;
    const appender = new XorAppender(256);
    const run: number[] = [];
    const rank = this.rankInSpill;
    for (let k = from; k < to; ) {
      const id = seriesOf[order[k]];
      let end = k + 1;
      while (end < to && rank[seriesOf[order[end]]] === rank[id]) end++;
      run.length = 0;
      let sorted = true;
      for (let q = k; q < end; q++) {
        const i = order[q];
        if (run.length > 0 && times[i] <= times[run[run.length - 1]]) sorted = false;
        run.push(i);
      }
      // Indexes ascend in arrival order, so this keeps equal timestamps in arrival order.
      if (!sorted) run.sort((a, b) => times[a] - times[b] || a - b);
      const chunks: ChunkData[] = [];
      appender.reset();
      for (let q = 0; q < run.length; q++) {
        const i = run[q];
        if (q + 1 < run.length && times[run[q + 1]] === times[i]) continue; // the last written wins
        if (appender.count === SAMPLES_PER_CHUNK) {
          chunks.push({ minTime: appender.minTime, maxTime: appender.maxTime, bytes: appender.bytes().slice() });
          appender.reset();
        }
        appender.append(times[i], values[i]);
      }
      if (appender.count > 0) chunks.push({ minTime: appender.minTime, maxTime: appender.maxTime, bytes: appender.bytes().slice() });
      yield { labels: this.seriesLabels[id], chunks };
      k = end;
    }
  }

  /**
   * Turns each window's spilled blocks into one block, then moves all of them into outputDir (so a
   * failure before that leaves outputDir as it was) and removes the scratch directory.
   */
  private async mergeSpilled(): Promise<void> {
    const scratch = this.scratchDir;
    if (scratch === null) return;
    const final: BlockMeta[] = [];
    for (const start of [...this.spilled.keys()].sort((a, b) => a - b)) {
      let metas = this.spilled.get(start) as BlockMeta[];
      // Rounds over groups of consecutive blocks keep creation order, which decides equal timestamps.
      while (metas.length > 1) {
        const next: BlockMeta[] = [];
        for (let g = 0; g < metas.length; g += this.fanIn) next.push(await mergeBlocks(scratch, metas.slice(g, g + this.fanIn)));
        metas = next;
      }
      final.push(metas[0]);
      this.spilled.delete(start);
    }
    for (const meta of final) {
      await moveBlock(join(scratch, meta.ulid), this.options.outputDir);
      this.result.blocks.push(meta);
    }
    await rm(scratch, { recursive: true, force: true });
    this.scratchDir = null;
  }
}

/** Merges blocks of `dir` into one new block there, then deletes them. */
async function mergeBlocks(dir: string, metas: BlockMeta[]): Promise<BlockMeta> {
  const blocks: Block[] = [];
  try {
    for (const meta of metas) blocks.push(await Block.open(join(dir, meta.ulid)));
    return await compactBlocks(dir, blocks);
  } finally {
    for (const block of blocks) await block.close();
    for (const meta of metas) await rm(join(dir, meta.ulid), { recursive: true, force: true });
  }
}

function grownUint32(array: Uint32Array, size: number): Uint32Array<ArrayBuffer> {
  const out = new Uint32Array(size);
  out.set(array);
  return out;
}

/** Streams a whole readable (file or HTTP body) through a Backfill. */
export async function backfillStream(stream: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: BackfillOptions): Promise<BackfillResult> {
  const backfill = new Backfill(options);
  try {
    for await (const piece of stream) await backfill.writeBytes(piece);
    return await backfill.end();
  } catch (error) {
    await backfill.abort();
    throw error;
  }
}
