import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Labels } from '../../../model/index.ts';
import { compareLabels } from '../../../model/index.ts';
import { ChunkEncoding, XorAppender, chunkSampleCount, compactChunk } from '../chunk/index.ts';
import { ChunkSegmentWriter } from './chunks.ts';
import { syncDir } from './encoding.ts';
import { CHUNKS_DIR, INDEX_FILE, MAX_SEGMENT_BYTES, META_FILE, META_VERSION, TOMBSTONES_FILE } from './format.ts';
import { SeriesTable, writeIndex } from './index-writer.ts';
import { SampleRuns } from './samples.ts';
import { writeTombstones } from './tombstones.ts';
import type { BlockMeta, ChunkData, SeriesData } from './types.ts';
import { newUlid } from './ulid.ts';

export interface WriteBlockOptions {
  minTime: number;
  /** Exclusive. */
  maxTime: number;
  series: Iterable<SeriesData>;
  compaction?: BlockMeta['compaction'];
  /** Largest chunk segment file (default and maximum 512 MiB; smaller values are for tests). */
  maxSegmentBytes?: number;
}

/** Suffix of a block directory still being written; such directories are garbage after a crash. */
export const TMP_BLOCK_SUFFIX = '.tmp-for-creation';

/**
 * Writes a block atomically (temp dir, fsync, rename) into parentDir from series in any order.
 * Series with equal labels are merged. Chunks are kept as they are when they lie inside
 * [minTime, maxTime) and do not overlap; otherwise that series is re-encoded (trimmed to the range,
 * deduplicated by timestamp with the later input winning, cut at 120 samples per chunk). The input
 * objects are only referenced (sorted by reference); chunk bytes are streamed to disk, never copied
 * in bulk.
 */
export async function writeBlock(parentDir: string, options: WriteBlockOptions): Promise<BlockMeta> {
  const { minTime, maxTime } = options;
  if (!(maxTime > minTime)) throw new RangeError(`block range [${minTime}, ${maxTime}) is empty`);
  const input: SeriesData[] = [];
  for (const s of options.series) input.push(s);
  const order = Array.from({ length: input.length }, (_, i) => i);
  order.sort((a, b) => compareLabels(input[a].labels, input[b].labels) || a - b);

  function* normalized(): Generator<SeriesData> {
    const app = new XorAppender(256);
    const runs = new SampleRuns();
    for (let r = 0; r < order.length; ) {
      const labels = input[order[r]].labels;
      let e = r + 1;
      while (e < order.length && compareLabels(input[order[e]].labels, labels) === 0) e++;
      const chunks: ChunkData[] = [];
      for (let q = r; q < e; q++) for (const c of input[order[q]].chunks) chunks.push(c);
      r = e;
      const out = normalizeChunks(chunks, minTime, maxTime, app, runs);
      if (out.length > 0) yield { labels, chunks: out };
    }
  }
  return writeBlockStream(parentDir, options, normalized());
}

/**
 * Keeps chunks as they are when they are sorted, disjoint and inside [minTime, maxTime); otherwise
 * decodes, merges (later chunks win on equal timestamps) and re-encodes them.
 */
export function normalizeChunks(chunks: ChunkData[], minTime: number, maxTime: number, app: XorAppender, runs: SampleRuns): ChunkData[] {
  const kept: { c: ChunkData; i: number }[] = [];
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i];
    if (c.maxTime < minTime || c.minTime >= maxTime || chunkSampleCount(c.encoding ?? ChunkEncoding.XOR, c.bytes) === 0) continue;
    kept.push({ c, i });
  }
  kept.sort((a, b) => a.c.minTime - b.c.minTime || a.i - b.i);
  let slow = false;
  for (let k = 0; k < kept.length && !slow; k++) {
    const c = kept[k].c;
    if (c.minTime < minTime || c.maxTime >= maxTime) slow = true;
    else if (k > 0 && c.minTime <= kept[k - 1].c.maxTime) slow = true;
  }
  if (!slow) return kept.map((k) => k.c);
  runs.reset();
  for (const k of kept) runs.addChunk(k.c.encoding ?? ChunkEncoding.XOR, k.c.bytes, k.i, minTime, maxTime - 1);
  runs.finish();
  const out: ChunkData[] = [];
  runs.encode(app, out);
  return out;
}

/** Moves a finished block directory into parentDir (same file system), durably. */
export async function moveBlock(blockDir: string, parentDir: string): Promise<void> {
  await rename(blockDir, join(parentDir, basename(blockDir)));
  await syncDir(parentDir);
}

async function writeFileSynced(path: string, data: string | Uint8Array): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Writes a block from series that are already sorted by labels, unique, and whose chunks are sorted,
 * disjoint and inside the range. Consumes the iterable lazily: each series' chunk bytes are written
 * out before the next series is pulled.
 */
export async function writeBlockStream(
  parentDir: string,
  options: { minTime: number; maxTime: number; compaction?: BlockMeta['compaction']; maxSegmentBytes?: number },
  series: Iterable<SeriesData>,
): Promise<BlockMeta> {
  const ulid = newUlid();
  const tmp = join(parentDir, `${ulid}${TMP_BLOCK_SUFFIX}`);
  const chunksDir = join(tmp, CHUNKS_DIR);
  await mkdir(chunksDir, { recursive: true });
  const segmentBytes = Math.min(MAX_SEGMENT_BYTES, options.maxSegmentBytes ?? MAX_SEGMENT_BYTES);
  const cw = new ChunkSegmentWriter(chunksDir, segmentBytes);
  const table = new SeriesTable();
  let numSamples = 0;
  let prev: Labels | null = null;
  try {
    let k = 0;
    for (const s of series) {
      if (s.chunks.length === 0) continue;
      if (prev !== null && compareLabels(prev, s.labels) >= 0) {
        throw new Error('writeBlockStream: series are not sorted by labels or not unique');
      }
      prev = s.labels;
      table.startSeries(s.labels);
      for (const c of s.chunks) {
        // Blocks keep each chunk in its smallest encoding (decimal where values allow it).
        const stored = compactChunk(c.encoding ?? ChunkEncoding.XOR, c.bytes);
        const ref = cw.add(stored.encoding, stored.bytes);
        table.addChunk(c.minTime, c.maxTime, ref.seg, ref.offset, ref.length);
        numSamples += chunkSampleCount(stored.encoding, stored.bytes);
      }
      if ((++k & 63) === 0) await cw.maybeFlush();
    }
    await cw.close();
    await writeIndex(join(tmp, INDEX_FILE), table);
    await writeTombstones(join(tmp, TOMBSTONES_FILE), new Map());
    const meta: BlockMeta = {
      ulid,
      minTime: options.minTime,
      maxTime: options.maxTime,
      stats: { numSamples, numSeries: table.numSeries, numChunks: table.numChunks },
      compaction: options.compaction ?? { level: 1, sources: [ulid] },
      version: META_VERSION,
    };
    await writeFileSynced(join(tmp, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
    await syncDir(chunksDir);
    await syncDir(tmp);
    await rename(tmp, join(parentDir, ulid));
    await syncDir(parentDir);
    return meta;
  } catch (error) {
    await cw.abort();
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
}
