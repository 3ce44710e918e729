import { link, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { compareLabels, systemClock } from '../../model/index.ts';
import type { Clock, LabelMatcher, Labels } from '../../model/index.ts';
import { MergeQuerier } from '../merge.ts';
import type { Appender, Querier, Storage, StorageStats } from '../types.ts';
import { Block, TMP_BLOCK_SUFFIX, blocksBeyondRetention, compactBlocks, planCompaction, writeBlock } from './block/index.ts';
import { Head } from './head/index.ts';
import { ReplayBatch } from './replay.ts';
import { HeadChunkFiles } from './headchunks/head-chunks.ts';
import type { CommitBatch } from './head/index.ts';
import {
  ExemplarsEncoder,
  RecordType,
  SamplesEncoder,
  SeriesEncoder,
  TombstonesEncoder,
  WalWriter,
  createCheckpoint,
  decodeExemplars,
  decodeSeries,
  decodeTombstones,
  replayWal,
  truncateSegmentsBefore,
} from './wal/index.ts';
import type { WalFileOps } from './wal/index.ts';

export interface TsdbOptions {
  dir: string;
  /** Blocks older than this (ms before the newest data) are deleted; 0 keeps everything. */
  retentionMs: number;
  /** Blocks are deleted oldest first while the total exceeds this many bytes; 0 = no limit. */
  retentionBytes: number;
  /** Head block range, 2h as in Prometheus. */
  blockRange?: number;
  maxExemplars?: number;
  /** Prometheus's out_of_order_time_window in ms (0 refuses out-of-order samples); also applied during WAL replay. */
  outOfOrderWindowMs?: number;
  walSegmentSize?: number;
  clock?: Clock;
  /** Replaces WAL file operations (tests inject ENOSPC this way). */
  walFileOps?: Partial<WalFileOps>;
  /** Where replay reads the WAL (see ReplayOptions.readAhead); default: a worker thread for large WALs. */
  walReadAhead?: 'worker' | 'inline';
  log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

export interface TsdbCounters {
  walReplaySeconds: number;
  walReplayedRecords: number;
  /** WAL samples skipped at startup because a restored head chunk already held them. */
  walReplaySkippedSamples: number;
  headChunksRestored: number;
  walTornTailBytesDropped: number;
  compactions: number;
  compactionFailures: number;
  blocksDeletedByRetention: number;
  lastWriteError: string | null;
}

const HOUR = 3600_000;

/**
 * Vigil's time-series database: a head in memory backed by a write-ahead log, and immutable blocks on
 * disk. Writes go to the head through the WAL; once the head spans 1.5 block ranges its oldest range
 * becomes a block, the head is truncated and the WAL checkpointed. Blocks are compacted into larger
 * ones and deleted by retention.
 */
export class Tsdb implements Storage {
  readonly head: Head;
  /** Completed head chunks on disk, so a restart replays only the WAL samples after them. */
  private readonly headChunks: HeadChunkFiles;
  private blocks: Block[] = [];
  readonly counters: TsdbCounters = {
    walReplaySeconds: 0,
    walReplayedRecords: 0,
    walReplaySkippedSamples: 0,
    headChunksRestored: 0,
    walTornTailBytesDropped: 0,
    compactions: 0,
    compactionFailures: 0,
    blocksDeletedByRetention: 0,
    lastWriteError: null,
  };
  private wal!: WalWriter;
  private maintenance: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly blockRange: number;
  private readonly clock: Clock;

  private constructor(private readonly options: TsdbOptions) {
    this.blockRange = options.blockRange ?? 2 * HOUR;
    this.clock = options.clock ?? systemClock;
    this.headChunks = new HeadChunkFiles(join(options.dir, 'chunks_head'));
    this.head = new Head({
      chunkRange: this.blockRange,
      maxExemplars: options.maxExemplars,
      onCommit: (batch) => this.logCommit(batch),
      onChunkComplete: (chunk) => {
        const window = Math.floor(chunk.minTime / this.blockRange) * this.blockRange;
        this.headChunks.append(window, chunk.ref, chunk.minTime, chunk.maxTime, chunk.lastValue, chunk.bytes);
      },
    });
    this.head.outOfOrderWindow = options.outOfOrderWindowMs ?? 0;
  }

  static async open(options: TsdbOptions): Promise<Tsdb> {
    const db = new Tsdb(options);
    await db.load();
    return db;
  }

  private log(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void {
    this.options.log?.(level, message, fields);
  }

  private get walDir(): string {
    return join(this.options.dir, 'wal');
  }

  private async load(): Promise<void> {
    await mkdir(this.walDir, { recursive: true });
    await this.removeTemporaryDirs();
    for (const entry of await readdir(this.options.dir)) {
      if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(entry)) continue;
      try {
        this.blocks.push(await Block.open(join(this.options.dir, entry)));
      } catch (error) {
        throw new Error(`block ${entry} cannot be opened: ${(error as Error).message}`, { cause: error });
      }
    }
    this.sortBlocks();
    const lastBlockEnd = this.blocks.length > 0 ? Math.max(...this.blocks.map((b) => b.meta.maxTime)) : -Infinity;
    this.head.minValidTime = lastBlockEnd;

    const started = performance.now();
    const head = this.head;
    const restored = HeadChunkFiles.load(join(this.options.dir, 'chunks_head'), (ref, minTime, maxTime, lastValue, data, offset, length) =>
      head.restoreChunk(ref, minTime, maxTime, lastValue, data, offset, length),
    );
    if (restored.droppedBytes > 0) this.log('warn', 'head chunk files had torn tails (crash during a write); cut at the last good chunk', { ...restored });
    // With an out-of-order window, whether a late sample was kept depends on what came before it in
    // the log, so samples are then applied strictly in log order (a buffer of size 0).
    const batch = new ReplayBatch(head, head.outOfOrderWindow > 0 ? 0 : undefined);
    head.replaying = true;
    const onSeries = (ref: number, labels: string[]) => head.replaySeries(ref, labels);
    const onExemplar = (ref: number, t: number, v: number, labels: string[]) => {
      if (head.isAlive(ref)) head.recordExemplar({ ref, timestamp: t, value: v, labels });
    };
    const onTombstone = (ref: number, mint: number, maxt: number) => head.addTombstones([{ ref, mint, maxt }]);
    // Samples records whose every sample is in a restored chunk need no decoding here: the read-ahead
    // worker finds them (the main thread would only drop their samples one by one).
    const coveredSamples = { newest: head.restoredNewestTimes(), onCovered: (payload: Uint8Array) => batch.skipCovered(payload) };
    const visit = (type: number, payload: Uint8Array): void => {
      if (type === RecordType.Series) decodeSeries(payload, onSeries);
      else if (type === RecordType.Samples) batch.addRecord(payload);
      else if (type === RecordType.Exemplars) decodeExemplars(payload, onExemplar);
      else if (type === RecordType.Tombstones) decodeTombstones(payload, onTombstone);
    };
    const report = await replayWal(this.walDir, 0, visit, { coveredSamples, readAhead: this.options.walReadAhead });
    batch.flush();
    head.replaying = false;
    const unclaimed = head.discardUnclaimedRestores();
    this.counters.headChunksRestored = restored.chunks - unclaimed;
    this.counters.walReplaySkippedSamples = batch.skipped;
    this.counters.walReplaySeconds = (performance.now() - started) / 1000;
    this.counters.walReplayedRecords = report.records;
    if (report.tornTail !== null) {
      this.counters.walTornTailBytesDropped += report.tornTail.droppedBytes;
      this.log('warn', 'WAL tail was torn (crash during a write); truncated at the last good record', { ...report.tornTail });
    }
    if (report.corruption !== null) this.log('error', 'WAL corruption repaired; later segments were removed', { ...report.corruption });
    this.log('info', 'WAL replay completed', { seconds: this.counters.walReplaySeconds, records: report.records, series: head.numSeries, samples: batch.applied, samplesSkipped: batch.skipped, chunksRestored: restored.chunks - unclaimed });
    // The replay above has just checked the last segment and cut any torn tail: no need to read it again.
    this.wal = await WalWriter.open(this.walDir, { segmentSize: this.options.walSegmentSize, fileOps: this.options.walFileOps, repairTail: false });
  }

  private async removeTemporaryDirs(): Promise<void> {
    for (const entry of await readdir(this.options.dir)) {
      // Left by a crash: an import's scratch directory, or a block that was still being written.
      if (entry.endsWith('.tmp') || entry.endsWith(TMP_BLOCK_SUFFIX)) await rm(join(this.options.dir, entry), { recursive: true, force: true });
    }
  }

  private sortBlocks(): void {
    this.blocks.sort((a, b) => a.meta.minTime - b.meta.minTime);
  }

  private readonly seriesEncoder = new SeriesEncoder();
  private readonly samplesEncoder = new SamplesEncoder();
  private readonly exemplarsEncoder = new ExemplarsEncoder();

  private async logCommit(batch: CommitBatch): Promise<void> {
    if (this.closed) throw new Error('storage is closed');
    if (batch.newSeriesRefs.length > 0) {
      const encoder = this.seriesEncoder;
      encoder.reset();
      for (let i = 0; i < batch.newSeriesRefs.length; i++) encoder.add(batch.newSeriesRefs[i], batch.newSeriesLabels[i]);
      this.wal.log(RecordType.Series, encoder.finish());
    }
    if (batch.count > 0) {
      const encoder = this.samplesEncoder;
      encoder.reset();
      encoder.addFrom(batch.refs, batch.timestamps, batch.values, 0, batch.count);
      this.wal.log(RecordType.Samples, encoder.finish());
    }
    if (batch.exemplars.length > 0) {
      const encoder = this.exemplarsEncoder;
      encoder.reset();
      for (const e of batch.exemplars) encoder.add(e.ref, e.timestamp, e.value, e.labels);
      this.wal.log(RecordType.Exemplars, encoder.finish());
    }
    try {
      await this.wal.flush();
      this.counters.lastWriteError = null;
    } catch (error) {
      this.counters.lastWriteError = (error as Error).message;
      throw new Error(`write-ahead log write failed: ${(error as Error).message}`, { cause: error });
    }
  }

  appender(): Appender {
    return this.head.appender();
  }

  querier(mint: number, maxt: number): Querier {
    const queriers: Querier[] = [];
    for (const block of this.blocks) {
      if (block.meta.maxTime > mint && block.meta.minTime <= maxt) queriers.push(block.querier(mint, maxt));
    }
    queriers.push(this.head.querier(mint, maxt));
    return new MergeQuerier(queriers);
  }

  stats(limit: number): StorageStats {
    return this.head.stats(limit);
  }

  /** The blocks, oldest first (for the API and tests). */
  listBlocks(): readonly Block[] {
    return this.blocks;
  }

  /** Writes an externally built block set (backfill) into the database and makes it queryable. */
  async addBlock(dir: string): Promise<void> {
    const block = await Block.open(dir);
    this.blocks.push(block);
    this.sortBlocks();
  }

  /**
   * Persists what is due and applies retention: cuts head blocks, compacts, deletes expired blocks.
   * Runs one at a time; call it periodically.
   */
  maintain(): Promise<void> {
    this.maintenance = this.maintenance.then(() => this.runMaintenance()).catch((error: unknown) => {
      this.counters.compactionFailures++;
      this.log('error', 'storage maintenance failed', { err: (error as Error).message });
    });
    return this.maintenance;
  }

  private async runMaintenance(): Promise<void> {
    if (this.closed) return;
    this.headChunks.flush();
    await this.persistHead(false);
    await this.compactBlocks();
    await this.applyRetention();
  }

  /** Writes head ranges that are complete (or everything, when `all`) to blocks. */
  async persistHead(all: boolean): Promise<void> {
    // Out-of-order samples older than the head go to blocks of their own; compaction merges them.
    for (const [start, series] of this.head.takeOutOfOrderBefore(this.head.minValidTime)) {
      const meta = await writeBlock(this.options.dir, { minTime: start, maxTime: start + this.blockRange, series });
      this.blocks.push(await Block.open(join(this.options.dir, meta.ulid)));
      this.sortBlocks();
      this.log('info', 'out-of-order samples written to a block', { ulid: meta.ulid, minTime: start, series: meta.stats.numSeries });
    }
    for (;;) {
      const { minTime, maxTime } = this.head.timeRange();
      if (!Number.isFinite(minTime)) return;
      const start = Math.floor(minTime / this.blockRange) * this.blockRange;
      const end = start + this.blockRange;
      if (!all && maxTime - start < this.blockRange * 1.5) return;
      if (all && minTime > maxTime) return;
      const meta = await writeBlock(this.options.dir, { minTime: start, maxTime: end, series: this.head.seriesForBlock(start, end) });
      if (meta.stats.numSeries > 0) this.blocks.push(await Block.open(join(this.options.dir, meta.ulid)));
      else await rm(join(this.options.dir, meta.ulid), { recursive: true, force: true });
      this.sortBlocks();
      const dead = this.head.truncate(end);
      this.headChunks.truncateBefore(end, this.blockRange);
      await this.checkpoint(end, dead);
      this.log('info', 'head range written to a block', { ulid: meta.ulid, minTime: start, maxTime: end, series: meta.stats.numSeries });
      if (all && this.head.numSeries === 0) return;
      if (all && !Number.isFinite(this.head.timeRange().minTime)) return;
    }
  }

  private async checkpoint(minTime: number, _dead: Set<number>): Promise<void> {
    const last = await this.wal.cutSegment();
    if (last <= 0) return;
    await createCheckpoint(this.walDir, last - 1, this.head.liveRefs(), minTime);
    await truncateSegmentsBefore(this.walDir, last);
  }

  private async compactBlocks(): Promise<void> {
    const ranges = [this.blockRange, this.blockRange * 3, this.blockRange * 9, this.blockRange * 27, this.blockRange * 81].filter(
      (range) => this.options.retentionMs === 0 || range <= Math.max(this.blockRange, this.options.retentionMs / 10),
    );
    for (;;) {
      const plan = planCompaction(this.blocks.map((b) => b.meta), ranges);
      if (plan.length === 0) return;
      const group = plan[0];
      const ids = new Set(group.map((m) => m.ulid));
      const sources = this.blocks.filter((b) => ids.has(b.meta.ulid));
      const meta = await compactBlocks(this.options.dir, sources);
      this.blocks = this.blocks.filter((b) => !ids.has(b.meta.ulid));
      this.blocks.push(await Block.open(join(this.options.dir, meta.ulid)));
      this.sortBlocks();
      for (const block of sources) {
        await block.close();
        await rm(block.dir, { recursive: true, force: true });
      }
      this.counters.compactions++;
      this.log('info', 'blocks compacted', { ulid: meta.ulid, sources: group.length });
    }
  }

  private async applyRetention(): Promise<void> {
    const sized = this.blocks.map((block) => ({ meta: block.meta, sizeBytes: block.sizeBytes() }));
    const doomed = new Set(blocksBeyondRetention(sized, this.options.retentionMs, this.options.retentionBytes));
    if (doomed.size === 0) return;
    const keep: Block[] = [];
    for (const block of this.blocks) {
      if (doomed.has(block.meta.ulid) || doomed.has(block.dir)) {
        await block.close();
        await rm(block.dir, { recursive: true, force: true });
        this.counters.blocksDeletedByRetention++;
      } else keep.push(block);
    }
    this.blocks = keep;
  }

  /**
   * Runs `work` between maintenance runs (never during a compaction, which would drop new tombstones
   * or delete blocks being linked), passing its result or error on.
   */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.maintenance.then(() => {
      if (this.closed) throw new Error('storage is closed');
      return work();
    });
    this.maintenance = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /**
   * Deletes the samples in [mint, maxt] (inclusive) of every series matching the matchers: tombstones
   * in the blocks' files and, for the head, in memory and in the WAL. Queries stop seeing them at
   * once; `cleanTombstones` (blocks) and the next head compaction remove the data itself.
   */
  deleteSeries(matchers: readonly LabelMatcher[], mint: number, maxt: number): Promise<void> {
    return this.exclusive(async () => {
      for (const block of this.blocks) {
        // Clamped to the block's range, as Prometheus does: later data is not affected.
        const from = Math.max(mint, block.meta.minTime);
        const to = Math.min(maxt, block.meta.maxTime - 1);
        if (to < from) continue;
        const querier = block.querier(from, to);
        const entries: { seriesLabels: Labels; mint: number; maxt: number }[] = [];
        try {
          for (const series of querier.select(matchers, { labelsOnly: true })) entries.push({ seriesLabels: series.labels, mint: from, maxt: to });
        } finally {
          querier.close();
        }
        await block.addTombstones(entries);
      }
      const head = this.head;
      const { minTime, maxTime } = head.timeRange();
      const from = Math.max(mint, minTime);
      const to = Math.min(maxt, maxTime);
      if (!(to >= from)) return;
      const entries = head.refsFor(matchers).map((ref) => ({ ref, mint: from, maxt: to }));
      if (entries.length === 0) return;
      const encoder = new TombstonesEncoder();
      for (const e of entries) encoder.add(e.ref, e.mint, e.maxt);
      this.wal.log(RecordType.Tombstones, encoder.finish());
      await this.wal.flush();
      head.addTombstones(entries);
    });
  }

  /**
   * Rewrites every block that has tombstones without the deleted samples (a block left empty is
   * removed), as Prometheus's clean_tombstones does. Head tombstones are applied when the head is
   * written to a block.
   */
  cleanTombstones(): Promise<void> {
    return this.exclusive(async () => {
      for (const block of this.blocks) {
        if (block.tombstones.size === 0) continue;
        const meta = await compactBlocks(this.options.dir, [block]);
        const kept = meta.stats.numSeries > 0 ? await Block.open(join(this.options.dir, meta.ulid)) : null;
        if (kept === null) await rm(join(this.options.dir, meta.ulid), { recursive: true, force: true });
        this.blocks = this.blocks.filter((b) => b !== block);
        if (kept !== null) this.blocks.push(kept);
        this.sortBlocks();
        await block.close();
        await rm(block.dir, { recursive: true, force: true });
        this.log('info', 'tombstones cleaned', { ulid: block.meta.ulid, replacement: kept?.meta.ulid ?? null });
      }
    });
  }

  /**
   * Writes a consistent copy of the database into `dir` (which must exist): every block as hard links
   * to its immutable files, and, unless `withHead` is false, the head's data as one more block. A
   * Vigil started with `dir` as its storage path sees all of it.
   */
  snapshot(dir: string, withHead: boolean): Promise<void> {
    return this.exclusive(async () => {
      for (const block of this.blocks) await linkTree(block.dir, join(dir, block.meta.ulid));
      if (!withHead) return;
      const { minTime, maxTime } = this.head.timeRange();
      if (!(maxTime >= minTime)) return;
      const meta = await writeBlock(dir, { minTime, maxTime: maxTime + 1, series: this.head.seriesForSnapshot() });
      if (meta.stats.numSeries === 0) await rm(join(dir, meta.ulid), { recursive: true, force: true });
    });
  }

  /**
   * Exemplars kept in the head for series matching any of the selectors, within [mint, maxt], grouped
   * by series (in label order), each series' exemplars oldest first.
   */
  queryExemplars(selectors: readonly (readonly LabelMatcher[])[], mint: number, maxt: number): { seriesLabels: Labels; exemplars: { labels: Labels; value: number; timestamp: number }[] }[] {
    const refs = new Set<number>();
    for (const matchers of selectors) for (const ref of this.head.refsFor(matchers)) refs.add(ref);
    const bySeries = new Map<number, { labels: Labels; value: number; timestamp: number }[]>();
    for (const record of this.head.exemplarsFor(refs, mint, maxt)) {
      let list = bySeries.get(record.ref);
      if (list === undefined) bySeries.set(record.ref, (list = []));
      list.push({ labels: record.labels, value: record.value, timestamp: record.timestamp });
    }
    const out = [...bySeries].map(([ref, exemplars]) => ({ seriesLabels: this.head.labelsOf(ref), exemplars }));
    return out.sort((a, b) => compareLabels(a.seriesLabels, b.seriesLabels));
  }

  /** Total bytes of blocks and WAL on disk. */
  async diskBytes(): Promise<number> {
    let total = 0;
    for (const block of this.blocks) total += block.sizeBytes();
    for (const entry of await readdir(this.walDir, { recursive: true })) {
      try {
        const info = await stat(join(this.walDir, entry));
        if (info.isFile()) total += info.size;
      } catch {
        // A segment removed by truncation while we listed.
      }
    }
    return total;
  }

  walStats(): WalWriter['stats'] {
    return this.wal.stats;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.maintenance;
    this.closed = true;
    await this.wal.close();
    this.headChunks.close();
    for (const block of this.blocks) await block.close();
  }
}


/** Recreates a directory tree with hard links to its files (block files are never modified in place). */
async function linkTree(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (entry.isDirectory()) await linkTree(join(from, entry.name), join(to, entry.name));
    else if (!entry.name.endsWith('.tmp')) await link(join(from, entry.name), join(to, entry.name));
  }
}
