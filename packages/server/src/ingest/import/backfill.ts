import { EntryKind, ExpositionError, ExpositionParser } from '../scrape/exposition/index.ts';
import type { ExpositionFormat } from '../scrape/exposition/index.ts';
import { labelsFromPairs } from '../../model/index.ts';
import type { Labels } from '../../model/index.ts';
import { XorAppender } from '../../store/tsdb/chunk/index.ts';
import { writeBlock } from '../../store/tsdb/block/index.ts';
import type { BlockMeta, ChunkData, SeriesData } from '../../store/tsdb/block/index.ts';

export interface BackfillOptions {
  /** Where blocks are written (a Vigil data directory, or any directory to move blocks from). */
  outputDir: string;
  format: ExpositionFormat;
  /** Block range in ms (2h, as the head uses). */
  blockRange?: number;
  /** Buffered samples before the buffered windows are written out as blocks (bounds memory). */
  maxBufferedSamples?: number;
  /** Timestamp for samples written without one; undefined makes such samples an error (as promtool). */
  defaultTimestamp?: number;
  /** Called after every piece of input, with the bytes consumed so far. */
  onProgress?: (bytesRead: number, samples: number) => void;
}

export interface BackfillResult {
  samples: number;
  series: number;
  blocks: BlockMeta[];
  minTime: number;
  maxTime: number;
}

export class BackfillError extends Error {}

const HOUR = 3600_000;

/** One series' samples in one block window, buffered as growable typed arrays. */
interface WindowSeries {
  labels: Labels;
  timestamps: Float64Array;
  values: Float64Array;
  count: number;
  sorted: boolean;
}

/**
 * Backfills exposition text with timestamps into blocks, streaming: input is consumed piece by piece
 * (cut at line ends), samples are buffered per series and 2-hour window in typed arrays, and whenever
 * the buffer is full every window is written as a block. Windows written twice give overlapping
 * blocks, which compaction merges. Nothing goes through the head or the WAL.
 */
export class Backfill {
  private readonly windows = new Map<number, Map<string, WindowSeries>>();
  private readonly labelCache = new Map<string, Labels>();
  private readonly blockRange: number;
  private readonly maxBuffered: number;
  private buffered = 0;
  private carry = '';
  private lineOffset = 0;
  private bytesRead = 0;
  private sawEof = false;
  private readonly result: BackfillResult = { samples: 0, series: 0, blocks: [], minTime: Infinity, maxTime: -Infinity };
  private readonly seriesSeen = new Set<string>();

  constructor(private readonly options: BackfillOptions) {
    this.blockRange = options.blockRange ?? 2 * HOUR;
    this.maxBuffered = options.maxBufferedSamples ?? 4_000_000;
  }

  /** Feeds the next piece of input text. */
  async write(text: string, byteLength = Buffer.byteLength(text)): Promise<void> {
    this.bytesRead += byteLength;
    const data = this.carry + text;
    const cut = data.lastIndexOf('\n');
    if (cut < 0) {
      this.carry = data;
      return;
    }
    this.carry = data.slice(cut + 1);
    this.parse(data.slice(0, cut + 1));
    this.options.onProgress?.(this.bytesRead, this.result.samples);
    if (this.buffered >= this.maxBuffered) await this.flush();
  }

  /** Ends the input: parses what is left, writes every buffered window. */
  async end(): Promise<BackfillResult> {
    if (this.carry !== '') {
      const rest = this.carry.endsWith('\n') ? this.carry : this.carry + '\n';
      this.carry = '';
      this.parse(rest);
    }
    if (this.options.format === 'openmetrics' && !this.sawEof) throw new BackfillError(`line ${this.lineOffset}: OpenMetrics input must end with "# EOF"`);
    await this.flush();
    this.options.onProgress?.(this.bytesRead, this.result.samples);
    this.result.series = this.seriesSeen.size;
    return this.result;
  }

  private parse(piece: string): void {
    if (this.sawEof && piece.trim() !== '') throw new BackfillError(`line ${this.lineOffset + 1}: data after "# EOF"`);
    const openMetrics = this.options.format === 'openmetrics';
    // The parser wants a whole exposition; a piece of OpenMetrics without the closing "# EOF" gets one.
    const hasEof = openMetrics && /(^|\n)# EOF\n$/.test(piece);
    const body = openMetrics && !hasEof ? piece + '# EOF\n' : piece;
    const parser = new ExpositionParser(body, this.options.format);
    const pairs: string[] = [];
    try {
      for (let kind = parser.next(); kind !== 0; kind = parser.next()) {
        if (kind === EntryKind.EOF) {
          if (hasEof) this.sawEof = true;
          break;
        }
        if (kind !== EntryKind.Series) continue;
        let timestamp = parser.timestamp;
        if (timestamp === undefined) {
          if (this.options.defaultTimestamp === undefined) throw new BackfillError(`line ${this.lineOffset + parser.line}: sample has no timestamp (backfilled samples need one)`);
          timestamp = this.options.defaultTimestamp;
        }
        const text = parser.seriesText();
        let labels = this.labelCache.get(text);
        if (labels === undefined) {
          pairs.length = 0;
          parser.labels(pairs);
          labels = labelsFromPairs(pairs);
          if (this.labelCache.size > 1_000_000) this.labelCache.clear();
          this.labelCache.set(text, labels);
        }
        this.add(text, labels, timestamp, parser.value);
      }
    } catch (error) {
      if (error instanceof ExpositionError) throw new BackfillError(`line ${this.lineOffset + error.line}: ${error.reason}`);
      throw error;
    }
    this.lineOffset += countLines(piece);
  }

  private add(key: string, labels: Labels, timestamp: number, value: number): void {
    const window = Math.floor(timestamp / this.blockRange) * this.blockRange;
    let series = this.windows.get(window);
    if (series === undefined) {
      series = new Map();
      this.windows.set(window, series);
    }
    let entry = series.get(key);
    if (entry === undefined) {
      entry = { labels, timestamps: new Float64Array(16), values: new Float64Array(16), count: 0, sorted: true };
      series.set(key, entry);
      this.seriesSeen.add(key);
    }
    const n = entry.count;
    if (n === entry.timestamps.length) {
      const timestamps = new Float64Array(n * 2);
      timestamps.set(entry.timestamps);
      entry.timestamps = timestamps;
      const values = new Float64Array(n * 2);
      values.set(entry.values);
      entry.values = values;
    }
    if (n > 0 && timestamp <= entry.timestamps[n - 1]) entry.sorted = false;
    entry.timestamps[n] = timestamp;
    entry.values[n] = value;
    entry.count = n + 1;
    this.buffered++;
    this.result.samples++;
    if (timestamp < this.result.minTime) this.result.minTime = timestamp;
    if (timestamp > this.result.maxTime) this.result.maxTime = timestamp;
  }

  /** Writes every buffered window as one block. */
  private async flush(): Promise<void> {
    const windows = [...this.windows.entries()].sort((a, b) => a[0] - b[0]);
    this.windows.clear();
    this.buffered = 0;
    for (const [start, series] of windows) {
      const meta = await writeBlock(this.options.outputDir, {
        minTime: start,
        maxTime: start + this.blockRange,
        series: seriesData(series.values()),
      });
      this.result.blocks.push(meta);
    }
  }
}

function* seriesData(entries: Iterable<WindowSeries>): Iterable<SeriesData> {
  const appender = new XorAppender(256);
  for (const entry of entries) {
    if (!entry.sorted) sortSamples(entry);
    const chunks: ChunkData[] = [];
    appender.reset();
    let last = -Infinity;
    for (let i = 0; i < entry.count; i++) {
      const t = entry.timestamps[i];
      if (t === last) continue; // duplicate timestamp: the first one written wins
      last = t;
      if (appender.count >= 120) {
        chunks.push({ minTime: appender.minTime, maxTime: appender.maxTime, bytes: appender.bytes().slice() });
        appender.reset();
      }
      appender.append(t, entry.values[i]);
    }
    if (appender.count > 0) chunks.push({ minTime: appender.minTime, maxTime: appender.maxTime, bytes: appender.bytes().slice() });
    yield { labels: entry.labels, chunks };
  }
}

function sortSamples(entry: WindowSeries): void {
  const order = Array.from({ length: entry.count }, (_, i) => i);
  // A stable sort keeps the first of equal timestamps first.
  order.sort((a, b) => entry.timestamps[a] - entry.timestamps[b]);
  const timestamps = new Float64Array(entry.count);
  const values = new Float64Array(entry.count);
  for (let i = 0; i < order.length; i++) {
    timestamps[i] = entry.timestamps[order[i]];
    values[i] = entry.values[order[i]];
  }
  entry.timestamps = timestamps;
  entry.values = values;
  entry.sorted = true;
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** Streams a whole readable (file or HTTP body) through a Backfill. */
export async function backfillStream(stream: AsyncIterable<Uint8Array>, options: BackfillOptions): Promise<BackfillResult> {
  const backfill = new Backfill(options);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const piece of stream) await backfill.write(decoder.decode(piece, { stream: true }), piece.byteLength);
    await backfill.write(decoder.decode());
  } catch (error) {
    if (error instanceof TypeError && /encoded data was not valid/.test(error.message)) throw new BackfillError('input is not valid UTF-8');
    throw error;
  }
  return backfill.end();
}
